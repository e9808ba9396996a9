//! Helpers shared by the integration tests: loading test vectors.
#![allow(dead_code)]

use base64::Engine;

/// Path of a file in testvectors/.
pub fn path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testvectors")
        .join(name)
}

/// Decodes hex (whitespace ignored).
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Loads a one-message vector file (.hex or .b64).
pub fn load(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(path(name)).unwrap();
    if name.ends_with(".hex") {
        hex(&text)
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .unwrap()
    }
}

/// Every full-message vector file name (the GStreamer fragment is not a message).
pub fn message_files() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| (n.ends_with(".hex") || n.ends_with(".b64")) && !n.contains("fragment"))
        .collect();
    v.sort();
    v
}
