//! Finding the MIKEY messages in an input, line by line: SDP `a=key-mgmt` attributes
//! (RFC 4567 §3.1), RTSP `KeyMgmt` headers (RFC 4567 §3.2), ONVIF `mikey:` bodies, and bare
//! hex or base64 lines. Each line is decoded on its own: a line that fails becomes a
//! [`Chunk`] with an error, and the others still decode.

use crate::sdp::{self, KeyMgmtAttr, KeyMgmtHeader};
use crate::wire::{MessageView, ParseOptions};

/// One message found by [`split`], or why a line that should hold one does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Where it was found, e.g. `line 3 (SDP a=key-mgmt, media 0)`.
    pub source: String,
    /// The message bytes, or what is wrong with the line.
    pub data: Result<Vec<u8>, String>,
}

/// Bare hex lines shorter than this (a MIKEY header is 10 bytes) are not taken as
/// messages, unless they are the whole input.
const MIN_HEX_LINE: usize = 20;
/// The same for bare base64 lines.
const MIN_B64_LINE: usize = 16;
/// [`split`] stops after this many messages (and says so in one more [`Chunk`]), so that
/// its output stays small beside its input.
pub const MAX_MESSAGES: usize = 10_000;

/// The messages of `data`: raw binary MIKEY (first byte 1, or not UTF-8) is one message;
/// text is read line by line (see the module documentation); text with no such line is
/// read whole as hex or base64 (whitespace ignored). An empty list for an empty input; at
/// most [`MAX_MESSAGES`] messages and one error after them.
pub fn split(data: &[u8]) -> Vec<Chunk> {
    if data.is_empty() {
        return Vec::new();
    }
    let text = match std::str::from_utf8(data) {
        Ok(t) if data[0] != 0x01 => t,
        _ => return vec![chunk("raw binary", Ok(data.to_vec()))],
    };
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return vec![chunk("input", Err("holds only whitespace".into()))];
    }
    let mut out = Vec::new();
    let mut level = String::from("session level");
    let mut run: Vec<Bare<'_>> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some((bytes, form)) = bare(line, !run.is_empty()) {
            run.push(Bare {
                n: n + 1,
                bytes,
                form,
                line,
            });
            continue;
        }
        flush(&mut run, &mut out);
        if line.starts_with("v=") {
            level = "session level".into();
        } else if line.starts_with("m=") {
            level = match level.strip_prefix("media ") {
                Some(i) => format!("media {}", i.parse::<usize>().map_or(0, |i| i + 1)),
                None => "media 0".into(),
            };
        }
        out.extend(from_line(line, n + 1, &level));
        if out.len() + run.len() > MAX_MESSAGES {
            flush(&mut run, &mut out);
            out.truncate(MAX_MESSAGES);
            let source = format!("line {}", n + 1);
            let why = format!("more than {MAX_MESSAGES} messages: the input is not read further");
            out.push(chunk(source, Err(why)));
            return out;
        }
    }
    flush(&mut run, &mut out);
    if out.is_empty() {
        out.push(whole(text));
    }
    out
}

/// A bare hex or base64 line: its number, bytes, form and text.
struct Bare<'t> {
    n: usize,
    bytes: Vec<u8>,
    form: &'static str,
    line: &'t str,
}

fn chunk(source: impl Into<String>, data: Result<Vec<u8>, String>) -> Chunk {
    Chunk {
        source: source.into(),
        data,
    }
}

fn parses(b: &[u8]) -> bool {
    MessageView::parse_with(b, ParseOptions::LENIENT).is_ok()
}

/// A bare hex or base64 line long enough to be a message (or, `continuing` a run, a part
/// of one): its bytes and form.
fn bare(line: &str, continuing: bool) -> Option<(Vec<u8>, &'static str)> {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let hex_body = compact
        .strip_prefix("0x")
        .or_else(|| compact.strip_prefix("0X"))
        .unwrap_or(&compact);
    // The last line of a wrapped message may be short.
    let (min_hex, min_b64) = if continuing {
        (2, 4)
    } else {
        (MIN_HEX_LINE, MIN_B64_LINE)
    };
    if hex_body.len() >= min_hex {
        if let Some(b) = decode_hex(hex_body) {
            return Some((b, "hex"));
        }
    }
    let b64_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    if line.len() >= min_b64 && line.chars().all(b64_chars) {
        if let Ok(b) = sdp::decode_base64(line, 0) {
            // Any base64 word would do otherwise: only a message's first byte starts a run.
            if continuing || b.first() == Some(&0x01) {
                return Some((b, "base64"));
            }
        }
    }
    None
}

/// A message wrapped over more lines than this is not joined (its lines are reported one
/// by one), which bounds the parsing work per line.
const MAX_WRAPPED_LINES: usize = 64;

