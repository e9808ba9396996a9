//! Diffie-Hellman with signatures (RFC 3830 §3.3): both sides sign their DH half with an
//! RSA key; each trusts the other's public key (pinned here; `ChainVerifier` checks X.509
//! chains instead). The TGK is the DH secret: perfect forward secrecy.
//!
//! `cargo run --example dh_sign`

mod common;

use common::{ALICE, ALICE_KEY, BOB, BOB_KEY};
use mikey::crypto::default_provider;
use mikey::session::{
    system_time, DhConfig, DhSignInitiator, DhSignResponder, OsEntropy, PinnedKeys, ResponderConfig,
};
use mikey::wire::{Id, KeyValidity, SrtpCs, SrtpPolicy};
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = system_time();
    let alice_key = default_provider().rsa_private_from_pem(ALICE_KEY)?;
    let bob_key = default_provider().rsa_private_from_pem(BOB_KEY)?;
    // Each side pins the other's identity to its public key (SubjectPublicKeyInfo, DER).
    let alice_trusts = PinnedKeys::new().with(BOB.as_bytes(), &bob_key.to_spki_der());
    let bob_trusts = PinnedKeys::new().with(ALICE.as_bytes(), &alice_key.to_spki_der());

    let cfg = DhConfig {
        id_i: Some(Id::uri(ALICE)),
        id_r: Some(Id::uri(BOB)),
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..DhConfig::default()
    };
    let mut alice = DhSignInitiator::new(cfg, alice_key, Arc::new(alice_trusts));
    let i_message = alice.initiate(now, &mut OsEntropy)?;
    println!("Alice -> Bob: I_MESSAGE, signed, {} bytes", i_message.len());

    let bob_cfg = ResponderConfig {
        id_r: Some(Id::uri(BOB)),
        ..ResponderConfig::default()
    };
    let mut bob = DhSignResponder::new(bob_key, Arc::new(bob_trusts), bob_cfg);
    // Bob verifies Alice's signature before any private-key operation of his own.
    let accepted = bob.handle(&i_message, now)?;
    let reply = accepted.response.ok_or("no R_MESSAGE")?;
    println!("Bob -> Alice: R_MESSAGE, signed, {} bytes", reply.len());
    alice.handle_response(&reply, now)?;

    // The same master key and salt on both sides: what the SRTP stack needs.
    common::report(&alice.srtp()?, &bob.srtp(accepted.csb_id)?)
}
