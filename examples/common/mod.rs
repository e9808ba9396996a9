//! Output shared by the examples: the SRTP parameters a side ended up with, and one RTP
//! packet protected by one side and unprotected by the other (what an SRTP stack does with
//! the keys MIKEY delivered).
#![allow(dead_code)] // each example uses part of it

use mikey::srtp::export::SrtpParams;
use std::error::Error;

/// Alice's identity (IDi) in the examples.
pub const ALICE: &str = "sip:alice@example.com";
/// Bob's identity (IDr).
pub const BOB: &str = "sip:bob@example.com";
/// Alice's RSA key: the repository's public test key (testvectors/keys/README.md). Real
/// keys come from your key store.
pub const ALICE_KEY: &str = include_str!("../../testvectors/keys/rsa2048-a.pem");
/// Bob's RSA key (a public test key as well).
pub const BOB_KEY: &str = include_str!("../../testvectors/keys/rsa2048-b.pem");

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Prints one side's SRTP parameters, one line per crypto session and key.
pub fn show(side: &str, params: &[SrtpParams]) {
    println!("{side}:");
    for p in params {
        println!(
            "  CS {} SSRC {:#010x} {} key {} salt {} MKI {}",
            p.cs_id,
            p.ssrc,
            p.suite,
            hex(p.master_key.as_bytes()),
            hex(p.master_salt.as_bytes()),
            p.mki.as_deref().map_or("none".into(), hex),
        );
    }
}

/// Protects one RTP packet with the sender's parameters and unprotects it with the
/// receiver's; an error when the receiver does not get the packet back.
pub fn send_one_packet(tx: &SrtpParams, rx: &SrtpParams) -> Result<(), Box<dyn Error>> {
    let mut rtp = vec![0x80, 96, 0, 1, 0, 0, 0, 160];
    rtp.extend_from_slice(&tx.ssrc.to_be_bytes());
    rtp.extend_from_slice(b"hello over SRTP");
    let srtp = tx.context()?.protect_rtp(&rtp)?;
    let back = rx.context()?.unprotect_rtp(&srtp)?;
    if back != rtp {
        return Err("the receiver decrypted another packet".into());
    }
    println!(
        "RTP packet for SSRC {:#010x}: {} bytes protected ({} with the tag{}), unprotected by the peer",
        tx.ssrc,
        rtp.len(),
        srtp.len(),
        if tx.mki.is_some() { " and MKI" } else { "" }
    );
    Ok(())
}

/// Prints both sides' SRTP parameters, then sends one packet on crypto session 1 from
/// Alice to Bob.
pub fn report(alice: &[SrtpParams], bob: &[SrtpParams]) -> Result<(), Box<dyn Error>> {
    show("Alice's SRTP parameters", alice);
    show("Bob's SRTP parameters", bob);
    match (alice.first(), bob.first()) {
        (Some(a), Some(b)) => send_one_packet(a, b),
        _ => Err("no SRTP parameters".into()),
    }
}
