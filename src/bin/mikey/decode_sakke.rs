//! `mikey decode --sakke-keys FILE --trust FILE...`: opens MIKEY-SAKKE I_MESSAGEs (data
//! type 26, RFC 6509 / TS 33.180) as the user of a key set: the sender's KMS trusted, the
//! ECCSI signature (and the span it covers), the SSV from SAKKE, the key, its id and
//! parameters, the SRTP parameters of the media (TS 33.180 7.4, CS-ID 0).

use crate::decode::{Args, Entry};
use crate::out::hex;
use crate::srtp_json::{srtp_list, srtp_text};
use crate::Failure;
use mikey::mcx::imessage_open::{open, OpenOptions, OpenedIMessage, SenderId, SignatureSpan};
use mikey::wire::DataType;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Opens every data type 26 message when `--sakke-keys` is given (`None` for the others).
pub fn open_all(a: &Args, entries: &[Entry<'_>]) -> Result<Vec<Option<OpenedIMessage>>, Failure> {
    let Some(keys) = &a.sakke_keys else {
        return Ok(Vec::new());
    };
    let trust = crate::mcx::trust(&a.trust)?;
    let me = crate::mcx::user_keys(keys, &trust)?;
    let many = entries.len() > 1;
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let d = match e {
            Entry::Message { d, .. } if d.view.header().data_type == DataType::Sakke => d,
            _ => {
                out.push(None);
                continue;
            }
        };
        let o = open(d.view.as_bytes(), &me, &trust, &OpenOptions::any_time()).map_err(|e| {
            let at = if many {
                format!("message {}: ", i + 1)
            } else {
                String::new()
            };
            Failure::Input(format!("{at}MIKEY-SAKKE: {e}"))
        })?;
        out.push(Some(o));
    }
    if out.iter().all(Option::is_none) {
        return Err(Failure::Usage(
            "--sakke-keys opens MIKEY-SAKKE (data type 26) messages only; the input has none"
                .into(),
        ));
    }
    Ok(out)
}

fn span(s: SignatureSpan) -> &'static str {
    match s {
        SignatureSpan::Standard => "standard",
        SignatureSpan::WithoutSignHeader => "without SIGN header",
    }
}

fn sender(s: &SenderId) -> String {
    match s {
        SenderId::Uid(u) => format!("UID {u}"),
        SenderId::Uri(u) => u.clone(),
    }
}

/// The SRTP parameters of our own media, when the key keys media (GMK, PCK).
fn srtp(o: &OpenedIMessage) -> Vec<mikey::srtp::SrtpParams> {
    o.srtp(0).into_iter().collect()
}

/// What opening found, as JSON members of the message's object.
pub fn json(obj: &mut serde_json::Map<String, Value>, o: &OpenedIMessage) {
    let kp = o
        .key_params
        .as_ref()
        .map(|(kp, _)| json!({"key_type": format!("{:?}", kp.key_type), "status": kp.status}));
    obj.insert(
        "sakke".into(),
        json!({
            "signature_verified": true,
            "signature_span": span(o.span),
            "sender": sender(&o.sender),
            "sender_uid": o.sender_uid.to_string(),
            "sender_kms": o.sender_kms,
            "ssv": hex(o.key.as_bytes()),
            "key_type": format!("{:?}", o.purpose),
            "key": hex(o.key.as_bytes()),
            "key_id": format!("{:08x}", o.key_id.value()),
            "csb_id": format!("{:08x}", o.csb_id.value()),
            "key_parameters": kp,
            "quirks": o.quirks.iter().map(|q| format!("{q:?}")).collect::<Vec<_>>(),
        }),
    );
    obj.insert("srtp".into(), srtp_list(&srtp(o)));
}

/// What opening found, below the message's tree.
pub fn text(out: &mut String, o: &OpenedIMessage) {
    let _ = writeln!(
        out,
        "  Signature (ECCSI, {} at {}): verified, {} span",
        sender(&o.sender),
        o.sender_kms,
        span(o.span)
    );
    let _ = writeln!(out, "  SSV (SAKKE): {}", hex(o.key.as_bytes()));
    let _ = writeln!(
        out,
        "  Key: {:?} {}, key id {:08x}, CSB ID {:08x}",
        o.purpose,
        hex(o.key.as_bytes()),
        o.key_id.value(),
        o.csb_id.value()
    );
    if let Some((kp, _)) = &o.key_params {
        let _ = writeln!(
            out,
            "  Key parameters: {:?}, status {}",
            kp.key_type, kp.status
        );
    }
    let s = srtp(o);
    if !s.is_empty() {
        let _ = writeln!(out, "  SRTP parameters (TS 33.180 7.4, CS-ID 0):");
        srtp_text(out, "    ", &s);
    }
}
