//! The output of `mikey decode`: per message its deviations, its bytes (the offsets shown
//! are offsets into them), the tree of header and payloads, and what opening it found;
//! as text or as one JSON document (docs/decode-json.md).

use super::open::{How, OpenedMessage, Opening};
use super::{Args, Entry};
use crate::out::{hex, print_json};
use crate::render::{self, Decoded};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::Failure;
use mikey::dissect::{Deviation, Dissection};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// Prints every entry, as JSON with `--json`.
/// What other openers add to each entry (text lines, JSON fields), by entry index.
#[derive(Default)]
pub struct Extra {
    pub text: Vec<Option<String>>,
    pub json: Vec<Option<serde_json::Map<String, Value>>>,
}

pub fn print(
    a: &Args,
    entries: &[Entry<'_>],
    opened: &[Option<Opening>],
    extra: &Extra,
) -> Result<(), Failure> {
    if a.json {
        return print_json(&json_doc(entries, opened, extra));
    }
    let mut out = String::new();
    let n = entries.len();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match e {
            Entry::Failed { source, error } => {
                let _ = writeln!(
                    out,
                    "Entry {}/{n} from {source}: not decoded: {error}",
                    i + 1
                );
            }
            Entry::Message { source, d } => {
                message_text(&mut out, (i + 1, n), source, d);
                match opened.get(i).and_then(Option::as_ref) {
                    Some(Opening::Opened(op)) => opened_text(&mut out, op),
                    Some(Opening::Verified { answers }) => {
                        let _ = writeln!(
                            out,
                            "  V (verification MAC) verified with the PSK against message {answers}"
                        );
                    }
                    Some(Opening::NotOpened { why, .. }) => {
                        let _ = writeln!(out, "  Keys not opened: {why}");
                    }
                    None => {}
                }
                if let Some(Some(t)) = extra.text.get(i) {
                    out.push_str(t);
                }
            }
        }
    }
    crate::print(&out);
    Ok(())
}

fn decoded<'a>(source: &'a str, d: &Dissection<'a>) -> Decoded<'a> {
    Decoded {
        source,
        view: d.view.clone(),
        len: d.view.as_bytes().len()
            + usize::from(d.view.quirks().contains(mikey::wire::Quirk::TrailingZero)),
    }
}

fn deviation_text(dv: &Deviation) -> String {
    let at = dv
        .offset
        .map(|o| format!(" at offset {o}"))
        .unwrap_or_default();
    format!("{}{at}: {} [{}]", dv.id, dv.text, dv.rule)
}

/// Heading, deviations, notes, bytes, then the tree (without the quirk list the
/// deviations already give).
fn message_text(out: &mut String, (i, n): (usize, usize), source: &str, d: &Dissection<'_>) {
    let dec = decoded(source, d);
    let _ = writeln!(
        out,
        "MIKEY message {i}/{n} from {source}, {} bytes",
        dec.len
    );
    if d.deviations.is_empty() {
        let _ = writeln!(out, "  Deviations from the RFCs: none found");
    } else {
        let _ = writeln!(out, "  Deviations from the RFCs ({}):", d.deviations.len());
        for dv in &d.deviations {
            let _ = writeln!(out, "    warning: {}", deviation_text(dv));
        }
    }
    for note in &d.notes {
        let _ = writeln!(out, "  Note: {note}");
    }
    let bytes = d.view.as_bytes();
    let _ = writeln!(
        out,
        "  Bytes (offsets below count from the first): {}",
        hex(bytes)
    );
    let fields: Vec<render::Field> = render::message_fields(&dec)
        .into_iter()
        .filter(|f| f.key != "quirks")
        .collect();
    render::text_fields(out, 1, &fields);
}

