//! `mikey sdp answer --psk HEX [--json] FILE|-`: reads an offer, runs the PSK responder on
//! its MIKEY attributes (RFC 4567 §4.1.2) and prints the answer: the offer's media
//! mirrored with new ports and SSRCs, and the verification message at the level of the
//! offer's attribute.

use super::{base_session, level_name, random_u32, read_input, to_text};
use crate::args::Psk;
use crate::out::{message_json, print_json};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use mikey::sdp::offer_answer::{add_ssrc, answer_mikey, AnswerKeyMgmt};
use mikey::session::{system_time, OsEntropy, PskResponder, ResponderConfig};
use mikey::srtp::export::SrtpParams;
use sdp_types::{Attribute, Session};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Options of `mikey sdp answer`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pre-shared key the offer was made with.
    #[arg(long, value_name = "HEX", value_parser = crate::args::psk)]
    pub psk: Psk,
    /// Print one JSON document (the SDP, the verification messages, the answerer's SRTP
    /// parameters) instead of the SDP.
    #[arg(long)]
    pub json: bool,
    /// The offer: a file, or - for stdin.
    #[arg(value_name = "FILE|-")]
    pub input: String,
}

/// The answer's media: the offer's, with new ports, `rtpmap`/`fmtp` kept and one new SSRC
/// each.
fn mirror_media(offer: &Session, answer: &mut Session) -> Result<(), Failure> {
    let mut rng = OsEntropy;
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
        add_ssrc(answer, i, random_u32(&mut rng), "mikey-answerer")
            .map_err(|e| Failure::Input(e.to_string()))?;
    }
    Ok(())
}

/// `mikey sdp answer --psk HEX [--json] FILE|-`.
pub fn run(a: Args) -> Result<(), Failure> {
    let psk = a.psk;
    let text = read_input(&a.input)?;
    let offer = Session::parse(text.trim_start_matches('\u{feff}').as_bytes())
        .map_err(|e| Failure::Input(format!("the offer is not SDP: {e}")))?;
    let mut answer = base_session("answerer", &mut OsEntropy)?;
    mirror_media(&offer, &mut answer)?;
    let mut responder = PskResponder::new(psk.0, ResponderConfig::default());
    let done = answer_mikey(&offer, &mut answer, &mut responder, system_time())
        .map_err(|f| Failure::Input(f.to_string()))?;
    if done.entries.is_empty() {
        return Err(Failure::Input("the offer has no key management".into()));
    }
    let keys: Vec<Vec<SrtpParams>> = done
        .entries
        .iter()
        .map(|e| responder.srtp(e.csb_id))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::Input(format!("MIKEY: {e}")))?;
    let sdp = to_text(&answer)?;
    if a.json {
        return print_json(&json!({
            "role": "answerer",
            "sdp": sdp,
            "key_mgmt": entries_json(&done, &keys),
        }));
    }
    let mut out = String::new();
    for (e, k) in done.entries.iter().zip(&keys) {
        let _ = writeln!(
            out,
            "SRTP parameters of the answerer, {} a=key-mgmt (CSB ID {:#010x}):",
            e.level, e.csb_id
        );
        srtp_text(&mut out, "  ", k);
    }
    print(&sdp);
    eprint!("{out}");
    Ok(())
}

fn entries_json(done: &AnswerKeyMgmt, keys: &[Vec<SrtpParams>]) -> Value {
    let entries = done.entries.iter().zip(keys).map(|(e, k)| {
        json!({
            "level": level_name(e.level),
            "media": e.media,
            "csb_id": e.csb_id,
            "message": e.verification.as_deref().map(|m| message_json("answerer", "R_MESSAGE", m)),
            "srtp": srtp_list(k),
        })
    });
    Value::Array(entries.collect())
}