/// The bytes of consecutive bare lines joined: hex by bytes, base64 as text (only the last
/// line of a wrapped message may end in padding); `None` when they do not join.
fn joined(lines: &[Bare<'_>]) -> Option<Vec<u8>> {
    if lines.len() == 1 {
        return Some(lines[0].bytes.clone());
    }
    if lines.iter().all(|r| r.form == "hex") {
        Some(lines.iter().flat_map(|r| r.bytes.iter().copied()).collect())
    } else {
        let text: String = lines.iter().map(|r| r.line).collect();
        sdp::decode_base64(&text, 0).ok()
    }
}

/// One message of consecutive lines: joined when that parses, else each line on its own.
fn close(lines: &mut Vec<Bare<'_>>, out: &mut Vec<Chunk>) {
    if lines.len() > 1 {
        if let Some(j) = joined(lines).filter(|j| parses(j)) {
            let (first, last) = (lines[0].n, lines[lines.len() - 1].n);
            let form = lines[0].form;
            out.push(chunk(format!("lines {first}-{last} ({form})"), Ok(j)));
            lines.clear();
            return;
        }
    }
    for r in lines.drain(..) {
        out.push(chunk(format!("line {} ({})", r.n, r.form), Ok(r.bytes)));
    }
}

/// Ends a run of bare lines: splits it into messages. A message ends where the lines so
/// far parse as one, or before a line that parses alone; so one message per line and
/// messages wrapped over several lines (hex or base64) both read, in any mix.
fn flush(run: &mut Vec<Bare<'_>>, out: &mut Vec<Chunk>) {
    let mut cur: Vec<Bare<'_>> = Vec::new();
    for line in run.drain(..) {
        let boundary =
            !cur.is_empty() && (joined(&cur).is_some_and(|j| parses(&j)) || parses(&line.bytes));
        if boundary || cur.len() >= MAX_WRAPPED_LINES {
            close(&mut cur, out);
        }
        cur.push(line);
    }
    close(&mut cur, out);
}

/// Lowercase or uppercase hex with an even number of digits, at least one byte.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The messages one line names: an `a=key-mgmt` attribute, a `KeyMgmt` header (every
/// `prot=mikey` entry), a `mikey:` body line; nothing for other lines.
fn from_line(line: &str, n: usize, level: &str) -> Vec<Chunk> {
    if let Some(v) = line.strip_prefix("a=key-mgmt:") {
        let source = format!("line {n} (SDP a=key-mgmt, {level})");
        return match KeyMgmtAttr::parse(v) {
            Ok(a) if a.is_mikey() => vec![chunk(source, Ok(a.data))],
            Ok(_) => Vec::new(),
            Err(e) => vec![chunk(source, Err(format!("a=key-mgmt: {e}")))],
        };
    }
    let header =
        strip_prefix_ci(line, "keymgmt:").or_else(|| strip_prefix_ci(line, "prot=").map(|_| line));
    if let Some(v) = header {
        return match KeyMgmtHeader::parse(v) {
            Ok(h) => h
                .entries
                .into_iter()
                .enumerate()
                .filter(|(_, e)| e.prot == sdp::MIKEY_PRTCL_ID)
                .map(|(i, e)| {
                    let uri = e
                        .uri
                        .as_deref()
                        .map(|u| format!(", uri \"{u}\""))
                        .unwrap_or_default();
                    chunk(
                        format!("line {n} (KeyMgmt entry {}{uri})", i + 1),
                        Ok(e.data),
                    )
                })
                .collect(),
            Err(e) => vec![chunk(format!("line {n} (KeyMgmt)"), Err(e.to_string()))],
        };
    }
    if let Some(v) = strip_prefix_ci(line, "mikey:") {
        let source = format!("line {n} (mikey: body)");
        return vec![chunk(
            source,
            sdp::decode_base64(v.trim(), 0).map_err(|e| format!("mikey: body: {e}")),
        )];
    }
    Vec::new()
}

/// The whole text as one hex or base64 message (whitespace removed), or why not.
fn whole(text: &str) -> Chunk {
    if text.starts_with("v=") {
        return chunk(
            "SDP",
            Err("no a=key-mgmt:mikey attribute in the SDP".into()),
        );
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let hex_body = compact
        .strip_prefix("0x")
        .or_else(|| compact.strip_prefix("0X"))
        .unwrap_or(&compact);
    if let Some(b) = decode_hex(hex_body) {
        return chunk("hex", Ok(b));
    }
    match sdp::decode_base64(&compact, 0) {
        Ok(b) => chunk("base64", Ok(b)),
        Err(e) => chunk(
            "input",
            Err(format!(
                "not hex, base64, raw MIKEY, SDP, a=key-mgmt, KeyMgmt or \"mikey:\" text (as \
                 base64: {e})"
            )),
        ),
    }
}
