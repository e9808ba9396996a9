//! `mikey demo --mode dh|dhhmac`: the Diffie-Hellman exchanges (RFC 3830 §3.3 with RSA
//! signatures, RFC 4650 DHHMAC) in one process, printed like the PSK demo: both messages,
//! both sides' SRTP parameters, one RTP packet protected and unprotected.

use crate::demo::{hex, packet_round_trip, PacketTrip};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use base64::Engine as _;
use mikey::crypto::{default_provider, RsaPrivate, SecretBytes};
use mikey::session::{
    system_time, DhConfig, DhHmacInitiator, DhHmacResponder, DhSignInitiator, DhSignResponder,
    OsEntropy, PinnedKeys, ResponderConfig, SessionError,
};
use mikey::wire::{DhGroup, Id, KeyValidity, SrtpCs, SrtpPolicy};
use serde_json::json;
use std::fmt::Write as _;
use std::sync::Arc;

const ALICE: &str = "sip:alice@example.com";
const BOB: &str = "sip:bob@example.com";

/// True when the arguments select `--mode dh` or `--mode dhhmac`.
pub fn is_dh_mode(args: &[String]) -> bool {
    args.windows(2)
        .any(|w| w[0] == "--mode" && (w[1] == "dh" || w[1] == "dhhmac"))
}

struct Opts {
    mode: String,
    psk: Option<Vec<u8>>,
    group: DhGroup,
    initiator_key: Option<String>,
    responder_key: Option<String>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Opts, Failure> {
    let mut o = Opts {
        mode: String::new(),
        psk: None,
        group: DhGroup::Oakley5,
        initiator_key: None,
        responder_key: None,
        json: false,
    };
    let mut it = args.iter();
    let value = |it: &mut std::slice::Iter<'_, String>, name: &str| {
        it.next()
            .cloned()
            .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => o.json = true,
            "--mode" => o.mode = value(&mut it, "--mode")?,
            "--psk" => {
                o.psk = Some(
                    crate::input::decode_hex(&value(&mut it, "--psk")?)
                        .ok_or_else(|| Failure::Usage("--psk is not hex".into()))?,
                )
            }
            "--group" => {
                o.group = match value(&mut it, "--group")?.as_str() {
                    "0" | "oakley5" => DhGroup::Oakley5,
                    "1" | "oakley1" => DhGroup::Oakley1,
                    "2" | "oakley2" => DhGroup::Oakley2,
                    g => return Err(Failure::Usage(format!("unknown DH group {g:?}"))),
                }
            }
            "--initiator-key" => o.initiator_key = Some(value(&mut it, "--initiator-key")?),
            "--responder-key" => o.responder_key = Some(value(&mut it, "--responder-key")?),
            other => return Err(Failure::Usage(format!("unknown demo option {other:?}"))),
        }
    }
    if o.mode == "dh" && o.psk.is_some() {
        return Err(Failure::Usage("--psk is for --mode psk and dhhmac".into()));
    }
    if o.mode == "dhhmac" && (o.initiator_key.is_some() || o.responder_key.is_some()) {
        return Err(Failure::Usage("--*-key is for --mode dh".into()));
    }
    Ok(o)
}

fn load_or_generate(path: &Option<String>) -> Result<Box<dyn RsaPrivate>, Failure> {
    let p = default_provider();
    match path {
        Some(f) => {
            let pem = std::fs::read_to_string(f)
                .map_err(|e| Failure::Input(format!("cannot read {f}: {e}")))?;
            p.rsa_private_from_pem(&pem)
                .map_err(|e| Failure::Input(format!("{f}: {e}")))
        }
        None => p
            .rsa_generate(2048)
            .map_err(|e| Failure::Input(e.to_string())),
    }
}

