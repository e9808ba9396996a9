//! `mikey demo --mode sakke`: a group management server (TS 33.180) at one KMS keys N
//! members of two KMSs with a GMK (one I_MESSAGE each, received by a `SakkeResponder`),
//! a member joins and gets the current GMK, one leaves and the rest get a new GMK; after
//! each step one member sends an RTP packet with its group media keys (TS 33.180 7.4.2)
//! and every member opens it, but the one that left cannot open what follows.

use crate::out::{base64, hex, print_json};
use crate::{print, Failure};
use mikey::crypto::OsEntropy;
use mikey::mcx::gms::{GroupManagementServer, KeyingMessage, Member};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::KeyPeriod;
use mikey::session::sakke::SakkeResponder;
use mikey::session::ResponderConfig;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

fn fail(e: impl std::fmt::Display) -> Failure {
    Failure::Input(e.to_string())
}

/// A member: its responder and the CSB ID (its GUK-ID) of the GMK it holds.
struct Receiver {
    responder: SakkeResponder,
    csb: Option<u32>,
}

struct World {
    trust: KmsTrust,
    kmss: [Kms; 2],
    no: u64,
    now: Duration,
}

impl World {
    fn member(&self, i: usize) -> Result<(Member, Receiver), Failure> {
        let kms = &self.kmss[i % 2];
        let domain = ["a.example.org", "b.example.org"][i % 2];
        let uri = format!("sip:member{i}@{domain}");
        let set = kms.provision(&uri, self.no, &mut OsEntropy).map_err(fail)?;
        let keys = UserKeys::load(&kms.certificate(), &set).map_err(fail)?;
        let m = Member {
            uri,
            kms_uri: kms.uri().into(),
            period_no: self.no,
        };
        let responder = SakkeResponder::new(keys, self.trust.clone(), ResponderConfig::default());
        Ok((
            m,
            Receiver {
                responder,
                csb: None,
            },
        ))
    }
}

/// An RTP packet (version 2, PT 0, sequence `seq`, SSRC `ssrc`, 20 octets of payload).
fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&160u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"group media payload!");
    p
}

/// Delivers `msgs` to their members' responders.
fn deliver(
    msgs: &[KeyingMessage],
    rx: &mut BTreeMap<String, Receiver>,
    now: Duration,
) -> Result<Vec<Value>, Failure> {
    let mut out = vec![];
    for m in msgs {
        let r = rx
            .get_mut(&m.member_uri)
            .ok_or_else(|| fail("no such member"))?;
        let ok = r
            .responder
            .handle(&m.bytes, now)
            .map_err(|e| fail(format!("{}: {}", m.member_uri, e.error)))?;
        r.csb = Some(ok.csb_id);
        out.push(json!({"to": m.member_uri, "csb_id": format!("{:08x}", ok.csb_id), "bytes": m.bytes.len(), "base64": base64(&m.bytes)}));
    }
    Ok(out)
}

/// The first member sends a packet; who can open it.
fn media(rx: &BTreeMap<String, Receiver>, members: &[String], seq: u16) -> Result<Value, Failure> {
    let sender = &members[0];
    let s = &rx[sender];
    let csb = s.csb.ok_or_else(|| fail("sender not keyed"))?;
    let own = s.responder.media(csb, sender, 0).map_err(fail)?;
    let packet = rtp(seq, 0x5a5a_0000 + u32::from(seq));
    let srtp = own
        .context()
        .map_err(fail)?
        .protect_rtp(&packet)
        .map_err(fail)?;
    let (mut opened, mut refused) = (vec![], vec![]);
    for (uri, r) in rx {
        if uri == sender {
            continue;
        }
        let got = r
            .csb
            .and_then(|c| r.responder.media(c, sender, 0).ok())
            .and_then(|p| p.context().ok()?.unprotect_rtp(&srtp).ok());
        match got {
            Some(p) if p == packet => opened.push(uri.clone()),
            _ => refused.push(uri.clone()),
        }
    }
    Ok(
        json!({"sender": sender, "mki": own.mki.as_deref().map(hex), "srtp_bytes": srtp.len(), "opened_by": opened, "refused_by": refused}),
    )
}

