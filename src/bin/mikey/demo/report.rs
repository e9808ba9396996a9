//! What a two-party demo shows: both messages, both sides' SRTP parameters, and one RTP
//! packet protected with the initiator's keys and unprotected with the responder's, as
//! text or as one JSON document.

use crate::out::{hex, message_json, message_text, print_json};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use mikey::srtp::export::SrtpParams;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// The SSRC of the initiator's stream in every demo (RFC 3550 §8: any value).
pub const INITIATOR_SSRC: u32 = 0x1eaf_5eed;
/// The SSRC the responder fills into the crypto sessions left at 0.
pub const RESPONDER_SSRC: u32 = 0x0b0b_5eed;
/// The initiator's identity (IDi).
pub const ALICE: &str = "sip:alice@example.com";
/// The responder's identity (IDr).
pub const BOB: &str = "sip:bob@example.com";

/// A fact shown above the messages: a JSON key, a text label and its value.
pub struct Fact {
    /// The JSON key.
    pub key: &'static str,
    /// The text label.
    pub label: &'static str,
    /// The value.
    pub value: String,
}

/// A finished exchange.
pub struct Exchange {
    /// `--mode` (JSON `mode`).
    pub mode: String,
    /// The first text line: which exchange, which algorithms.
    pub title: String,
    /// Settings worth showing (PSK, group, provider, keys).
    pub facts: Vec<Fact>,
    /// The initiator's message.
    pub i_msg: Vec<u8>,
    /// The responder's message.
    pub r_msg: Vec<u8>,
    /// What the responder's message is called in text ("verification message", "R_MESSAGE").
    pub r_kind: &'static str,
    /// The initiator's SRTP parameters.
    pub i_srtp: Vec<SrtpParams>,
    /// The responder's SRTP parameters.
    pub r_srtp: Vec<SrtpParams>,
}

/// One RTP packet (version 2, PT 96) from `ssrc`.
fn rtp_packet(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 96, 0x12, 0x34, 0, 0, 0x0f, 0xa0];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"MIKEY-keyed RTP payload");
    p
}

/// An RTP packet, its SRTP form, and the packet the receiver got back.
struct PacketTrip {
    rtp: Vec<u8>,
    srtp: Vec<u8>,
    back: Vec<u8>,
}

/// Protects a packet with the sender's parameters and unprotects it with the receiver's:
/// the proof that both sides hold the same keys.
fn packet_round_trip(tx: &SrtpParams, rx: &SrtpParams) -> Result<PacketTrip, Failure> {
    let fail = |e: mikey::srtp::SrtpError| Failure::Input(format!("SRTP: {e}"));
    let mut send = tx.context().map_err(fail)?;
    let mut recv = rx.context().map_err(fail)?;
    let rtp = rtp_packet(tx.ssrc);
    let srtp = send.protect_rtp(&rtp).map_err(fail)?;
    let back = recv.unprotect_rtp(&srtp).map_err(fail)?;
    if back != rtp {
        return Err(Failure::Input("unprotected packet differs".into()));
    }
    Ok(PacketTrip { rtp, srtp, back })
}

impl Exchange {
    /// An exchange of mode `mode` before it ran: no messages, no keys, no facts yet.
    pub fn new(mode: &str, title: &str, r_kind: &'static str) -> Exchange {
        Exchange {
            mode: mode.into(),
            title: title.into(),
            facts: Vec::new(),
            i_msg: Vec::new(),
            r_msg: Vec::new(),
            r_kind,
            i_srtp: Vec::new(),
            r_srtp: Vec::new(),
        }
    }

    /// Adds a fact shown above the messages.
    pub fn fact(&mut self, key: &'static str, label: &'static str, value: String) {
        self.facts.push(Fact { key, label, value });
    }

    /// Runs the packet round trip and prints everything, as JSON when `json`.
    pub fn print(&self, json: bool) -> Result<(), Failure> {
        let (Some(tx), Some(rx)) = (self.i_srtp.first(), self.r_srtp.first()) else {
            return Err(Failure::Input("no SRTP parameters".into()));
        };
        let trip = packet_round_trip(tx, rx)?;
        if json {
            print_json(&self.json(tx, &trip))
        } else {
            print(&self.text(tx, &trip));
            Ok(())
        }
    }

    fn json(&self, tx: &SrtpParams, t: &PacketTrip) -> Value {
        let mut doc = Map::new();
        doc.insert("mode".into(), self.mode.clone().into());
        for f in &self.facts {
            doc.insert(f.key.into(), f.value.clone().into());
        }
        doc.insert(
            "messages".into(),
            json!([
                message_json("initiator", "I_MESSAGE", &self.i_msg),
                message_json("responder", "R_MESSAGE", &self.r_msg),
            ]),
        );
        doc.insert("initiator".into(), json!({"srtp": srtp_list(&self.i_srtp)}));
        doc.insert("responder".into(), json!({"srtp": srtp_list(&self.r_srtp)}));
        doc.insert(
            "rtp".into(),
            json!({
                "cs_id": tx.cs_id,
                "mki": tx.mki.as_deref().map(hex),
                "plain": hex(&t.rtp),
                "protected": hex(&t.srtp),
                "unprotected": hex(&t.back),
                "ok": t.back == t.rtp,
            }),
        );
        Value::Object(doc)
    }

    fn text(&self, tx: &SrtpParams, t: &PacketTrip) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        for f in &self.facts {
            let _ = writeln!(out, "{:<14} {}", f.label, f.value);
        }
        message_text(&mut out, "Initiator -> Responder: I_MESSAGE", &self.i_msg);
        let heading = format!("Responder -> Initiator: {}", self.r_kind);
        message_text(&mut out, &heading, &self.r_msg);
        let _ = writeln!(out, "\nInitiator SRTP parameters:");
        srtp_text(&mut out, "  ", &self.i_srtp);
        let _ = writeln!(out, "\nResponder SRTP parameters:");
        srtp_text(&mut out, "  ", &self.r_srtp);
        let _ = writeln!(
            out,
            "\nRTP packet for CS {} protected by the initiator, unprotected by the responder:",
            tx.cs_id
        );
        let _ = writeln!(out, "  RTP         {}", hex(&t.rtp));
        let _ = writeln!(out, "  SRTP        {}", hex(&t.srtp));
        let same = if t.back == t.rtp {
            "identical"
        } else {
            "DIFFERENT"
        };
        let _ = writeln!(out, "  unprotected {}  ({same})", hex(&t.back));
        out
    }
}

/// The crypto sessions of the demos (RFC 3830 §6.1.1, SRTP-ID map): the initiator's
/// stream, and with `answer` one for the responder's stream, whose SSRC (left 0) the
/// responder fills in.
pub fn crypto_sessions(answer: bool) -> Vec<mikey::wire::SrtpCs> {
    let cs = |ssrc| mikey::wire::SrtpCs {
        policy_no: 0,
        ssrc,
        roc: 0,
    };
    let mut v = vec![cs(INITIATOR_SSRC)];
    if answer {
        v.push(cs(0));
    }
    v
}

/// The one security policy of the demos: AES_CM_128_HMAC_SHA1_80 (RFC 3830 §6.10.1).
pub fn policies() -> Result<Vec<mikey::wire::SecurityPolicy<'static>>, Failure> {
    Ok(vec![
        mikey::wire::SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?
    ])
}
