//! `mikey demo --mode group`: a source keys a small group of receivers (RFC 3830 §8.1), the
//! last of them with a public key (§3.2: every message to it is signed by the source and
//! carries a fresh envelope key encrypted to it), the others with pre-shared keys (§3.1);
//! then one receiver joins and one leaves. Each step shows the rekey, the MKI moving
//! forward, the messages (initial with RAND or CSB update, §4.5), the acknowledgements,
//! which receiver holds which key, and one RTP packet protected by the source with the
//! current key and unprotected by every receiver (the one who left cannot).
//!
//! The RSA keys of the public-key receiver and of the source are the stored test keys
//! `testvectors/keys/rsa2048-b.pem` and `rsa2048-a.pem`, built into the binary: public
//! demonstration keys, never to be used for anything else.

use crate::out::{hex, print_json};
use crate::{print, Failure};
use mikey::crypto::{CryptoProvider, RsaPrivate, RustCryptoProvider, SecretBytes};
use mikey::session::group::{Credential, GroupConfig, GroupController, GroupEvent, MemberId};
use mikey::session::{
    system_time, Accepted, OsEntropy, PinnedKeys, PkResponder, PskResponder, Rejected,
    ResponderConfig,
};
use mikey::srtp::export::SrtpParams;
use mikey::wire::{Id, MessageView, Payload, SrtpCs, SrtpPolicy};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

const NAMES: [&str; 12] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "oscar",
];
const SSRC: u32 = 0x1eaf_5eed;
const SOURCE: &str = "sip:source@example.com";
/// Public demonstration keys (the stored test keys): the source's signing key and the
/// public-key receiver's key.
const SOURCE_KEY: &str = include_str!("../../../../testvectors/keys/rsa2048-a.pem");
const MEMBER_KEY: &str = include_str!("../../../../testvectors/keys/rsa2048-b.pem");

fn demo_key(pem: &str) -> Result<Box<dyn RsaPrivate>, Failure> {
    RustCryptoProvider
        .rsa_private_from_pem(pem)
        .map_err(|e| Failure::Input(format!("demo key: {e}")))
}

fn member_name(i: usize) -> String {
    match NAMES.get(i) {
        Some(n) => format!("{n}@example.com"),
        None => format!("rx{i:04}@example.com"),
    }
}

/// A receiver's responder: pre-shared key (RFC 3830 §3.1) or public key (§3.2).
enum Responder {
    Psk(Box<PskResponder>),
    Pk(Box<PkResponder>),
}

impl Responder {
    fn handle(&mut self, bytes: &[u8], now: core::time::Duration) -> Result<Accepted, Rejected> {
        match self {
            Self::Psk(r) => r.handle(bytes, now),
            Self::Pk(r) => r.handle(bytes, now),
        }
    }

    fn srtp(&self, csb: u32) -> Result<Vec<SrtpParams>, mikey::session::SessionError> {
        match self {
            Self::Psk(r) => r.srtp(csb),
            Self::Pk(r) => r.srtp(csb),
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Self::Psk(_) => "psk",
            Self::Pk(_) => "pk",
        }
    }
}

/// A receiver: its responder.
struct Receiver {
    responder: Responder,
    present: bool,
}

/// The MKIs of the keys a receiver's bundle holds.
fn mkis(p: &[SrtpParams]) -> Vec<u32> {
    let mut v: Vec<u32> = p
        .iter()
        .filter_map(|s| s.mki.as_deref())
        .filter_map(|m| <[u8; 4]>::try_from(m).ok().map(u32::from_be_bytes))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn rtp_packet(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0x0f, 0xa0]);
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(b"group RTP payload");
    p
}

struct Step {
    value: Value,
    text: String,
}

/// A receiver's responder settings: its identity as IDr.
fn receiver_config(id: &MemberId) -> ResponderConfig {
    ResponderConfig {
        id_r: Some(Id::nai(id.as_str())),
        ..ResponderConfig::default()
    }
}

struct Demo {
    group: GroupController,
    rx: BTreeMap<MemberId, Receiver>,
    now: core::time::Duration,
    seq: u16,
}

impl Demo {
    /// Adds receiver `id` to the group with `credential`, and its `responder`.
    fn enrol(
        &mut self,
        id: MemberId,
        credential: Credential,
        responder: Responder,
    ) -> Result<MemberId, Failure> {
        self.group
            .join(id.clone(), credential, self.now)
            .map_err(|e| Failure::Input(e.to_string()))?;
        let present = true;
        self.rx.insert(id.clone(), Receiver { responder, present });
        Ok(id)
    }

