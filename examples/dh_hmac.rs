//! HMAC-authenticated Diffie-Hellman, DHHMAC (RFC 4650): a DH exchange whose messages are
//! MACed with a pre-shared key. Unlike the PSK mode, the TGK comes from the DH exchange,
//! so a later leak of the PSK does not reveal it (perfect forward secrecy).
//!
//! `cargo run --example dh_hmac`

mod common;

use common::{ALICE, BOB};

use mikey::crypto::SecretBytes;
use mikey::session::{
    system_time, DhConfig, DhHmacInitiator, DhHmacResponder, OsEntropy, ResponderConfig,
};
use mikey::wire::{DhGroup, Id, KeyValidity, SrtpCs, SrtpPolicy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let psk = SecretBytes::from_slice(&[0x42; 16]);
    let now = system_time();

    // Alice names herself and Bob (RFC 4650 §3: IDi and IDr are part of every message),
    // offers OAKLEY group 5 (1536-bit MODP) and two streams: hers (SSRC 0x1234) and Bob's,
    // whose SSRC (0) Bob fills in. The SPI names the TGK as the SRTP MKI.
    let cs = |ssrc| SrtpCs {
        policy_no: 0,
        ssrc,
        roc: 0,
    };
    let cfg = DhConfig {
        id_i: Some(Id::uri(ALICE)),
        id_r: Some(Id::uri(BOB)),
        group: DhGroup::Oakley5,
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
        crypto_sessions: vec![cs(0x1234), cs(0)],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..DhConfig::default()
    };
    let mut alice = DhHmacInitiator::new(psk.as_bytes(), cfg);
    let i_message = alice.initiate(now, &mut OsEntropy)?;
    println!(
        "Alice -> Bob: I_MESSAGE with g^x, {} bytes",
        i_message.len()
    );

    let bob_cfg = ResponderConfig {
        id_r: Some(Id::uri(BOB)),
        local_ssrcs: vec![0x5678],
        ..ResponderConfig::default()
    };
    let mut bob = DhHmacResponder::new(psk, bob_cfg);
    let accepted = bob.handle(&i_message, now)?;
    let reply = accepted.response.ok_or("no R_MESSAGE")?;
    println!("Bob -> Alice: R_MESSAGE with g^y, {} bytes", reply.len());
    alice.handle_response(&reply, now)?;

    let (a, b) = (alice.srtp()?, bob.srtp(accepted.csb_id)?);
    // Alice sends on CS 1 (below), Bob on CS 2.
    common::report(&a, &b)?;
    match (b.get(1), a.get(1)) {
        (Some(tx), Some(rx)) => common::send_one_packet(tx, rx),
        _ => Err("no crypto session for Bob's stream".into()),
    }
}
