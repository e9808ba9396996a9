//! RFC 4771 ROC-carrying transform: packet layouts checked against the RFC's formulas
//! (TAG = ROC ‖ MAC_tr, MAC = HMAC-SHA1(auth key, authenticated portion ‖ ROC), §2-3, §5),
//! R-boundary packets, ROC resynchronisation, tampering, and RCCm3 with AES-GCM.

use super::cipher::{kdf, AesAny, LABEL_RTP_AUTH};
use super::tests::{keys_for, rtcp_packet, rtp_packet};
use super::*;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

const SSRC: u32 = 0x0bad_cafe;
const CM: SrtpSuite = SrtpSuite::AesCm128HmacSha1_80;

fn ctx(suite: SrtpSuite, mode: Option<(RccMode, u16)>, mki: &[u8]) -> SrtpContext {
    let (k, s) = keys_for(suite);
    let c = SrtpContext::new(suite, &k, &s).unwrap().with_mki(mki);
    match mode {
        Some((m, r)) => c.with_rcc(m, r).unwrap(),
        None => c,
    }
}

/// HMAC-SHA1 with the SRTP session auth key of `keys_for(CM)` (RFC 3711 §4.3, label 1),
/// over `portion || roc`, computed here from the RFC definitions.
fn reference_mac(portion: &[u8], roc: u32) -> [u8; 20] {
    let (k, s) = keys_for(CM);
    let mut auth_key = [0u8; 20];
    let salt: [u8; 14] = s.try_into().unwrap();
    kdf(
        &AesAny::new(&k).unwrap(),
        &salt,
        LABEL_RTP_AUTH,
        0,
        &mut auth_key,
    );
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&auth_key).unwrap();
    mac.update(portion);
    mac.update(&roc.to_be_bytes());
    mac.finalize().into_bytes().into()
}

/// Protects `seq` with ROC 3 under RFC 3711 (no RCC) to get the encrypted portion.
fn plain_srtp(seq: u16, len: usize) -> Vec<u8> {
    let mut c = ctx(CM, None, &[]);
    c.set_roc(SSRC, 3);
    let out = c.protect_rtp(&rtp_packet(seq, SSRC, len)).unwrap();
    out[..out.len() - 10].to_vec()
}

#[test]
fn layouts_follow_rfc4771_for_the_packets_around_r() {
    let r = 4u16;
    let portion_len = rtp_packet(0, SSRC, 20).len();
    for mode in [RccMode::Mode1, RccMode::Mode2, RccMode::Mode3] {
        let mut tx = ctx(CM, Some((mode, r)), &[]);
        tx.set_roc(SSRC, 3);
        // R - 1, R, R + 1 and 2R.
        for seq in [r - 1, r, r + 1, 2 * r] {
            let out = tx.protect_rtp(&rtp_packet(seq, SSRC, 20)).unwrap();
            let portion = plain_srtp(seq, 20);
            assert_eq!(out[..portion_len], portion[..], "{mode:?} {seq}");
            let tag = &out[portion_len..];
            let mac = reference_mac(&portion, 3);
            let expected: Vec<u8> = match (mode, seq % r == 0) {
                (RccMode::Mode3, true) => 3u32.to_be_bytes().to_vec(),
                (RccMode::Mode3 | RccMode::Mode1, false) => vec![],
                (_, true) => [&3u32.to_be_bytes()[..], &mac[..10]].concat(),
                (RccMode::Mode2, false) => mac[..14].to_vec(),
            };
            assert_eq!(tag, &expected[..], "{mode:?} seq {seq}");
        }
    }
}

#[test]
fn mki_precedes_the_roc_and_mac() {
    let mut tx = ctx(CM, Some((RccMode::Mode2, 1)), &[0xaa, 0xbb]);
    tx.set_roc(SSRC, 3);
    let out = tx.protect_rtp(&rtp_packet(10, SSRC, 5)).unwrap();
    let n = rtp_packet(10, SSRC, 5).len();
    assert_eq!(out[n..n + 2], [0xaa, 0xbb]);
    assert_eq!(out[n + 2..n + 6], 3u32.to_be_bytes());
    assert_eq!(out[n + 6..], reference_mac(&plain_srtp(10, 5), 3)[..10]);
    let mut rx = ctx(CM, Some((RccMode::Mode2, 1)), &[0xaa, 0xbb]);
    assert_eq!(rx.unprotect_rtp(&out).unwrap(), rtp_packet(10, SSRC, 5));
}

