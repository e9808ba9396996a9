//! `mikey demo`: runs an initiator and a responder in one process, shows both messages,
//! both sides' SRTP parameters, and one RTP packet protected by the initiator's SRTP
//! context and unprotected by the responder's.

use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use base64::Engine as _;
use mikey::crypto::SecretBytes;
use mikey::session::{
    system_time, OsEntropy, PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey,
};
use mikey::srtp::export::SrtpParams;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use serde_json::json;
use std::fmt::Write as _;

struct Opts {
    mode: String,
    psk: Option<Vec<u8>>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Opts, Failure> {
    let mut o = Opts {
        mode: "psk".into(),
        psk: None,
        json: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => o.json = true,
            "--mode" => {
                o.mode = it
                    .next()
                    .ok_or_else(|| Failure::Usage("--mode needs a value".into()))?
                    .clone()
            }
            "--psk" => {
                let h = it
                    .next()
                    .ok_or_else(|| Failure::Usage("--psk needs a hex value".into()))?;
                o.psk = Some(
                    crate::input::decode_hex(h)
                        .ok_or_else(|| Failure::Usage("--psk is not hex".into()))?,
                );
            }
            other => return Err(Failure::Usage(format!("unknown demo option {other:?}"))),
        }
    }
    Ok(o)
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One RTP packet (version 2, PT 96) for the first crypto session.
fn rtp_packet(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 96, 0x12, 0x34, 0, 0, 0x0f, 0xa0];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"MIKEY-keyed RTP payload");
    p
}

/// An RTP packet, its SRTP form, and the packet the receiver got back.
pub(crate) struct PacketTrip {
    pub rtp: Vec<u8>,
    pub srtp: Vec<u8>,
    pub back: Vec<u8>,
}

/// Protects a packet with the sender's first parameters and unprotects it with the
/// receiver's: the proof that both sides hold the same keys.
pub(crate) fn packet_round_trip(tx: &SrtpParams, rx: &SrtpParams) -> Result<PacketTrip, Failure> {
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

/// `mikey demo [--mode psk|pk|rsa-r|dh|dhhmac|group] [--psk HEX] [--json]`.
pub fn run(args: &[String]) -> Result<(), Failure> {
    if args.windows(2).any(|w| w[0] == "--mode" && w[1] == "group") {
        return crate::group_demo::run(args);
    }
    if crate::demo_dh::is_dh_mode(args) {
        return crate::demo_dh::run(args);
    }
    if let Some(mode) = crate::demo_pk::public_key_mode(args) {
        return crate::demo_pk::run(mode, args);
    }
    let o = parse(args)?;
    if o.mode != "psk" {
        return Err(Failure::Usage(format!(
            "mode {:?} is not available in this build (available: psk, pk, rsa-r, dh, dhhmac, group)",
            o.mode
        )));
    }
    let psk = match o.psk {
        Some(p) => p,
        None => {
            let mut p = vec![0u8; 32];
            rand::fill(&mut p[..]);
            p
        }
    };
    let now = system_time();
    let cfg = PskConfig {
        v: true,
        id_i: Some(Id::uri("sip:alice@example.com")),
        id_r: Some(Id::uri("sip:bob@example.com")),
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
        ..PskConfig::default()
    };
    let mut initiator = PskInitiator::new(&psk, cfg);
    let mut tgk = [0u8; 16];
    rand::fill(&mut tgk[..]);
    let fail = |e: mikey::session::SessionError| Failure::Input(e.to_string());
    let i_msg = initiator
        .initiate(
            vec![TransportKey::tgk(&tgk).with_mki(&[0, 0, 0, 1])],
            now,
            &mut OsEntropy,
        )
        .map_err(fail)?;
    let mut responder = PskResponder::new(
        SecretBytes::from_slice(&psk),
        ResponderConfig {
            local_ssrcs: vec![0x0b0b5eed],
            id_r: Some(Id::uri("sip:bob@example.com")),
            ..ResponderConfig::default()
        },
    );
    let accepted = responder.handle(&i_msg, now).map_err(|r| fail(r.error))?;
    let r_msg = accepted
        .response
        .clone()
        .ok_or_else(|| Failure::Input("no verification message".into()))?;
    initiator.handle_response(&r_msg, now).map_err(fail)?;
    let i_srtp = initiator.srtp().map_err(fail)?;
    let r_srtp = responder.srtp(accepted.csb_id).map_err(fail)?;
    let PacketTrip { rtp, srtp, back } = packet_round_trip(&i_srtp[0], &r_srtp[0])?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);

    if o.json {
        let doc = json!({
            "mode": "psk",
            "psk": hex(&psk),
            "messages": [
                {"from": "initiator", "type": "I_MESSAGE", "hex": hex(&i_msg), "base64": b64(&i_msg)},
                {"from": "responder", "type": "R_MESSAGE", "hex": hex(&r_msg), "base64": b64(&r_msg)},
            ],
            "initiator": {"srtp": srtp_list(&i_srtp)},
            "responder": {"srtp": srtp_list(&r_srtp)},
            "rtp": {"cs_id": i_srtp[0].cs_id, "mki": i_srtp[0].mki.as_deref().map(hex), "plain": hex(&rtp), "protected": hex(&srtp), "unprotected": hex(&back), "ok": back == rtp},
        });
        print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        return Ok(());
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "MIKEY pre-shared key exchange (RFC 3830 §3.1), AES-CM-128 + HMAC-SHA-1-160, V=1"
    );
    let _ = writeln!(out, "PSK            {}", hex(&psk));
    let _ = writeln!(
        out,
        "\nInitiator -> Responder: I_MESSAGE ({} bytes)\n  hex    {}\n  base64 {}",
        i_msg.len(),
        hex(&i_msg),
        b64(&i_msg)
    );
    let _ = writeln!(
        out,
        "\nResponder -> Initiator: verification message ({} bytes)\n  hex    {}\n  base64 {}",
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
        i_srtp[0].cs_id
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
