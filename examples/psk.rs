//! MIKEY with a pre-shared key (RFC 3830 §3.1). Alice sends an I_MESSAGE carrying a TGK,
//! encrypted and MACed with keys derived from the PSK; Bob checks it and answers with a
//! verification message; both then derive the same SRTP master keys.
//!
//! `cargo run --example psk`

mod common;

use mikey::crypto::{Entropy, SecretBytes};
use mikey::session::{
    system_time, OsEntropy, PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey,
};
use mikey::wire::{SrtpCs, SrtpPolicy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Shared out of band (provisioned, or handed out by a key server).
    let psk = SecretBytes::from_slice(&[0x42; 16]);
    let now = system_time();

    // Alice keys one SRTP stream (SSRC 0x1234) with AES_CM_128_HMAC_SHA1_80 and asks for a
    // verification message (V=1).
    let cfg = PskConfig {
        v: true,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..PskConfig::default()
    };
    let mut alice = PskInitiator::new(psk.as_bytes(), cfg);
    let mut tgk = SecretBytes::zeroed(16);
    OsEntropy.fill(tgk.as_mut_bytes());
    let key = TransportKey::tgk(tgk.as_bytes()).with_mki(&[0, 0, 0, 1]);
    let i_message = alice.initiate(vec![key], now, &mut OsEntropy)?;
    println!("Alice -> Bob: I_MESSAGE, {} bytes", i_message.len());

    // Bob checks timestamp, replay and MAC before he decrypts anything.
    let mut bob = PskResponder::new(psk, ResponderConfig::default());
    let accepted = bob.handle(&i_message, now)?;
    let reply = accepted.response.ok_or("no verification message")?;
    println!("Bob -> Alice: verification message, {} bytes", reply.len());
    alice.handle_response(&reply, now)?;

    // The same master key and salt on both sides: what the SRTP stack needs.
    common::report(&alice.srtp()?, &bob.srtp(accepted.csb_id)?)
}
