//! `mikey sdp offer` and `mikey sdp answer`: the SDP offer/answer exchange of RFC 4567
//! §4.1.2 with MIKEY-PSK (RFC 3830 §3.1), one side per invocation. Each prints the SDP on
//! stdout and its side's SRTP parameters on stderr, or everything as one JSON document
//! with `--json`.

mod answer;
mod offer;

use crate::input::MAX_INPUT;
use crate::Failure;
use mikey::session::Entropy;
use sdp_types::Session;
use std::io::Read as _;

/// The `sdp` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print an SDP offer (audio and video, RTP/SAVP, a=ssrc each) with a session-level
    /// a=key-mgmt:mikey carrying a fresh PSK I_MESSAGE.
    Offer(offer::Args),
    /// Read an offer, run the PSK responder on its MIKEY attributes and print the answer
    /// with new SSRCs and the verification message; a rejected offer is an error
    /// ("488 Not Acceptable Here: ...").
    Answer(answer::Args),
}

/// `mikey sdp offer|answer ...`.
pub fn run(c: Command) -> Result<(), Failure> {
    match c {
        Command::Offer(a) => offer::run(a),
        Command::Answer(a) => answer::run(a),
    }
}

/// Where an `a=key-mgmt` attribute is, for JSON: `"session"` or `"media N"` (0-based).
fn level_name(level: mikey::sdp::KeyMgmtLevel) -> String {
    match level {
        mikey::sdp::KeyMgmtLevel::Session => "session".into(),
        mikey::sdp::KeyMgmtLevel::Media(i) => format!("media {i}"),
    }
}

fn random_u32(rng: &mut impl Entropy) -> u32 {
    let mut b = [0u8; 4];
    rng.fill(&mut b);
    u32::from_be_bytes(b)
}

fn to_text(s: &Session) -> Result<String, Failure> {
    let mut out = Vec::new();
    s.write(&mut out)
        .map_err(|e| Failure::Input(format!("writing the SDP: {e}")))?;
    String::from_utf8(out).map_err(|e| Failure::Input(format!("writing the SDP: {e}")))
}

/// A session description without media, for `user` at 127.0.0.1.
fn base_session(user: &str, rng: &mut impl Entropy) -> Result<Session, Failure> {
    let text = format!(
        "v=0\r\no={user} {} 1 IN IP4 127.0.0.1\r\ns=mikey\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n",
        random_u32(rng) >> 1
    );
    Session::parse(text.as_bytes()).map_err(|e| Failure::Input(e.to_string()))
}

/// Reads FILE or `-` (stdin) as UTF-8 text, at most [`MAX_INPUT`] bytes.
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
