//! `mikey sdp offer` and `mikey sdp answer`: the SDP offer/answer exchange of RFC 4567
//! §4.1.2 with MIKEY-PSK (RFC 3830 §3.1), one side per invocation.
//!
//! * `offer [--psk HEX]`: an offer with one audio and one video media (RTP/SAVP), an
//!   `a=ssrc` line each (RFC 5576) and a session-level `a=key-mgmt:mikey` carrying a fresh
//!   PSK I_MESSAGE (verification requested, TGK, AES_CM_128_HMAC_SHA1_80 policy, two
//!   crypto sessions per media as RFC 4567 §7.1 allocates them). Without `--psk` a random
//!   16-byte PSK is made and shown on stderr.
//! * `answer --psk HEX FILE|-`: reads an offer, runs the PSK responder on its MIKEY
//!   attributes and prints the answer: the offer's media mirrored with new ports and
//!   SSRCs, and the verification message at the level of the offer's attribute.

use crate::input::{decode_hex, MAX_INPUT};
use crate::{print, Failure};
use mikey::crypto::SecretBytes;
use mikey::sdp::offer_answer::{
    add_ssrc, answer_mikey, crypto_sessions_for_offer, offer_with_mikey,
};
use mikey::sdp::KeyMgmtLevel;
use mikey::session::{
    system_time, Entropy, OsEntropy, PskConfig, PskInitiator, PskResponder, ResponderConfig,
    TransportKey,
};
use mikey::wire::SrtpPolicy;
use sdp_types::{Attribute, Media, Session};
use std::io::Read as _;

/// Options of `sdp offer` and `sdp answer`.
#[derive(Debug, Default)]
struct SdpOptions {
    psk: Option<Vec<u8>>,
    input: Option<String>,
}

fn parse_args(args: &[String], want_input: bool) -> Result<SdpOptions, Failure> {
    let mut o = SdpOptions::default();
    let mut it = args.iter();
    let mut options_done = false;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--psk" if !options_done => {
                let v = it
                    .next()
                    .ok_or_else(|| Failure::Usage("--psk needs a hex value".into()))?;
                let psk = decode_hex(v)
                    .ok_or_else(|| Failure::Usage(format!("--psk {v:?} is not hex")))?;
                o.psk = Some(psk);
            }
            "--" if !options_done => options_done = true,
            s if !options_done && s.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {s:?}")))
            }
            s if want_input && o.input.is_none() => o.input = Some(s.to_owned()),
            s => return Err(Failure::Usage(format!("unexpected argument {s:?}"))),
        }
    }
    if want_input && o.input.is_none() {
        return Err(Failure::Usage("FILE or - missing".into()));
    }
    Ok(o)
}