    /// Adds the public-key receiver `i` (RFC 3830 §3.2).
    fn add_pk(&mut self, i: usize) -> Result<MemberId, Failure> {
        let id = MemberId::new(member_name(i));
        let key = demo_key(MEMBER_KEY)?;
        let spki_der = key.to_spki_der();
        let trust = PinnedKeys::new().with(SOURCE.as_bytes(), &demo_key(SOURCE_KEY)?.to_spki_der());
        let provider = Arc::new(RustCryptoProvider);
        let responder = PkResponder::new(key, trust, receiver_config(&id)).with_provider(provider);
        let responder = Responder::Pk(Box::new(responder));
        self.enrol(id, Credential::PublicKey { spki_der }, responder)
    }

    /// Adds the PSK receiver `i` (RFC 3830 §3.1) with a random key.
    fn add(&mut self, i: usize) -> Result<MemberId, Failure> {
        let id = MemberId::new(member_name(i));
        let mut psk = SecretBytes::zeroed(16);
        rand::fill(psk.as_mut_bytes());
        let responder = PskResponder::new(psk.clone(), receiver_config(&id));
        let responder = Responder::Psk(Box::new(responder));
        self.enrol(id, Credential::Psk(psk), responder)
    }

    /// Rekeys (when due) and sends, delivers, collects replies; describes the result.
    fn round(&mut self, title: String) -> Result<Step, Failure> {
        let before = self.group.current_mki();
        let msgs = self.group.key_all(self.now, &mut OsEntropy).map_err(fail)?;
        let mki = self
            .group
            .current_mki()
            .ok_or_else(|| Failure::Input("no key".into()))?;
        let mut text = String::new();
        let _ = writeln!(text, "\n== {title}");
        let _ = writeln!(
            text,
            "   group key: MKI {} -> MKI {mki} (previous key kept for the switch-over: {})",
            before.map_or("-".into(), |m| m.to_string()),
            self.group
                .previous_mki()
                .map_or("none".into(), |m| format!("MKI {m}"))
        );
        let sent = self.deliver(&msgs, &mut text)?;
        let events = self.group.poll(self.now);
        let all = events.contains(&GroupEvent::AllAcknowledged { mki });
        let (acked, total) = self.group.acknowledged(mki);
        let _ = writeln!(
            text,
            "   acknowledged MKI {mki}: {acked}/{total}{}",
            if all {
                " (all: the source switches to it)"
            } else {
                ""
            }
        );
        let holders = self.holders(&mut text);
        let packet = self.packet(mki, &mut text)?;
        let srtp: Vec<Value> = self
            .group
            .srtp()
            .map_err(fail)?
            .iter()
            .map(|p| json!({"cs_id": p.cs_id, "ssrc": p.ssrc, "mki": p.mki.as_deref().map(hex), "master_key": hex(p.master_key.as_bytes()), "master_salt": hex(p.master_salt.as_bytes())}))
            .collect();
        Ok(Step {
            value: json!({
                "step": title,
                "mki": mki,
                "previous_mki": self.group.previous_mki(),
                "messages": sent,
                "acknowledged": [acked, total],
                "all_acknowledged": all,
                "holders": holders,
                "source_srtp": srtp,
                "packet": packet,
            }),
            text,
        })
    }

    /// Hands each message to its receiver and each verification message back to the
    /// source; one line and one JSON object per message.
    fn deliver(
        &mut self,
        msgs: &[(MemberId, Vec<u8>)],
        text: &mut String,
    ) -> Result<Vec<Value>, Failure> {
        let mut sent = Vec::new();
        for (id, bytes) in msgs {
            let initial = MessageView::parse(bytes)
                .map(|v| v.payloads().any(|p| matches!(p, Payload::Rand(_))))
                .unwrap_or(false);
            let kind = if initial { "initial (RAND)" } else { "update" };
            let r = self
                .rx
                .get_mut(id)
                .ok_or_else(|| Failure::Input(format!("message for unknown {id}")))?;
            let method = r.responder.method();
            let accepted = r
                .responder
                .handle(bytes, self.now)
                .map_err(|e| Failure::Input(format!("{id} rejected its key: {}", e.error)))?;
            let reply = accepted
                .response
                .ok_or_else(|| Failure::Input("no verification message".into()))?;
            self.group
                .handle_reply_any(&reply, self.now)
                .map_err(fail)?;
            let _ = writeln!(
                text,
                "   -> {id:<24} {:<3} {kind:<15} {:>4} bytes, verified",
                method.to_uppercase(),
                bytes.len()
            );
            sent.push(json!({"to": id.as_str(), "method": method, "kind": if initial {"initial"} else {"update"}, "bytes": bytes.len(), "hex": hex(bytes), "verified": true}));
        }
        Ok(sent)
    }

