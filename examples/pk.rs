//! The public-key envelope method (RFC 3830 §3.2): Alice encrypts a fresh envelope key to
//! Bob's RSA public key, uses it to encrypt and MAC the TGK, and signs the message; Bob
//! verifies the signature before he decrypts anything.
//!
//! `cargo run --example pk`

mod common;

use common::{ALICE, ALICE_KEY, BOB_KEY};
use mikey::crypto::{CryptoProvider, Entropy as _, RustCryptoProvider, SecretBytes};
use mikey::session::{
    system_time, OsEntropy, PinnedKeys, PkConfig, PkInitiator, PkResponder, ResponderConfig,
    TransportKey,
};
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = system_time();
    // RustCrypto; `mikey::crypto::aws_lc::AwsLcProvider` (feature `aws-lc`) is faster.
    let provider: Arc<dyn CryptoProvider> = Arc::new(RustCryptoProvider);
    let alice_key = provider.rsa_private_from_pem(ALICE_KEY)?;
    let bob_key = provider.rsa_private_from_pem(BOB_KEY)?;
    // Alice needs Bob's public key; Bob pins Alice's identity to her public key.
    let bob_public = bob_key.public();
    let bob_trusts = PinnedKeys::new().with(ALICE.as_bytes(), &alice_key.to_spki_der());

    let cfg = PkConfig {
        v: true,
        id_i: Some(Id::uri(ALICE)),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..PkConfig::default()
    };
    let mut alice = PkInitiator::new(alice_key, bob_public, cfg);
    let mut tgk = SecretBytes::zeroed(16);
    OsEntropy.fill(tgk.as_mut_bytes());
    let key = TransportKey::tgk(tgk.as_bytes());
    let i_message = alice.initiate(vec![key], now, &mut OsEntropy)?;
    println!(
        "Alice -> Bob: I_MESSAGE (PKE, KEMAC, SIGN), {} bytes",
        i_message.len()
    );

    let mut bob =
        PkResponder::new(bob_key, bob_trusts, ResponderConfig::default()).with_provider(provider);
    let accepted = bob.handle(&i_message, now)?;
    let reply = accepted.response.ok_or("no verification message")?;
    println!("Bob -> Alice: verification message, {} bytes", reply.len());
    alice.handle_response(&reply, now)?;

    // The same master key and salt on both sides: what the SRTP stack needs.
    common::report(&alice.srtp()?, &bob.srtp(accepted.csb_id)?)
}
