//! Strict base64 for `key-mgmt` data (RFC 4567 §3.1: base64 as in RFC 4566, with
//! padding; RFC 4648 §4 alphabet), and the KMPID grammar shared by the attribute and the
//! RTSP header.

use base64::Engine as _;

use super::{Base64Problem, SdpError};

/// Decodes strict base64 (RFC 4648 alphabet, `=` padding required, canonical trailing bits),
/// reporting where it fails. `base` is added to offsets.
pub fn decode_base64(text: &str, base: usize) -> Result<Vec<u8>, SdpError> {
    let err = |offset: usize, problem| SdpError::Base64 {
        offset: base + offset,
        problem,
    };
    if text.is_empty() {
        return Err(err(0, Base64Problem::Empty));
    }
    let bytes = text.as_bytes();
    let pad_start = text.trim_end_matches('=').len();
    for (i, c) in text.char_indices() {
        let ok = c.is_ascii_alphanumeric() || c == '+' || c == '/';
        if c == '=' {
            if i < pad_start || bytes.len() - pad_start > 2 {
                return Err(err(i, Base64Problem::Padding));
            }
        } else if c.is_whitespace() {
            return Err(err(i, Base64Problem::Whitespace));
        } else if !ok {
            return Err(err(i, Base64Problem::InvalidChar(c)));
        }
    }
    if !bytes.len().is_multiple_of(4) {
        return Err(err(bytes.len(), Base64Problem::Length));
    }
    base64::engine::general_purpose::STANDARD
        .decode(bytes)
        .map_err(|e| match e {
            base64::DecodeError::InvalidLastSymbol(o, _) => err(o, Base64Problem::TrailingBits),
            base64::DecodeError::InvalidByte(o, b) => {
                err(o, Base64Problem::InvalidChar(char::from(b)))
            }
            base64::DecodeError::InvalidLength(o) => err(o, Base64Problem::Length),
            base64::DecodeError::InvalidPadding => err(pad_start, Base64Problem::Padding),
        })
}

/// Encodes base64 with padding (RFC 4648 §4).
pub fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Whether `s` is a prtcl-id / KMPID: `1*(ALPHA / DIGIT)` (RFC 4567 §3).
pub(super) fn is_kmpid(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}