/// `mikey demo --mode sakke --members N`.
pub fn run(n: usize, as_json: bool) -> Result<(), Failure> {
    let now = mikey::session::system_time();
    let period = KeyPeriod {
        length: 2_592_000,
        offset: 0,
    };
    let a = Kms::generate("kms-a.example.org", period, &mut OsEntropy).map_err(fail)?;
    let b = Kms::generate("kms-b.example.org", period, &mut OsEntropy).map_err(fail)?;
    let mut trust = KmsTrust::new();
    trust.add(a.certificate()).map_err(fail)?;
    trust.add(b.certificate()).map_err(fail)?;
    let no = period.number_at(now).map_err(fail)?;
    let gms_keys = UserKeys::load(
        &a.certificate(),
        &a.provision("sip:gms@a.example.org", no, &mut OsEntropy)
            .map_err(fail)?,
    )
    .map_err(fail)?;
    let w = World {
        trust: trust.clone(),
        kmss: [a, b],
        no,
        now,
    };
    let mut gms = GroupManagementServer::new(gms_keys, trust, &mut OsEntropy).map_err(fail)?;
    let mut rx = BTreeMap::new();
    let mut order = vec![];
    let mut steps = vec![];
    // 1. N members keyed.
    let mut msgs = vec![];
    for i in 0..n {
        let (m, r) = w.member(i)?;
        order.push(m.uri.clone());
        rx.insert(m.uri.clone(), r);
        msgs.push(gms.join(m, w.now, &mut OsEntropy).map_err(fail)?);
    }
    let gmk_id = |g: &GroupManagementServer| format!("{:08x}", g.gmk().key_id().value());
    let delivered = deliver(&msgs, &mut rx, w.now)?;
    steps.push(json!({"step": "key", "gmk_id": gmk_id(&gms), "messages": delivered, "media": media(&rx, &order, 1)?}));
    // 2. One joins: the current GMK.
    let (m, r) = w.member(n)?;
    order.push(m.uri.clone());
    rx.insert(m.uri.clone(), r);
    let msg = gms.join(m, w.now, &mut OsEntropy).map_err(fail)?;
    let delivered = deliver(&[msg], &mut rx, w.now)?;
    steps.push(json!({"step": "join", "member": order[n], "gmk_id": gmk_id(&gms), "messages": delivered, "media": media(&rx, &order, 2)?}));
    // 3. One leaves (the second): a new GMK to the others.
    let gone = order.remove(1);
    let msgs = gms.leave(&gone, w.now, &mut OsEntropy).map_err(fail)?;
    let delivered = deliver(&msgs, &mut rx, w.now)?;
    steps.push(json!({"step": "leave", "member": gone, "gmk_id": gmk_id(&gms), "messages": delivered, "media": media(&rx, &order, 3)?}));
    let doc = json!({
        "mode": "sakke",
        "kms": ["kms-a.example.org", "kms-b.example.org"],
        "gms": "sip:gms@a.example.org",
        "steps": steps,
    });
    if as_json {
        return print_json(&doc);
    }
    print(&text(&doc));
    Ok(())
}

fn text(doc: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "MIKEY-SAKKE group keying: GMS {} at kms-a.example.org, members at kms-a and kms-b",
        doc["gms"].as_str().unwrap_or_default()
    );
    for s in doc["steps"].as_array().into_iter().flatten() {
        let heading = [s["step"].as_str(), s["member"].as_str()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "\n{heading}: GMK-ID {}",
            s["gmk_id"].as_str().unwrap_or_default()
        );
        for m in s["messages"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  I_MESSAGE to {} ({} bytes), CSB ID (GUK-ID) {}",
                m["to"].as_str().unwrap_or_default(),
                m["bytes"],
                m["csb_id"].as_str().unwrap_or_default()
            );
        }
        let md = &s["media"];
        let list = |k: &str| -> String {
            let v: Vec<&str> = md[k]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if v.is_empty() {
                "nobody".into()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(
            out,
            "  SRTP from {} (MKI {}): opened by {}; refused by {}",
            md["sender"].as_str().unwrap_or_default(),
            md["mki"].as_str().unwrap_or_default(),
            list("opened_by"),
            list("refused_by")
        );
    }
    out
}