    /// Who holds what, from the receivers' own bundles.
    fn holders(&self, text: &mut String) -> serde_json::Map<String, Value> {
        let csb = self.group.csb_id();
        let mut holders = serde_json::Map::new();
        let _ = writeln!(text, "   keys held:");
        for (id, r) in &self.rx {
            let held = r.responder.srtp(csb).map(|p| mkis(&p)).unwrap_or_default();
            let _ = writeln!(
                text,
                "     {id:<24} {}{}",
                if held.is_empty() {
                    "-".to_string()
                } else {
                    held.iter()
                        .map(|m| format!("MKI {m}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                if r.present { "" } else { "   (left the group)" }
            );
            holders.insert(id.to_string(), json!({"mkis": held, "member": r.present}));
        }
        holders
    }

    /// One packet with the current key: every member opens it, a departed one cannot.
    fn packet(&mut self, mki: u32, text: &mut String) -> Result<Value, Failure> {
        let csb = self.group.csb_id();
        let source = self.group.srtp_for(mki).map_err(fail)?;
        let srtp_fail = |e: mikey::srtp::SrtpError| Failure::Input(format!("SRTP: {e}"));
        let mut tx = source[0].context().map_err(srtp_fail)?;
        self.seq = self.seq.wrapping_add(1);
        let pkt = rtp_packet(self.seq);
        let prot = tx.protect_rtp(&pkt).map_err(srtp_fail)?;
        let (mut ok, mut rejected) = (Vec::new(), Vec::new());
        for (id, r) in &self.rx {
            let opened = r
                .responder
                .srtp(csb)
                .ok()
                .and_then(|p| {
                    p.into_iter()
                        .find(|s| s.cs_id == 1 && s.mki.as_deref() == Some(&mki.to_be_bytes()[..]))
                })
                .and_then(|p| p.context().ok())
                .and_then(|mut c| c.unprotect_rtp(&prot).ok())
                .is_some_and(|b| b == pkt);
            if opened {
                ok.push(id.as_str());
            } else {
                rejected.push(id.as_str());
            }
        }
        let _ = writeln!(
            text,
            "   RTP packet with MKI {mki}: opened by {}/{} receivers{}",
            ok.len(),
            self.rx.values().filter(|r| r.present).count(),
            if rejected.is_empty() {
                String::new()
            } else {
                format!("; not by {}", rejected.join(", "))
            }
        );
        Ok(json!({"mki": mki, "protected": hex(&prot), "opened_by": ok, "not_opened_by": rejected}))
    }
}

/// A group controller's error as the demo's failure.
fn fail(e: mikey::session::GroupError) -> Failure {
    Failure::Input(e.to_string())
}

/// `mikey demo --mode group [--members N] [--json]`: `members` receivers (at least 2).
pub fn run(members: usize, json: bool) -> Result<(), Failure> {
    let cfg = GroupConfig {
        id_i: Some(Id::uri(SOURCE)),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: SSRC,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..GroupConfig::default()
    };
    let group = GroupController::new(cfg, &mut OsEntropy)
        .map_err(|e| Failure::Input(e.to_string()))?
        .with_signing_key(
            Arc::new(RustCryptoProvider),
            Arc::from(demo_key(SOURCE_KEY)?),
            Vec::new(),
        );
    let mut d = Demo {
        group,
        rx: BTreeMap::new(),
        now: system_time(),
        seq: 0,
    };
    // The last receiver has a public key, the others pre-shared keys.
    for i in 0..members - 1 {
        d.add(i)?;
    }
    d.add_pk(members - 1)?;
    let mut steps = vec![d.round(format!("{} receivers join: first group key", members))?];
    d.now += core::time::Duration::from_secs(10);
    let newcomer = d.add(members)?;
    steps.push(d.round(format!("{newcomer} joins: new key (backward secrecy)"))?);
    d.now += core::time::Duration::from_secs(10);
    let leaving = MemberId::new(member_name(1));
    d.group
        .leave(&leaving, d.now)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if let Some(r) = d.rx.get_mut(&leaving) {
        r.present = false;
    }
    steps.push(d.round(format!("{leaving} leaves: new key (forward secrecy)"))?);

    if json {
        let doc = json!({
            "mode": "group",
            "csb_id": d.group.csb_id(),
            "rand": hex(d.group.rand()),
            "members": d.group.members().map(|m| m.as_str()).collect::<Vec<_>>(),
            "steps": steps.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
        });
        return print_json(&doc);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "MIKEY group keying (RFC 3830 §8.1): one source, PSK receivers and one public-key receiver (RSA-2048, demo test keys), AES-CM-128 + HMAC-SHA-1-160, V=1"
    );
    let _ = writeln!(
        out,
        "CSB ID {:#010x}, RAND {} (the same for every receiver, §6.11)",
        d.group.csb_id(),
        hex(d.group.rand())
    );
    for s in &steps {
        out.push_str(&s.text);
    }
    print(&out);
    Ok(())
}
