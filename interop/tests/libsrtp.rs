//! mikey SrtpContext <-> libsrtp2 interop, both directions, SRTP and SRTCP,
//! with/without MKI and with a non-zero ROC that wraps during the stream.

use mikey::srtp::{SrtpContext, SrtpError, SrtpSuite};
use mikey_interop::{LibSrtp, Profile};

const SSRC: u32 = 0x1234_abcd;
const ROC: u32 = 5;
/// Steps of < 2^15 so both index estimators follow, crossing a wrap (ROC 5 -> 6).
const SEQS: [u16; 10] = [
    1000, 11_000, 21_000, 31_000, 41_000, 51_000, 61_000, 65_535, 4_000, 9_000,
];

const CASES: [(Profile, SrtpSuite); 4] = [
    (Profile::AesCm128HmacSha1_80, SrtpSuite::AesCm128HmacSha1_80),
    (Profile::AesCm128HmacSha1_32, SrtpSuite::AesCm128HmacSha1_32),
    (Profile::AesCm256HmacSha1_80, SrtpSuite::AesCm256HmacSha1_80),
    (Profile::AeadAes128Gcm, SrtpSuite::AeadAes128Gcm),
];

fn material(suite: SrtpSuite) -> (Vec<u8>, Vec<u8>) {
    let key = (0..suite.master_key_len())
        .map(|i| (i * 31 + 7) as u8)
        .collect();
    let salt = (0..suite.master_salt_len())
        .map(|i| (i * 17 + 3) as u8)
        .collect();
    (key, salt)
}

/// RTP packet with one CSRC and a header extension, odd payload length.
fn rtp(seq: u16, n: usize) -> Vec<u8> {
    let mut p = vec![0x91, 0x6f];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(&0xdead_beefu32.to_be_bytes());
    p.extend_from_slice(&[0xbe, 0xde, 0x00, 0x01, 0x22, 0x01, 0x02, 0x03]);
    p.extend((0..n).map(|i| (i as u8).wrapping_mul(3).wrapping_add(seq as u8)));
    p
}

/// RTCP compound: SR (no report blocks) + SDES CNAME.
fn rtcp(k: u8) -> Vec<u8> {
    let mut p = vec![0x80, 0xc8, 0x00, 0x06];
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend((0..20).map(|i| i ^ k));
    p.extend_from_slice(&[0x81, 0xca, 0x00, 0x03]);
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(&[0x01, 0x03, b'a', b'b', b'c', 0x00, 0x00, 0x00]);
    p
}

fn ours(suite: SrtpSuite, mki: &[u8], roc: bool) -> SrtpContext {
    let (k, s) = material(suite);
    let mut c = SrtpContext::new(suite, &k, &s).unwrap().with_mki(mki);
    if roc {
        c.set_roc(SSRC, ROC);
    }
    c
}

fn theirs(profile: Profile, suite: SrtpSuite, mki: &[u8], roc: bool) -> LibSrtp {
    let (k, s) = material(suite);
    let mut l = LibSrtp::new(profile, SSRC, &k, &s, mki).unwrap();
    if roc {
        l.set_roc(SSRC, ROC).unwrap();
    }
    l
}

const MKIS: [&[u8]; 2] = [&[], &[0x01, 0x02, 0x03, 0x04]];

