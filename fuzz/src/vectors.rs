//! The MIKEY messages of `testvectors/` (one message per `.hex` / `.b64` file, see
//! `testvectors/SOURCES.md`), including `testvectors/nonconformant/`.

use std::path::{Path, PathBuf};

/// The `testvectors/` folder of the mikey crate.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("testvectors")
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|p| u8::from_str_radix(core::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

/// Every message file as (file name, bytes), sorted by name. The GStreamer fragment is
/// not a message and is left out.
pub fn messages() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "nonconformant"] {
        let d = dir().join(sub);
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.contains("fragment") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            let bytes = if name.ends_with(".hex") {
                hex(&text)
            } else if name.ends_with(".b64") {
                mikey::sdp::decode_base64(text.trim(), 0).ok()
            } else {
                None
            };
            if let Some(b) = bytes {
                let label = if sub.is_empty() {
                    name
                } else {
                    format!("{sub}-{name}")
                };
                out.push((label, b));
            }
        }
    }
    out.sort();
    out
}
