//! `mikey sdp offer [--psk HEX] [--json]`: an offer with one audio and one video media
//! (RTP/SAVP), an `a=ssrc` line each (RFC 5576) and a session-level `a=key-mgmt:mikey`
//! carrying a fresh PSK I_MESSAGE (verification requested, TGK, AES_CM_128_HMAC_SHA1_80
//! policy, two crypto sessions per media as RFC 4567 §7.1 allocates them).

use super::{base_session, level_name, random_u32, to_text};
use crate::args::{psk_or_random, Psk};
use crate::out::{hex, message_json, print_json};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use mikey::crypto::SecretBytes;
use mikey::sdp::offer_answer::{add_ssrc, crypto_sessions_for_offer, offer_with_mikey};
use mikey::sdp::KeyMgmtLevel;
use mikey::session::{system_time, Entropy, OsEntropy, PskConfig, PskInitiator, TransportKey};
use mikey::wire::SrtpPolicy;
use sdp_types::{Media, MediaType, TransportProto};
use serde_json::json;

/// Options of `mikey sdp offer`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pre-shared key (a random 16-byte key, shown on stderr, when not given).
    #[arg(long, value_name = "HEX", value_parser = crate::args::psk)]
    pub psk: Option<Psk>,
    /// Print one JSON document (the SDP, the I_MESSAGE, the PSK, the offerer's SRTP
    /// parameters) instead of the SDP.
    #[arg(long)]
    pub json: bool,
}

fn media(kind: MediaType, port: u16, fmt: &str, rtpmap: &str) -> Media {
    let mut m = Media::new(kind, port, TransportProto::RtpSavp, fmt);
    m.add_attribute_with_value("rtpmap", rtpmap);
    m
}

/// `mikey sdp offer [--psk HEX] [--json]`.
pub fn run(a: Args) -> Result<(), Failure> {
    let generated = a.psk.is_none();
    let psk = psk_or_random(a.psk, 16);
    let mut rng = OsEntropy;
    let mut s = base_session("offerer", &mut rng)?;
    s.medias = vec![
        media(MediaType::Audio, 49000, "0", "0 PCMU/8000"),
        media(MediaType::Video, 51372, "96", "96 H264/90000"),
    ];
    for i in 0..2 {
        add_ssrc(&mut s, i, random_u32(&mut rng), "mikey-offerer")
            .map_err(|e| Failure::Input(e.to_string()))?;
    }
    let level = KeyMgmtLevel::Session;
    let mut initiator = PskInitiator::new(
        psk.as_bytes(),
        PskConfig {
            v: true,
            crypto_sessions: crypto_sessions_for_offer(&s, level, 0),
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
            ..PskConfig::default()
        },
    );
    let mut tgk = SecretBytes::zeroed(16);
    rng.fill(tgk.as_mut_bytes());
    let mikey_fail = |e: mikey::session::SessionError| Failure::Input(format!("MIKEY: {e}"));
    let msg = initiator
        .initiate(
            vec![TransportKey::tgk(tgk.as_bytes())],
            system_time(),
            &mut rng,
        )
        .map_err(mikey_fail)?;
    offer_with_mikey(&mut s, level, &msg).map_err(|e| Failure::Input(e.to_string()))?;
    let srtp = initiator.srtp().map_err(mikey_fail)?;
    let sdp = to_text(&s)?;
    if a.json {
        return print_json(&json!({
            "role": "offerer",
            "psk": hex(psk.as_bytes()),
            "psk_generated": generated,
            "sdp": sdp,
            "key_mgmt": [{
                "level": level_name(level),
                "message": message_json("offerer", "I_MESSAGE", &msg),
                "csb_id": initiator.bundle().map(|b| b.csb_id),
                "srtp": srtp_list(&srtp),
            }],
        }));
    }
    let mut keys = String::new();
    if generated {
        keys.push_str(&format!("note: generated PSK {}\n", hex(psk.as_bytes())));
    }
    keys.push_str(
        "SRTP parameters of the offerer (the answerer's crypto sessions take their SSRCs \
         from its verification message):\n",
    );
    srtp_text(&mut keys, "  ", &srtp);
    print(&sdp);
    eprint!("{keys}");
    Ok(())
}
