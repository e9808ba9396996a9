//! MIKEY-RSA-R (RFC 4738): the responder supplies the key. Alice asks (a signed I_MESSAGE
//! with her certificate or public key); Bob chooses the TGK and sends it back encrypted to
//! Alice's public key, in a signed R_MESSAGE. Suits a server keying clients on request.
//!
//! `cargo run --example rsa_r`

mod common;

use common::{ALICE, ALICE_KEY, BOB, BOB_KEY};
use mikey::crypto::{CryptoProvider, RustCryptoProvider};
use mikey::session::{
    system_time, OsEntropy, PinnedKeys, ResponderConfig, RsaRConfig, RsaRInitiator, RsaRResponder,
};
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = system_time();
    let provider: Arc<dyn CryptoProvider> = Arc::new(RustCryptoProvider);
    let alice_key = provider.rsa_private_from_pem(ALICE_KEY)?;
    let bob_key = provider.rsa_private_from_pem(BOB_KEY)?;
    let alice_trusts = PinnedKeys::new().with(BOB.as_bytes(), &bob_key.to_spki_der());
    let bob_trusts = PinnedKeys::new().with(ALICE.as_bytes(), &alice_key.to_spki_der());

    let cfg = RsaRConfig {
        id_i: Some(Id::uri(ALICE)),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
        ..RsaRConfig::default()
    };
    let mut alice = RsaRInitiator::new(provider.clone(), alice_key, alice_trusts, cfg);
    let i_message = alice.initiate(now, &mut OsEntropy)?;
    println!(
        "Alice -> Bob: I_MESSAGE (no key yet), {} bytes",
        i_message.len()
    );

    let bob_cfg = ResponderConfig {
        id_r: Some(Id::uri(BOB)),
        ..ResponderConfig::default()
    };
    let mut bob = RsaRResponder::new(bob_key, bob_trusts, bob_cfg).with_provider(provider);
    let accepted = bob.handle(&i_message, now)?;
    let reply = accepted.response.ok_or("no R_MESSAGE")?;
    println!(
        "Bob -> Alice: R_MESSAGE with the TGK, {} bytes",
        reply.len()
    );
    let got = alice.handle_response(&reply, now)?;

    common::report(&alice.srtp()?, &bob.srtp(got.csb_id)?)
}
