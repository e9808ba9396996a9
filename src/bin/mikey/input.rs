//! Reading an INPUT argument: hex, base64, a file, or stdin, whose messages are found by
//! [`mikey::dissect::split`] (raw binary MIKEY, hex or base64 lines, SDP `a=key-mgmt`
//! attributes, RTSP `KeyMgmt` headers (RFC 4567 §3.2), ONVIF `mikey: <base64>` bodies).

use mikey::dissect::{split, Chunk};
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

/// Whether an argument that is not an existing file names one all the same: hex and
/// base64 never hold a `.`, and a MIKEY message in base64 starts with `AQ`, never with
/// `/` or `~`. Such an argument is reported as a missing file, never read as data.
fn looks_like_path(arg: &str) -> bool {
    if arg
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, ':' | ';' | '"'))
    {
        return false;
    }
    if arg.contains('.') || arg.starts_with('/') || arg.starts_with('~') {
        return true;
    }
    // `dir/name`: base64 characters, but not a message in base64.
    arg.contains('/')
        && mikey::sdp::decode_base64(arg, 0)
            .ok()
            .is_none_or(|b| b.first() != Some(&0x01))
}

/// Resolves INPUT (`-` is stdin, an existing file is read, a path-like argument that is
/// not a file is an error naming it, anything else is the text itself) and splits it
/// into its messages, each with its origin.
pub fn chunks(arg: &str) -> Result<Vec<Chunk>, String> {
    let (data, origin) = if arg == "-" {
        (
            read_limited(std::io::stdin().lock(), "stdin")?,
            "stdin".to_owned(),
        )
    } else {
        let path = std::path::Path::new(arg);
        if path.is_dir() {
            return Err(format!("{arg} is a directory, not a file"));
        } else if path.is_file() {
            let f = std::fs::File::open(path).map_err(|e| format!("cannot open {arg}: {e}"))?;
            (read_limited(f, arg)?, format!("file {arg}"))
        } else if looks_like_path(arg) {
            return Err(format!("{arg}: no such file"));
        } else {
            (arg.as_bytes().to_vec(), "argument".to_owned())
        }
    };
    let list = split(&data);
    if list.is_empty() {
        return Err(format!("{origin} is empty"));
    }
    // A word that is neither a file nor a message: say both.
    if let [Chunk { data: Err(e), .. }] = list.as_slice() {
        if origin == "argument" && !arg.chars().any(char::is_whitespace) {
            return Err(format!("{arg}: no such file, and as text: {e}"));
        }
    }
    Ok(list
        .into_iter()
        .map(|c| Chunk {
            source: format!("{origin}, {}", c.source),
            data: c.data,
        })
        .collect())
}

/// The messages of INPUT; the first line that should hold one and does not is the error.
pub fn load(arg: &str) -> Result<Vec<Found>, String> {
    chunks(arg)?
        .into_iter()
        .map(|c| {
            c.data
                .map(|bytes| Found {
                    source: c.source.clone(),
                    bytes,
                })
                .map_err(|e| format!("{}: {e}", c.source))
        })
        .collect()
}

/// Lowercase or uppercase hex with an even number of digits.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    mikey::dissect::decode_hex(s)
}
