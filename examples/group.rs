//! Group keying (RFC 3830 §8.1): one source keys every receiver of a multicast stream with
//! the same TGK, one PSK exchange per receiver (public-key receivers work the same way,
//! with `Credential::PublicKey`). A leave triggers a new key, with the next MKI, that the
//! receiver who left never gets.
//!
//! `cargo run --example group`

mod common;

use core::time::Duration;
use mikey::crypto::{Entropy as _, SecretBytes};
use mikey::session::group::{Credential, GroupConfig, GroupController, MemberId};
use mikey::session::{system_time, OsEntropy, PskResponder, ResponderConfig};
use mikey::srtp::export::SrtpParams;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::collections::BTreeMap;
use std::error::Error;

/// The SRTP parameters of key `mki` among a receiver's keys.
fn with_mki(params: Vec<SrtpParams>, mki: u32) -> Option<SrtpParams> {
    let mki = mki.to_be_bytes();
    params
        .into_iter()
        .find(|p| p.mki.as_deref() == Some(&mki[..]))
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut now = system_time();
    let cfg = GroupConfig {
        id_i: Some(Id::uri("sip:source@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..GroupConfig::default()
    };
    let mut source = GroupController::new(cfg, &mut OsEntropy)?;

    // Three receivers, each with its own pre-shared key.
    let mut receivers = BTreeMap::new();
    for name in ["alice@example.com", "bob@example.com", "carol@example.com"] {
        let mut psk = SecretBytes::zeroed(16);
        OsEntropy.fill(psk.as_mut_bytes());
        source.join(MemberId::new(name), Credential::Psk(psk.clone()), now)?;
        let cfg = ResponderConfig {
            id_r: Some(Id::nai(name)),
            ..ResponderConfig::default()
        };
        receivers.insert(MemberId::new(name), PskResponder::new(psk, cfg));
    }

    key_everybody(&mut source, &mut receivers, now, "three receivers join")?;
    now += Duration::from_secs(10);
    source.leave(&MemberId::new("bob@example.com"), now)?;
    key_everybody(&mut source, &mut receivers, now, "bob leaves")
}

/// Sends the current group key (a new one when a join or leave made it due) to every
/// member, collects the verification messages, then protects one packet with it and shows
/// which receivers can read it.
fn key_everybody(
    source: &mut GroupController,
    receivers: &mut BTreeMap<MemberId, PskResponder>,
    now: Duration,
    title: &str,
) -> Result<(), Box<dyn Error>> {
    let messages = source.key_all(now, &mut OsEntropy)?;
    let mki = source.current_mki().ok_or("no group key")?;
    println!("{title}: key MKI {mki}, {} messages", messages.len());
    for (member, message) in messages {
        let rx = receivers.get_mut(&member).ok_or("unknown member")?;
        let accepted = rx.handle(&message, now)?;
        source.handle_reply_any(&accepted.response.ok_or("no reply")?, now)?;
    }
    let (acked, of) = source.acknowledged(mki);
    println!("  acknowledged by {acked} of {of}");

    let tx = with_mki(source.srtp()?, mki).ok_or("no SRTP parameters")?;
    for (member, rx) in receivers.iter() {
        match rx.srtp(source.csb_id()).ok().and_then(|p| with_mki(p, mki)) {
            Some(rx) => {
                print!("  {member}: ");
                common::send_one_packet(&tx, &rx)?;
            }
            None => println!("  {member}: does not hold MKI {mki}"),
        }
    }
    Ok(())
}
