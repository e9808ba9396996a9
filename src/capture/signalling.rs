//! MIKEY messages in signalling text: the RTSP `KeyMgmt` header (RFC 4567 §3.2), SDP
//! `a=key-mgmt:mikey` attributes (RFC 4567 §3.1) in RTSP bodies and in other text over UDP
//! (SIP), and ONVIF `mikey: <base64>` parameter bodies.

use crate::sdp::onvif::parse_mikey_parameter;
use crate::sdp::{key_mgmt_from_sdp, KeyMgmtHeader};

/// Every MIKEY message of one RTSP message or SIP/SDP datagram, in text order.
pub(super) fn mikey_messages(text: &str) -> Vec<Vec<u8>> {
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let mut out = Vec::new();
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("keymgmt") {
            if let Ok(h) = KeyMgmtHeader::parse(value.trim()) {
                out.extend(
                    h.entries
                        .into_iter()
                        .filter(|e| e.prot == "mikey")
                        .map(|e| e.data),
                );
            }
        }
    }
    if body.contains("a=key-mgmt") {
        if let Ok(attrs) = key_mgmt_from_sdp(body) {
            out.extend(
                attrs
                    .into_iter()
                    .filter(|a| a.attr.is_mikey())
                    .map(|a| a.attr.data),
            );
        }
    }
    if body.trim_start().starts_with("mikey:") {
        if let Ok(m) = parse_mikey_parameter(body) {
            out.push(m);
        }
    }
    out
}

/// Whether a datagram is signalling text worth reading for MIKEY.
pub(super) fn may_carry_mikey(payload: &[u8]) -> bool {
    payload.first().is_some_and(u8::is_ascii_alphabetic)
        && payload
            .windows(9)
            .any(|w| w.eq_ignore_ascii_case(b"key-mgmt:") || w.eq_ignore_ascii_case(b"keymgmt: "))
}
