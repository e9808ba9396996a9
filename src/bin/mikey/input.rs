//! Finding MIKEY messages in an INPUT argument: hex, base64, a file, or stdin, whose
//! contents are detected as raw binary MIKEY, hex, base64, an SDP body, `a=key-mgmt`
//! lines, RTSP `KeyMgmt` headers (RFC 4567 §3.2) or ONVIF `mikey: <base64>` bodies.

use mikey::sdp::{self, KeyMgmtAttr, KeyMgmtHeader, KeyMgmtLevel};
use std::io::Read as _;

/// Inputs larger than this are refused.
pub const MAX_INPUT: usize = 16 << 20;

/// One MIKEY message found in the input, with a description of where it came from.
#[derive(Clone, Debug)]
pub struct Found {
    /// Where the message was found (human readable).
    pub source: String,
    /// The message bytes.
    pub bytes: Vec<u8>,
}

fn read_limited(r: impl std::io::Read, what: &str) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    r.take(MAX_INPUT as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if buf.len() > MAX_INPUT {
        return Err(format!("{what} is larger than {MAX_INPUT} bytes"));
    }
    Ok(buf)
}

/// Resolves INPUT: `-` reads stdin, an existing file is read, anything else is taken as
/// the text itself. Then detects the messages in it.
pub fn load(arg: &str) -> Result<Vec<Found>, String> {
    if arg == "-" {
        let data = read_limited(std::io::stdin().lock(), "stdin")?;
        return detect(&data, "stdin");
    }
    let path = std::path::Path::new(arg);
    if path.is_file() {
        let f = std::fs::File::open(path).map_err(|e| format!("cannot open {arg}: {e}"))?;
        let data = read_limited(f, arg)?;
        return detect(&data, &format!("file {arg}"));
    }
    detect(arg.as_bytes(), "argument")
}

/// Detects the MIKEY messages in `data` (see the module documentation).
pub fn detect(data: &[u8], origin: &str) -> Result<Vec<Found>, String> {
    if data.is_empty() {
        return Err(format!("{origin} is empty"));
    }
    if data[0] == 0x01 {
        return Ok(vec![found(origin, "raw binary", data.to_vec())]);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        // Not text: let the MIKEY parser say what is wrong with it.
        return Ok(vec![found(origin, "raw binary", data.to_vec())]);
    };
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(format!("{origin} holds only whitespace"));
    }
    if text.starts_with("v=") {
        return from_sdp(text, origin);
    }
    let mut out = Vec::new();
    let mut recognised = false;
    for (n, line) in text.lines().enumerate() {
        if let Some(r) = from_line(line.trim(), &format!("{origin}, line {}", n + 1)) {
            recognised = true;
            out.extend(r?);
        }
    }
    if recognised {
        if out.is_empty() {
            return Err(format!("{origin}: no MIKEY key management data found"));
        }
        return Ok(out);
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let hex_body = compact
        .strip_prefix("0x")
        .or_else(|| compact.strip_prefix("0X"))
        .unwrap_or(&compact);
    if let Some(b) = decode_hex(hex_body) {
        return Ok(vec![found(origin, "hex", b)]);
    }
    match sdp::decode_base64(&compact, 0) {
        Ok(b) => Ok(vec![found(origin, "base64", b)]),
        Err(e) => Err(format!(
            "{origin} is not hex, base64, raw MIKEY, SDP, a=key-mgmt, KeyMgmt or \"mikey:\" text \
             (as base64: {e})"
        )),
    }
}

fn found(origin: &str, form: &str, bytes: Vec<u8>) -> Found {
    Found {
        source: format!("{origin} ({form})"),
        bytes,
    }
}

/// Lowercase or uppercase hex with an even number of digits.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn from_sdp(text: &str, origin: &str) -> Result<Vec<Found>, String> {
    let entries = sdp::key_mgmt_from_sdp(text).map_err(|e| format!("{origin}: {e}"))?;
    let out: Vec<Found> = entries
        .into_iter()
        .filter(|e| e.attr.is_mikey())
        .map(|e| {
            let level = match e.level {
                KeyMgmtLevel::Session => "session level".to_owned(),
                KeyMgmtLevel::Media(i) => format!("media {i}"),
            };
            found(origin, &format!("SDP a=key-mgmt, {level}"), e.attr.data)
        })
        .collect();
    if out.is_empty() {
        return Err(format!(
            "{origin}: no a=key-mgmt:mikey attribute in the SDP"
        ));
    }
    Ok(out)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A line that names its key management data; `None` when the line is not one of them.
fn from_line(line: &str, origin: &str) -> Option<Result<Vec<Found>, String>> {
    if let Some(v) = line.strip_prefix("a=key-mgmt:") {
        return Some(
            KeyMgmtAttr::parse(v)
                .map(|a| {
                    if a.is_mikey() {
                        vec![found(origin, "a=key-mgmt", a.data)]
                    } else {
                        Vec::new()
                    }
                })
                .map_err(|e| format!("{origin}: a=key-mgmt: {e}")),
        );
    }
    let header =
        strip_prefix_ci(line, "keymgmt:").or_else(|| strip_prefix_ci(line, "prot=").map(|_| line));
    if let Some(v) = header {
        return Some(
            KeyMgmtHeader::parse(v)
                .map(|h| {
                    h.entries
                        .into_iter()
                        .enumerate()
                        .filter(|(_, e)| e.prot == sdp::MIKEY_PRTCL_ID)
                        .map(|(i, e)| {
                            let uri = e
                                .uri
                                .as_deref()
                                .map(|u| format!(", uri \"{u}\""))
                                .unwrap_or_default();
                            found(origin, &format!("KeyMgmt entry {}{uri}", i + 1), e.data)
                        })
                        .collect()
                })
                .map_err(|e| format!("{origin}: {e}")),
        );
    }
    if let Some(v) = strip_prefix_ci(line, "mikey:") {
        return Some(
            sdp::decode_base64(v.trim(), 0)
                .map(|b| vec![found(origin, "mikey: body", b)])
                .map_err(|e| format!("{origin}: mikey: body: {e}")),
        );
    }
    None
}