#[test]
fn libsrtp_protect_mikey_unprotect() {
    for (profile, suite) in CASES {
        for mki in MKIS {
            for roc in [false, true] {
                let mut tx = theirs(profile, suite, mki, roc);
                let mut rx = ours(suite, mki, roc);
                for (i, seq) in SEQS.into_iter().enumerate() {
                    let pkt = rtp(seq, 41 + i);
                    let srtp = tx.protect(&pkt).unwrap();
                    assert_eq!(
                        srtp.len(),
                        pkt.len() + mki.len() + suite.auth_tag_len(),
                        "{suite}"
                    );
                    assert_eq!(
                        rx.unprotect_rtp(&srtp).unwrap(),
                        pkt,
                        "{suite} mki={mki:?} roc={roc} seq={seq}"
                    );
                    assert_eq!(rx.unprotect_rtp(&srtp), Err(SrtpError::Replay));
                    let mut bad = srtp.clone();
                    bad[20] ^= 0x40;
                    assert!(rx.unprotect_rtp(&bad).is_err());
                }
                let expected_roc = if roc { ROC + 1 } else { 1 };
                assert_eq!(rx.roc(SSRC), Some(expected_roc));
                for k in 0..4 {
                    let pkt = rtcp(k);
                    let srtcp = tx.protect_rtcp(&pkt).unwrap();
                    assert_eq!(
                        srtcp.len(),
                        pkt.len() + 4 + mki.len() + suite.rtcp_auth_tag_len(),
                        "{suite}"
                    );
                    assert_eq!(
                        rx.unprotect_rtcp(&srtcp).unwrap(),
                        pkt,
                        "{suite} mki={mki:?}"
                    );
                    assert_eq!(rx.unprotect_rtcp(&srtcp), Err(SrtpError::Replay));
                }
            }
        }
    }
}

#[test]
fn mikey_protect_libsrtp_unprotect() {
    for (profile, suite) in CASES {
        for mki in MKIS {
            for roc in [false, true] {
                let mut tx = ours(suite, mki, roc);
                let mut rx = theirs(profile, suite, mki, roc);
                for (i, seq) in SEQS.into_iter().enumerate() {
                    let pkt = rtp(seq, 17 + 3 * i);
                    let srtp = tx.protect_rtp(&pkt).unwrap();
                    let mut bad = srtp.clone();
                    let last = bad.len() - 1;
                    bad[last] ^= 1;
                    assert!(
                        rx.unprotect(&bad).is_err(),
                        "libsrtp accepted a bad tag ({suite})"
                    );
                    assert_eq!(
                        rx.unprotect(&srtp).unwrap(),
                        pkt,
                        "{suite} mki={mki:?} roc={roc} seq={seq}"
                    );
                    assert!(
                        rx.unprotect(&srtp).is_err(),
                        "libsrtp accepted a replay ({suite})"
                    );
                }
                for k in 0..4 {
                    let pkt = rtcp(k);
                    let srtcp = tx.protect_rtcp(&pkt).unwrap();
                    let got = rx.unprotect_rtcp(&srtcp);
                    if suite == SrtpSuite::AesCm128HmacSha1_32 && !mki.is_empty() {
                        // libsrtp2 bug: srtp_get_session_keys() locates the SRTCP
                        // MKI with the *RTP* tag length (4) instead of the SRTCP
                        // one (10), so it cannot find a correctly placed MKI and
                        // fails with srtp_err_status_bad_mki (25).  libsrtp's own
                        // protect_rtcp places it like we do (other test).
                        assert_eq!(got, Err(mikey_interop::SrtpStatus(25)), "libsrtp fixed?");
                        continue;
                    }
                    assert_eq!(got, Ok(pkt), "{suite} mki={mki:?} roc={roc} k={k}");
                }
            }
        }
    }
}

#[test]
fn roc_mismatch_is_detected_by_both() {
    for (profile, suite) in CASES {
        let mut tx = theirs(profile, suite, &[], true);
        let mut rx = ours(suite, &[], false);
        let srtp = tx.protect(&rtp(100, 20)).unwrap();
        assert_eq!(
            rx.unprotect_rtp(&srtp),
            Err(SrtpError::AuthFailed),
            "{suite}"
        );

        let mut tx = ours(suite, &[], true);
        let mut rx = theirs(profile, suite, &[], false);
        let srtp = tx.protect_rtp(&rtp(100, 20)).unwrap();
        assert!(rx.unprotect(&srtp).is_err(), "{suite}");
    }
}

#[test]
fn wrong_mki_is_rejected() {
    for (profile, suite) in CASES {
        let mut tx = theirs(profile, suite, &[9, 9, 9, 9], false);
        let mut rx = ours(suite, &[9, 9, 9, 8], false);
        let srtp = tx.protect(&rtp(7, 20)).unwrap();
        assert_eq!(
            rx.unprotect_rtp(&srtp),
            Err(SrtpError::MkiMismatch),
            "{suite}"
        );
    }
}