#[test]
fn the_receiver_takes_the_roc_from_the_packet() {
    for mode in [RccMode::Mode1, RccMode::Mode2, RccMode::Mode3] {
        let mut tx = ctx(CM, Some((mode, 4)), &[]);
        tx.set_roc(SSRC, 9);
        // The receiver believes ROC 0 (e.g. a late joiner).
        let mut rx = ctx(CM, Some((mode, 4)), &[]);
        let p7 = tx.protect_rtp(&rtp_packet(7, SSRC, 8)).unwrap();
        let p8 = tx.protect_rtp(&rtp_packet(8, SSRC, 8)).unwrap();
        let p9 = tx.protect_rtp(&rtp_packet(9, SSRC, 8)).unwrap();
        match mode {
            // Authenticated with the wrong ROC: dropped.
            RccMode::Mode2 => assert_eq!(rx.unprotect_rtp(&p7), Err(SrtpError::AuthFailed)),
            // Not authenticated: decrypted with the wrong ROC, into garbage.
            _ => assert_ne!(rx.unprotect_rtp(&p7).unwrap(), rtp_packet(7, SSRC, 8)),
        }
        assert_eq!(rx.unprotect_rtp(&p8).unwrap(), rtp_packet(8, SSRC, 8));
        assert_eq!(rx.roc(SSRC), Some(9), "{mode:?}");
        assert_eq!(rx.unprotect_rtp(&p9).unwrap(), rtp_packet(9, SSRC, 8));
    }
}

#[test]
fn session_keys_follow_the_carried_roc() {
    // kdr = 2^16: r = index DIV kdr = ROC, so the receiver must derive its keys from the
    // ROC in the packet (RFC 4771 §2), not from its own.
    let (k, s) = keys_for(CM);
    let mk = || {
        SrtpContext::new(CM, &k, &s)
            .unwrap()
            .with_kdr(1 << 16)
            .unwrap()
            .with_rcc(RccMode::Mode1, 1)
            .unwrap()
    };
    let (mut tx, mut rx) = (mk(), mk());
    tx.set_roc(SSRC, 2);
    let p = tx.protect_rtp(&rtp_packet(100, SSRC, 8)).unwrap();
    assert_eq!(rx.unprotect_rtp(&p).unwrap(), rtp_packet(100, SSRC, 8));
    assert_eq!(rx.roc(SSRC), Some(2));
}

#[test]
fn tampering_with_an_authenticated_roc_or_mac_fails() {
    for mode in [RccMode::Mode1, RccMode::Mode2] {
        let mut tx = ctx(CM, Some((mode, 2)), &[]);
        let out = tx.protect_rtp(&rtp_packet(4, SSRC, 8)).unwrap();
        let n = rtp_packet(4, SSRC, 8).len();
        for i in 0..out.len() {
            let mut bad = out.clone();
            bad[i] ^= 0x01;
            let mut rx = ctx(CM, Some((mode, 2)), &[]);
            let got = rx.unprotect_rtp(&bad);
            if mode == RccMode::Mode1 && i == 3 {
                // SEQ 4 -> 5: in mode 1 a packet without the ROC has no MAC, so it is
                // read as one (RFC 4771 §5 case 2), and decrypts into garbage.
                assert_ne!(got.unwrap()[12..], rtp_packet(5, SSRC, 8)[12..]);
            } else {
                assert!(got.is_err(), "{mode:?} byte {i} of {n}+14");
            }
        }
        let mut rx = ctx(CM, Some((mode, 2)), &[]);
        assert!(rx.unprotect_rtp(&out).is_ok());
        assert_eq!(rx.unprotect_rtp(&out), Err(SrtpError::Replay));
    }
    // RCCm1 packets without the ROC carry no MAC: a flipped payload bit goes through
    // (RFC 4771 §3: mode 1 protects only the ROC-carrying packets).
    let mut tx = ctx(CM, Some((RccMode::Mode1, 2)), &[]);
    let mut bad = tx.protect_rtp(&rtp_packet(5, SSRC, 8)).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    let mut rx = ctx(CM, Some((RccMode::Mode1, 2)), &[]);
    let mut expect = rtp_packet(5, SSRC, 8);
    expect[last] ^= 0x80;
    assert_eq!(rx.unprotect_rtp(&bad).unwrap(), expect);
}

