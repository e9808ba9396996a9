//! SRTP parameters as JSON and text (shared by `decode --psk`, `demo` and `sdp`).

use crate::out::hex;
use mikey::srtp::export::SrtpParams;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// `{"cs_id", "ssrc", "roc", "master_key", "master_salt", "mki", "suite", ...}`: byte values
/// as lowercase hex, an absent MKI as null.
pub fn srtp_json(p: &SrtpParams) -> Value {
    json!({
        "cs_id": p.cs_id,
        "ssrc": p.ssrc,
        "roc": p.roc,
        "master_key": hex(p.master_key.as_bytes()),
        "master_salt": hex(p.master_salt.as_bytes()),
        "mki": p.mki.as_deref().map(hex),
        "suite": p.suite.name(),
        "policy_no": p.policy_no,
        "kdr": p.kdr,
        "srtp_encryption": p.srtp_encryption,
        "srtcp_encryption": p.srtcp_encryption,
        "srtp_authentication": p.srtp_authentication,
        "roc_carrying": p.rcc.map(|r| json!({"mode": r.mode.to_wire(), "rate": r.rate})),
    })
}

/// A list of SRTP parameter objects.
pub fn srtp_list(ps: &[SrtpParams]) -> Value {
    Value::Array(ps.iter().map(srtp_json).collect())
}

/// The text form: one block per crypto session and key.
pub fn srtp_text(out: &mut String, indent: &str, ps: &[SrtpParams]) {
    for p in ps {
        let _ = writeln!(
            out,
            "{indent}CS {} (policy {}): SSRC {:#010x}, ROC {}, {}",
            p.cs_id, p.policy_no, p.ssrc, p.roc, p.suite
        );
        let _ = writeln!(
            out,
            "{indent}  master key  {}",
            hex(p.master_key.as_bytes())
        );
        let _ = writeln!(
            out,
            "{indent}  master salt {}",
            hex(p.master_salt.as_bytes())
        );
        let _ = writeln!(
            out,
            "{indent}  MKI         {}",
            p.mki.as_deref().map(hex).unwrap_or_else(|| "none".into())
        );
        if p.kdr != 0 {
            let _ = writeln!(out, "{indent}  KDR         {}", p.kdr);
        }
        if let Some(r) = p.rcc {
            let _ = writeln!(out, "{indent}  ROC carrying {} rate {}", r.mode, r.rate);
        }
    }
}
