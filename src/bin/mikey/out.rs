//! Output helpers shared by the commands: hex, base64, JSON documents, and one MIKEY
//! message as JSON and text.

use base64::Engine as _;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Standard base64 with padding (the form SDP and RTSP carry MIKEY in, RFC 4567 §3).
pub fn base64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Prints a JSON document, pretty, with a final newline.
pub fn print_json(doc: &Value) -> Result<(), crate::Failure> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| crate::Failure::Input(format!("JSON output: {e}")))?;
    crate::print(&(text + "\n"));
    Ok(())
}

/// One MIKEY message: `{"from", "type", "hex", "base64"}`.
pub fn message_json(from: &str, kind: &str, msg: &[u8]) -> Value {
    json!({"from": from, "type": kind, "hex": hex(msg), "base64": base64(msg)})
}

/// One MIKEY message as text: a heading with its length, then hex and base64.
pub fn message_text(out: &mut String, heading: &str, msg: &[u8]) {
    let _ = writeln!(
        out,
        "\n{heading} ({} bytes)\n  hex    {}\n  base64 {}",
        msg.len(),
        hex(msg),
        base64(msg)
    );
}