/// `mikey demo --mode dh|dhhmac [--psk HEX] [--group N] [--initiator-key PEM]
/// [--responder-key PEM] [--json]`.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let o = parse(args)?;
    let fail = |e: SessionError| Failure::Input(e.to_string());
    let now = system_time();
    let cfg = DhConfig {
        group: o.group,
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
        id_i: Some(Id::uri(ALICE)),
        id_r: Some(Id::uri(BOB)),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 0,
                ssrc: 0x1eaf5eed,
                roc: 0,
            },
            SrtpCs {
                policy_no: 0,
                ssrc: 0,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
        ..DhConfig::default()
    };
    let rcfg = ResponderConfig {
        local_ssrcs: vec![0x0b0b5eed],
        id_r: Some(Id::uri(BOB)),
        ..ResponderConfig::default()
    };
    let groups = vec![DhGroup::Oakley5, DhGroup::Oakley2, DhGroup::Oakley1];
    let mut extra = serde_json::Map::new();
    let (title, i_msg, r_msg, i_srtp, r_srtp) = if o.mode == "dh" {
        let alice = load_or_generate(&o.initiator_key)?;
        let bob = load_or_generate(&o.responder_key)?;
        let (alice_spki, bob_spki) = (alice.to_spki_der(), bob.to_spki_der());
        let mut initiator = DhSignInitiator::new(
            cfg,
            alice,
            Arc::new(PinnedKeys::new().with(BOB.as_bytes(), &bob_spki)),
        );
        let mut responder = DhSignResponder::new(
            bob,
            Arc::new(PinnedKeys::new().with(ALICE.as_bytes(), &alice_spki)),
            rcfg,
        )
        .with_groups(groups);
        let i_msg = initiator.initiate(now, &mut OsEntropy).map_err(fail)?;
        let a = responder.handle(&i_msg, now).map_err(|r| fail(r.error))?;
        let r_msg = a.response.clone().unwrap_or_default();
        initiator.handle_response(&r_msg, now).map_err(fail)?;
        extra.insert("initiator_public_key".into(), hex(&alice_spki).into());
        extra.insert("responder_public_key".into(), hex(&bob_spki).into());
        (
            "MIKEY Diffie-Hellman exchange with RSA signatures (RFC 3830 §3.3), RSASSA-PKCS1-v1_5/SHA-256",
            i_msg,
            r_msg,
            initiator.srtp().map_err(fail)?,
            responder.srtp(a.csb_id).map_err(fail)?,
        )
    } else {
        let psk = match &o.psk {
            Some(p) => p.clone(),
            None => {
                let mut p = vec![0u8; 32];
                rand::fill(&mut p[..]);
                p
            }
        };
        let mut initiator = DhHmacInitiator::new(&psk, cfg);
        let mut responder =
            DhHmacResponder::new(SecretBytes::from_slice(&psk), rcfg).with_groups(groups);
        let i_msg = initiator.initiate(now, &mut OsEntropy).map_err(fail)?;
        let a = responder.handle(&i_msg, now).map_err(|r| fail(r.error))?;
        let r_msg = a.response.clone().unwrap_or_default();
        initiator.handle_response(&r_msg, now).map_err(fail)?;
        extra.insert("psk".into(), hex(&psk).into());
        (
            "MIKEY HMAC-authenticated Diffie-Hellman (RFC 4650), HMAC-SHA-1-160",
            i_msg,
            r_msg,
            initiator.srtp().map_err(fail)?,
            responder.srtp(a.csb_id).map_err(fail)?,
        )
    };
    let (Some(tx), Some(rx)) = (i_srtp.first(), r_srtp.first()) else {
        return Err(Failure::Input("no SRTP parameters".into()));
    };
    let PacketTrip { rtp, srtp, back } = packet_round_trip(tx, rx)?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let group_name = o.group.name().unwrap_or("?");

    if o.json {
        let mut doc = json!({
            "mode": o.mode,
            "group": group_name,
            "messages": [
                {"from": "initiator", "type": "I_MESSAGE", "hex": hex(&i_msg), "base64": b64(&i_msg)},
                {"from": "responder", "type": "R_MESSAGE", "hex": hex(&r_msg), "base64": b64(&r_msg)},
            ],
            "initiator": {"srtp": srtp_list(&i_srtp)},
            "responder": {"srtp": srtp_list(&r_srtp)},
            "rtp": {"cs_id": tx.cs_id, "mki": tx.mki.as_deref().map(hex), "plain": hex(&rtp), "protected": hex(&srtp), "unprotected": hex(&back), "ok": back == rtp},
        });
        if let Some(m) = doc.as_object_mut() {
            m.extend(extra);
        }
        print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        return Ok(());
    }
    let mut out = String::new();
    let _ = writeln!(out, "{title}, {group_name}");
    for (k, v) in &extra {
        let _ = writeln!(out, "{k:<22} {}", v.as_str().unwrap_or_default());
    }
    let _ = writeln!(
        out,
        "\nInitiator -> Responder: I_MESSAGE ({} bytes)\n  hex    {}\n  base64 {}",
        i_msg.len(),
        hex(&i_msg),
        b64(&i_msg)
    );
    let _ = writeln!(
        out,
        "\nResponder -> Initiator: R_MESSAGE ({} bytes)\n  hex    {}\n  base64 {}",
        r_msg.len(),
        hex(&r_msg),
        b64(&r_msg)
    );
    let _ = writeln!(out, "\nInitiator SRTP parameters:");
    srtp_text(&mut out, "  ", &i_srtp);
    let _ = writeln!(out, "\nResponder SRTP parameters:");
    srtp_text(&mut out, "  ", &r_srtp);
    let _ = writeln!(
        out,
        "\nRTP packet for CS {} protected by the initiator, unprotected by the responder:",
        tx.cs_id
    );
    let _ = writeln!(out, "  RTP         {}", hex(&rtp));
    let _ = writeln!(out, "  SRTP        {}", hex(&srtp));
    let _ = writeln!(
        out,
        "  unprotected {}  ({})",
        hex(&back),
        if back == rtp {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    print(&out);
    Ok(())
}
