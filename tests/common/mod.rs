//! Helpers shared by the integration tests: loading test vectors, settings.
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

/// Security policy `no` given twice: AES_CM_128_HMAC_SHA1_80, then AES_CM_128_HMAC_SHA1_32.
/// The second is the one that counts (an update replaces policies by number, RFC 3830 §4.5).
pub fn policy_given_twice(no: u8) -> Vec<mikey::wire::SecurityPolicy<'static>> {
    use mikey::srtp::{export::policy_for, SrtpSuite};
    [
        SrtpSuite::AesCm128HmacSha1_80,
        SrtpSuite::AesCm128HmacSha1_32,
    ]
    .map(|s| policy_for(s).to_payload(no).unwrap())
    .to_vec()
}
