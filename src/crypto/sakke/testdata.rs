//! Reads the labelled values of the RFC 6507 and RFC 6508 Appendix A test data
//! (`testvectors/rfc650[78]-appendixA-*.txt`, verbatim RFC text). Test code only: the unit
//! tests of `crypto::sakke` and `tests/eccsi_sakke_kat.rs` (through `#[path]`) share it.
#![allow(dead_code)]

/// RFC 6507 Appendix A, verbatim.
pub const RFC6507: &str =
    include_str!("../../../testvectors/rfc6507-appendixA-eccsi-test-data.txt");

/// RFC 6508 Appendix A, verbatim.
pub const RFC6508: &str =
    include_str!("../../../testvectors/rfc6508-appendixA-sakke-test-data.txt");

/// Whether `s` is a run of hex groups (with an optional `0x` and a final `;`).
fn hex_groups(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches(';').trim();
    let s = s.strip_prefix("0x").unwrap_or(s).trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_hexdigit() || c == ' ') {
        return None;
    }
    Some(s.chars().filter(|c| *c != ' ').collect())
}

/// The value labelled `label` (`label = HEX`, `label := 0x HEX`, or a label whose value
/// follows on a later line starting with `=`), its `nth` occurrence (0-based), as octets
/// (an odd number of hex digits is padded on the left). Continuation lines of hex groups
/// are joined; blank lines inside a value are skipped; a `;` ends a value.
pub fn value(text: &str, label: &str, nth: usize) -> Vec<u8> {
    let lines: Vec<&str> = text.lines().collect();
    let starts = lines.iter().enumerate().filter_map(|(i, l)| {
        let rest = l.trim_start().strip_prefix(label)?;
        let rest = rest.strip_prefix(' ')?.trim_start();
        let rest = rest.strip_prefix(":=").or_else(|| rest.strip_prefix('='))?;
        Some((i, rest))
    });
    let (mut i, first) = starts
        .clone()
        .nth(nth)
        .unwrap_or_else(|| panic!("no {label}"));
    let mut hex = match hex_groups(first) {
        Some(h) => h,
        None => {
            // `label = Function( ... )` then `= value` on a later line.
            i += 1;
            while !lines[i].trim_start().starts_with('=') {
                i += 1;
            }
            hex_groups(&lines[i].trim_start()[1..]).unwrap()
        }
    };
    let mut ended = lines[i].contains(';');
    while !ended {
        i += 1;
        let Some(line) = lines.get(i) else { break };
        if line.trim().is_empty() {
            continue;
        }
        match hex_groups(line) {
            Some(h) => {
                hex.push_str(&h);
                ended = line.contains(';');
            }
            None => break,
        }
    }
    if hex.len() % 2 == 1 {
        hex.insert(0, '0');
    }
    (0..hex.len())
        .step_by(2)
        .map(|k| u8::from_str_radix(&hex[k..k + 2], 16).unwrap())
        .collect()
}