/// What opening found, below the message's tree.
fn opened_text(out: &mut String, op: &OpenedMessage) {
    if let Some(sig) = op.signature_verified {
        let text = match sig {
            Some(true) => "verified".to_owned(),
            Some(false) => "DOES NOT VERIFY".to_owned(),
            None => "unverifiable (no CERT in the message)".to_owned(),
        };
        let _ = writeln!(out, "  Signature (key of the message's CERT): {text}");
    }
    match op.how {
        How::Null => {
            let _ = writeln!(
                out,
                "  MIKEY-NULL: KEMAC neither encrypted nor MACed (RFC 3830 §4.2.3): the keys \
                 are in the clear, protected only by the transport (RTSPS/TLS)"
            );
        }
        How::Psk | How::Pk => {
            let _ = writeln!(
                out,
                "  MAC verified with the {}: {}",
                if op.how == How::Pk {
                    "envelope key"
                } else {
                    "PSK"
                },
                if op.mac_verified { "yes" } else { "no" }
            );
        }
    }
    let _ = writeln!(
        out,
        "  Key data ({}):",
        if op.how == How::Null {
            "KEMAC, in clear"
        } else {
            "decrypted KEMAC"
        }
    );
    for k in &op.keys {
        let salt = k
            .salt
            .as_ref()
            .map(|s| format!(", salt {}", hex(s.as_bytes())));
        let mki = k.mki().map(|m| format!(", SPI/MKI {}", hex(m)));
        let _ = writeln!(
            out,
            "    {}: key {}{}{}",
            k.key_type,
            hex(k.key.as_bytes()),
            salt.unwrap_or_default(),
            mki.unwrap_or_default()
        );
    }
    let _ = writeln!(out, "  SRTP parameters:");
    srtp_text(out, "    ", &op.srtp);
}

fn deviation_json(dv: &Deviation) -> Value {
    json!({"id": dv.id, "offset": dv.offset, "rule": dv.rule, "text": dv.text})
}

/// Adds what opening found to a message's JSON object.
fn opened_json(obj: &mut Map<String, Value>, op: &Opening) {
    match op {
        Opening::Opened(op) => {
            if let Some(sig) = op.signature_verified {
                obj.insert("signature_verified".into(), sig.into());
                let text = match sig {
                    Some(true) => "verified",
                    Some(false) => "does not verify",
                    None => "unverifiable (no CERT in the message)",
                };
                obj.insert("signature".into(), text.into());
            }
            obj.insert("mikey_null".into(), (op.how == How::Null).into());
            obj.insert("mac_verified".into(), op.mac_verified.into());
            obj.insert("srtp".into(), srtp_list(&op.srtp));
        }
        Opening::Verified { answers } => {
            obj.insert("v_verified".into(), true.into());
            obj.insert("answers".into(), (*answers).into());
        }
        Opening::NotOpened { why, .. } => {
            obj.insert("not_opened".into(), why.clone().into());
        }
    }
}

/// `{"messages": [...], "errors": [...]}`.
fn json_doc(entries: &[Entry<'_>], opened: &[Option<Opening>], extra: &Extra) -> Value {
    let mut messages = Vec::new();
    let mut errors = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::Failed { source, error } => {
                errors.push(json!({"entry": i + 1, "source": source, "error": error}));
            }
            Entry::Message { source, d } => {
                let mut m = render::json_object(&render::message_fields(&decoded(source, d)));
                if let Some(obj) = m.as_object_mut() {
                    obj.insert("entry".into(), (i + 1).into());
                    obj.insert("hex".into(), hex(d.view.as_bytes()).into());
                    obj.insert(
                        "deviations".into(),
                        d.deviations.iter().map(deviation_json).collect(),
                    );
                    obj.insert("notes".into(), d.notes.clone().into());
                    obj.insert(
                        "strict_error".into(),
                        d.strict_error.as_ref().map(|e| e.to_string()).into(),
                    );
                    if let Some(Some(op)) = opened.get(i) {
                        opened_json(obj, op);
                    }
                    if let Some(Some(add)) = extra.json.get(i) {
                        obj.extend(add.clone());
                    }
                }
                messages.push(m);
            }
        }
    }
    json!({"messages": messages, "errors": errors})
}
