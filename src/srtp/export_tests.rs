//! Every exported parameter reaches the context: several keys by MKI, key-validity
//! intervals, RCC, SRTCP encryption off; what the context cannot honour is refused.

use super::*;
use crate::bundle::TransportKey;
use crate::srtp::suite::SUITES;
use crate::srtp::RccMode;
use crate::wire::{KeyValidity, SrtpAuthAlg, SrtpCs, SrtpEncrAlg, SrtpIdMap};
use std::borrow::Cow;

const SSRC: u32 = 0x1122_3344;

fn bundle(policy: SrtpPolicy, keys: Vec<TransportKey>) -> CryptoSessionBundle {
    CryptoSessionBundle {
        csb_id: 7,
        prf: PrfFunc::Mikey1,
        rand: vec![3; 16],
        cs_map: CsIdMap::SrtpId(
            SrtpIdMap::from_entries(&[SrtpCs {
                policy_no: 1,
                ssrc: SSRC,
                roc: 0,
            }])
            .unwrap(),
        ),
        policies: vec![policy.to_payload(1).unwrap()],
        keys,
        gstreamer_auth_key_len: false,
    }
}

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 9]);
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(b"exported means honoured");
    p
}

fn tek(n: u8) -> TransportKey {
    TransportKey::tek(&[n; 16]).with_salt(&[n ^ 0xff; 14])
}

fn interval(key: TransportKey, from: &[u8], to: &[u8]) -> TransportKey {
    TransportKey {
        kv: KeyValidity::Interval {
            from: Cow::Owned(from.to_vec()),
            to: Cow::Owned(to.to_vec()),
        },
        ..key
    }
}

#[test]
fn one_context_holds_every_key_and_picks_by_mki() {
    let keys = vec![tek(1).with_mki(&[0, 1]), tek(2).with_mki(&[0, 2])];
    let params = export(&bundle(SrtpPolicy::default(), keys)).unwrap();
    assert_eq!(params.len(), 2);
    let mut rx = stream_context(&params, 1).unwrap();
    for (seq, p) in [(1u16, &params[1]), (2, &params[0]), (3, &params[1])] {
        let srtp = p.context().unwrap().protect_rtp(&rtp(seq)).unwrap();
        assert_eq!(rx.unprotect_rtp(&srtp).unwrap(), rtp(seq));
    }
    assert_eq!(
        stream_context(&params, 2).err(),
        Some(SrtpError::NoValidKey)
    );
}

#[test]
fn intervals_reach_the_context() {
    let keys = vec![
        interval(tek(1), &[0; 6], &[0, 0, 0, 0, 0, 99]),
        interval(tek(2), &[0, 0, 0, 0, 0, 100], &[0, 0, 0, 0, 0xff, 0xff]),
    ];
    let params = export(&bundle(SrtpPolicy::default(), keys)).unwrap();
    assert_eq!(
        params[1].interval().unwrap(),
        Some(KeyInterval::new(100, 0xffff).unwrap())
    );
    let mut tx = stream_context(&params, 1).unwrap();
    let mut rx = stream_context(&params, 1).unwrap();
    let mut first = params[0].context().unwrap();
    for seq in [99u16, 100] {
        let srtp = tx.protect_rtp(&rtp(seq)).unwrap();
        assert_eq!(rx.unprotect_rtp(&srtp).unwrap(), rtp(seq));
        let got = first.unprotect_rtp(&srtp);
        assert_eq!(got.is_ok(), seq == 99, "{seq}: key 1 ends at 99");
    }
}

#[test]
fn intervals_the_context_cannot_honour_are_refused() {
    for (from, to) in [
        (&[0u8; 4][..], &[0u8; 6][..]),
        (&[0, 0, 0, 0, 0, 9], &[0; 6]),
    ] {
        let b = bundle(SrtpPolicy::default(), vec![interval(tek(1), from, to)]);
        assert!(matches!(export(&b), Err(ExportError::KeyValidity(_))));
        assert!(matches!(check(&b), Err(ExportError::KeyValidity(_))));
    }
}

#[test]
fn rcc_and_srtcp_encryption_reach_the_context() {
    let gcm_rcc = SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::AesGcm),
        salt_key_len: Some(12),
        auth_alg: Some(SrtpAuthAlg::RccM3),
        srtp_auth_tag_len: Some(4),
        srtcp_encryption: Some(false),
        ..SrtpPolicy::default()
    };
    let key = TransportKey::tek(&[5; 16]).with_salt(&[6; 12]);
    let p = &export(&bundle(gcm_rcc, vec![key])).unwrap()[0];
    assert_eq!(p.rcc.map(|r| (r.mode, r.rate)), Some((RccMode::Mode3, 1)));
    assert!(!p.srtcp_encryption);
    let mut tx = p.context().unwrap();
    let srtp = tx.protect_rtp(&rtp(4)).unwrap();
    // RFC 7714 packet (16-octet tag), then the ROC (RCCm3, R = 1).
    assert_eq!(srtp.len(), rtp(4).len() + 16 + 4);
    assert_eq!(srtp[srtp.len() - 4..], [0, 0, 0, 0]);
    let rtcp = [0x80, 0xc8, 0, 1, 0x11, 0x22, 0x33, 0x44];
    let srtcp = tx.protect_rtcp(&rtcp).unwrap();
    assert_eq!(srtcp[..8], rtcp, "SRTCP not encrypted");
    assert_eq!(p.context().unwrap().unprotect_rtcp(&srtcp).unwrap(), rtcp);
}