fn random_u32(rng: &mut impl Entropy) -> u32 {
    let mut b = [0u8; 4];
    rng.fill(&mut b);
    u32::from_be_bytes(b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn to_text(s: &Session) -> Result<String, Failure> {
    let mut out = Vec::new();
    s.write(&mut out)
        .map_err(|e| Failure::Input(format!("writing the SDP: {e}")))?;
    String::from_utf8(out).map_err(|e| Failure::Input(format!("writing the SDP: {e}")))
}

fn base_session(user: &str, rng: &mut impl Entropy) -> Result<Session, Failure> {
    let text = format!(
        "v=0\r\no={user} {} 1 IN IP4 127.0.0.1\r\ns=mikey\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n",
        random_u32(rng) >> 1
    );
    Session::parse(text.as_bytes()).map_err(|e| Failure::Input(e.to_string()))
}

/// `mikey sdp offer [--psk HEX]`.
fn offer(args: &[String]) -> Result<(), Failure> {
    let o = parse_args(args, false)?;
    let mut rng = OsEntropy;
    let psk = match o.psk {
        Some(p) => p,
        None => {
            let mut p = vec![0u8; 16];
            rng.fill(&mut p);
            eprintln!("note: generated PSK {}", hex(&p));
            p
        }
    };
    let mut s = base_session("offerer", &mut rng)?;
    let mut audio = Media::new(
        sdp_types::MediaType::Audio,
        49000,
        sdp_types::TransportProto::RtpSavp,
        "0",
    );
    audio.add_attribute_with_value("rtpmap", "0 PCMU/8000");
    let mut video = Media::new(
        sdp_types::MediaType::Video,
        51372,
        sdp_types::TransportProto::RtpSavp,
        "96",
    );
    video.add_attribute_with_value("rtpmap", "96 H264/90000");
    s.medias = vec![audio, video];
    for i in 0..2 {
        add_ssrc(&mut s, i, random_u32(&mut rng), "mikey-offerer")
            .map_err(|e| Failure::Input(e.to_string()))?;
    }
    let level = KeyMgmtLevel::Session;
    let mut initiator = PskInitiator::new(
        &psk,
        PskConfig {
            v: true,
            crypto_sessions: crypto_sessions_for_offer(&s, level, 0),
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
            ..PskConfig::default()
        },
    );
    let mut tgk = SecretBytes::zeroed(16);
    rng.fill(tgk.as_mut_bytes());
    let msg = initiator
        .initiate(
            vec![TransportKey::tgk(tgk.as_bytes())],
            system_time(),
            &mut rng,
        )
        .map_err(|e| Failure::Input(format!("MIKEY: {e}")))?;
    offer_with_mikey(&mut s, level, &msg).map_err(|e| Failure::Input(e.to_string()))?;
    print(&to_text(&s)?);
    Ok(())
}

fn read_input(arg: &str) -> Result<String, Failure> {
    let mut buf = Vec::new();
    let limit = MAX_INPUT as u64 + 1;
    let r = if arg == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(arg).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    r.map_err(|e| Failure::Input(format!("cannot read {arg}: {e}")))?;
    if buf.len() > MAX_INPUT {
        return Err(Failure::Input(format!(
            "{arg} is larger than {MAX_INPUT} bytes"
        )));
    }
    String::from_utf8(buf).map_err(|_| Failure::Input(format!("{arg} is not UTF-8 text")))
}

/// `mikey sdp answer --psk HEX FILE|-`.
fn answer(args: &[String]) -> Result<(), Failure> {
    let o = parse_args(args, true)?;
    let psk = o
        .psk
        .ok_or_else(|| Failure::Usage("sdp answer needs --psk HEX".into()))?;
    let text = read_input(o.input.as_deref().unwrap_or("-"))?;
    let offer = Session::parse(text.trim_start_matches('\u{feff}').as_bytes())
        .map_err(|e| Failure::Input(format!("the offer is not SDP: {e}")))?;
    let mut rng = OsEntropy;
    let mut answer = base_session("answerer", &mut rng)?;
    for (i, m) in offer.medias.iter().enumerate() {
        let mut media = m.clone();
        media.port = if m.port == 0 {
            0
        } else {
            m.port.wrapping_add(2).max(1)
        };
        media.connections.clear();
        media.attributes = m
            .attributes
            .iter()
            .filter(|a| matches!(a.attribute.as_str(), "rtpmap" | "fmtp"))
            .cloned()
            .collect::<Vec<Attribute>>();
        answer.medias.push(media);
        add_ssrc(&mut answer, i, random_u32(&mut rng), "mikey-answerer")
            .map_err(|e| Failure::Input(e.to_string()))?;
    }
    let mut responder = PskResponder::new(SecretBytes::from(psk), ResponderConfig::default());
    let done = answer_mikey(&offer, &mut answer, &mut responder, system_time())
        .map_err(|f| Failure::Input(f.to_string()))?;
    if done.entries.is_empty() {
        return Err(Failure::Input("the offer has no key management".into()));
    }
    print(&to_text(&answer)?);
    Ok(())
}

/// `mikey sdp offer|answer ...`.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let rest = args.get(1..).unwrap_or(&[]);
    match args.first().map(String::as_str) {
        Some("offer") => offer(rest),
        Some("answer") => answer(rest),
        Some(other) => Err(Failure::Usage(format!(
            "unknown sdp subcommand {other:?} (offer or answer)"
        ))),
        None => Err(Failure::Usage("sdp needs offer or answer".into())),
    }
}