#[test]
fn rcc_mode3_with_aes_gcm_carries_an_authenticated_roc() {
    let gcm = SrtpSuite::AeadAes128Gcm;
    let mut plain = ctx(gcm, None, &[7]);
    plain.set_roc(SSRC, 5);
    let mut tx = ctx(gcm, Some((RccMode::Mode3, 1)), &[7]);
    tx.set_roc(SSRC, 5);
    let pkt = rtp_packet(300, SSRC, 12);
    let out = tx.protect_rtp(&pkt).unwrap();
    // The RFC 7714 packet (ciphertext, tag, MKI), then the ROC.
    let rfc7714 = plain.protect_rtp(&pkt).unwrap();
    assert_eq!(out, [&rfc7714[..], &5u32.to_be_bytes()[..]].concat());
    // A receiver without the ROC learns it from the packet.
    let mut rx = ctx(gcm, Some((RccMode::Mode3, 1)), &[7]);
    assert_eq!(rx.unprotect_rtp(&out).unwrap(), pkt);
    assert_eq!(rx.roc(SSRC), Some(5));
    // The GCM IV holds the ROC: a modified ROC fails the AEAD check.
    let mut bad = out.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let mut rx = ctx(gcm, Some((RccMode::Mode3, 1)), &[7]);
    assert_eq!(rx.unprotect_rtp(&bad), Err(SrtpError::AuthFailed));
    assert_eq!(rx.roc(SSRC), None);
    // R = 3: only SEQ 0 mod 3 carries it.
    let mut tx = ctx(gcm, Some((RccMode::Mode3, 3)), &[7]);
    let mut rx = ctx(gcm, Some((RccMode::Mode3, 3)), &[7]);
    for seq in [2u16, 3, 4] {
        let out = tx.protect_rtp(&rtp_packet(seq, SSRC, 4)).unwrap();
        let extra = if seq % 3 == 0 { 4 } else { 0 };
        assert_eq!(out.len(), rtp_packet(seq, SSRC, 4).len() + 16 + 1 + extra);
        assert_eq!(rx.unprotect_rtp(&out).unwrap(), rtp_packet(seq, SSRC, 4));
    }
}

#[test]
fn settings_the_transform_cannot_honour_are_refused() {
    let (k, s) = keys_for(CM);
    let c = || SrtpContext::new(CM, &k, &s).unwrap();
    assert_eq!(
        c().with_rcc(RccMode::Mode1, 0).err(),
        Some(SrtpError::BadRcc)
    );
    let (k, s) = keys_for(SrtpSuite::AeadAes256Gcm);
    for mode in [RccMode::Mode1, RccMode::Mode2] {
        let g = SrtpContext::new(SrtpSuite::AeadAes256Gcm, &k, &s).unwrap();
        assert_eq!(g.with_rcc(mode, 1).err(), Some(SrtpError::BadRcc));
    }
}

#[test]
fn srtcp_is_never_rcc() {
    let mut a = ctx(CM, Some((RccMode::Mode2, 1)), &[]);
    let mut b = ctx(CM, None, &[]);
    let p = rtcp_packet(SSRC);
    assert_eq!(a.protect_rtcp(&p).unwrap(), b.protect_rtcp(&p).unwrap());
}

#[test]
fn short_rcc_packets_never_panic() {
    for (suite, mode) in [
        (CM, RccMode::Mode1),
        (CM, RccMode::Mode2),
        (CM, RccMode::Mode3),
        (SrtpSuite::AeadAes128Gcm, RccMode::Mode3),
    ] {
        let mut tx = ctx(suite, Some((mode, 1)), &[1, 2]);
        let out = tx.protect_rtp(&rtp_packet(0, SSRC, 3)).unwrap();
        // RCCm3 with AES-CM authenticates nothing: a shortened packet that still holds
        // a header, MKI and ROC decrypts (into garbage); the others must fail.
        let unauthenticated = !suite.is_aead() && mode == RccMode::Mode3;
        for n in 0..out.len() {
            let mut rx = ctx(suite, Some((mode, 1)), &[1, 2]);
            let got = rx.unprotect_rtp(&out[..n]);
            if unauthenticated && n >= 12 + 2 + 4 {
                assert_ne!(got, Ok(rtp_packet(0, SSRC, 3)), "{suite} {mode:?} {n}");
            } else {
                assert!(got.is_err(), "{suite} {mode:?} {n}");
            }
        }
    }
}