#[test]
fn null_cipher_exports_srtcp_encryption_off() {
    let null = SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::Null),
        ..SrtpPolicy::default()
    };
    let p = &export(&bundle(null, vec![tek(1)])).unwrap()[0];
    assert_eq!(p.suite, SrtpSuite::NullHmacSha1_80);
    assert!(!p.srtcp_encryption && !p.srtp_encryption);
}

/// Every row of the suite table round-trips: suite → policy parameters → SP payload bytes →
/// policy → suite, and the exported parameters carry the row's lengths.
#[test]
fn every_suite_row_round_trips() {
    for row in SUITES {
        let s = row.suite;
        let p = policy_for(s);
        assert_eq!(p.encr_alg, Some(row.encr_alg), "{s}");
        assert_eq!(p.encr_key_len, Some(row.key_len), "{s}");
        assert_eq!(p.salt_key_len, Some(row.salt_len), "{s}");
        let tag = if s.is_aead() {
            p.aead_auth_tag_len
        } else {
            p.auth_tag_len
        };
        assert_eq!(tag, Some(row.tag_len), "{s}");
        assert_eq!(suite_for(&p, false).unwrap(), (s, None), "{s}");
        let back = policy_for(s).to_payload(1).unwrap().srtp();
        assert_eq!(back, p, "{s}");
        let key = TransportKey::tek(&vec![1; s.master_key_len()])
            .with_salt(&vec![2; s.master_salt_len()]);
        let params = export(&bundle(back, vec![key])).unwrap();
        assert_eq!(params[0].suite, s);
        assert_eq!(
            params[0].master_key.as_bytes().len(),
            usize::from(row.key_len)
        );
        assert_eq!(
            params[0].master_salt.as_bytes().len(),
            usize::from(row.salt_len)
        );
    }
    // The wire layer's spelled-out default is the table's first row.
    assert_eq!(
        policy_for(SrtpSuite::AesCm128HmacSha1_80),
        SrtpPolicy::aes_cm_128_hmac_sha1_80()
    );
}

/// The policies [`check_suites`] decoded export exactly what decoding them again does:
/// every suite row, RCC, a key derivation rate, SRTCP encryption off, and a second crypto
/// session whose policy number is not the one kept (decoded at export).
#[test]
fn exports_from_decoded_policies_match_plain_exports() {
    let same = |b: &CryptoSessionBundle| {
        let known = check_suites::<ExportError>(b, |_| Ok(())).unwrap();
        assert_eq!(export_decoded(b, &known).unwrap(), export(b).unwrap());
        known
    };
    for row in SUITES {
        let s = row.suite;
        let key = TransportKey::tgk(&[4; 16]);
        same(&bundle(policy_for(s), vec![key]));
    }
    let rcc_kdr = SrtpPolicy {
        auth_alg: Some(SrtpAuthAlg::RccM1),
        roc_tx_rate: Some(3),
        kdr: Some(1 << 24),
        srtcp_encryption: Some(false),
        ..SrtpPolicy::default()
    };
    let known = same(&bundle(rcc_kdr, vec![TransportKey::tgk(&[4; 16])]));
    let kept = known.get(1).unwrap();
    assert_eq!((kept.kdr, kept.srtcp_encryption), (1 << 24, false));
    assert_eq!(
        kept.rcc.map(|r| (r.mode, r.rate)),
        Some((RccMode::Mode1, 3))
    );
    // Two crypto sessions on two policies: the second is decoded when exported.
    let mut two = bundle(SrtpPolicy::default(), vec![tek(1)]);
    let p2 = policy_for(SrtpSuite::AesCm128HmacSha1_32)
        .to_payload(2)
        .unwrap();
    two.policies.push(p2);
    two.cs_map = CsIdMap::SrtpId(
        SrtpIdMap::from_entries(&[
            SrtpCs {
                policy_no: 1,
                ssrc: SSRC,
                roc: 0,
            },
            SrtpCs {
                policy_no: 2,
                ssrc: SSRC + 1,
                roc: 5,
            },
        ])
        .unwrap(),
    );
    let known = same(&two);
    assert!(known.get(1).is_some() && known.get(2).is_none());
    let suites: Vec<_> = export_decoded(&two, &known)
        .unwrap()
        .iter()
        .map(|p| p.suite)
        .collect();
    assert_eq!(
        suites,
        [
            SrtpSuite::AesCm128HmacSha1_80,
            SrtpSuite::AesCm128HmacSha1_32
        ]
    );
}

/// A key derivation rate over 2^24, or not a power of two, is refused by both paths (one
/// past the bound, and rates sent in 8 bytes that do not fit 32 bits).
#[test]
fn key_derivation_rates_at_their_bound() {
    let with = |kdr: u64| {
        let mut b = bundle(SrtpPolicy::default(), vec![tek(1)]);
        let mut sp = crate::wire::SecurityPolicy::new(1, crate::wire::ProtType::Srtp);
        let kdr_type = crate::wire::SrtpParamType::KeyDerivationRate.to_wire();
        sp.push(kdr_type, &kdr.to_be_bytes()).unwrap();
        b.policies = vec![sp];
        b
    };
    for ok in [0, 1, 1 << 24] {
        assert_eq!(export(&with(ok)).unwrap()[0].kdr, ok, "{ok}");
        assert!(check(&with(ok)).is_ok());
    }
    for bad in [3, (1 << 24) + 1, 1 << 25, 1 << 32, u64::MAX] {
        let refused = |r| matches!(r, Err(ExportError::InvalidSpPar(_)));
        assert!(refused(export(&with(bad)).map(|_| ())), "{bad}");
        assert!(refused(check(&with(bad))), "{bad}");
    }
}
