//! Policy → suite mapping: defaults, every suite, refusals.

use super::*;
use crate::wire::SrtpParamType;

fn refused(p: &SrtpPolicy) -> ExportError {
    suite_for(p, false).unwrap_err()
}

#[test]
fn defaults_and_suites() {
    assert_eq!(
        suite_for(&SrtpPolicy::default(), false).unwrap().0,
        SrtpSuite::AesCm128HmacSha1_80
    );
    let p = SrtpPolicy {
        encr_key_len: Some(32),
        auth_tag_len: Some(4),
        ..SrtpPolicy::default()
    };
    assert_eq!(
        suite_for(&p, false).unwrap().0,
        SrtpSuite::AesCm256HmacSha1_32
    );
    let g = SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::AesGcm),
        aead_auth_tag_len: Some(16),
        salt_key_len: Some(12),
        ..SrtpPolicy::default()
    };
    assert_eq!(suite_for(&g, false).unwrap().0, SrtpSuite::AeadAes128Gcm);
    let f8 = SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::AesF8),
        ..SrtpPolicy::default()
    };
    assert!(matches!(
        suite_for(&f8, false),
        Err(ExportError::InvalidSpPar(_))
    ));
    let gst = SrtpPolicy {
        auth_key_len: Some(10),
        ..SrtpPolicy::aes_cm_128_hmac_sha1_80()
    };
    assert!(suite_for(&gst, false).is_err());
    assert_eq!(
        suite_for(&gst, true).unwrap().0,
        SrtpSuite::AesCm128HmacSha1_80
    );
    let rcc = SrtpPolicy {
        auth_alg: Some(SrtpAuthAlg::RccM2),
        roc_tx_rate: Some(16),
        auth_tag_len: Some(14),
        ..SrtpPolicy::default()
    };
    let (s, r) = suite_for(&rcc, false).unwrap();
    assert_eq!(
        (s, r),
        (
            SrtpSuite::AesCm128HmacSha1_80,
            Some(RocCarrying {
                mode: RccMode::Mode2,
                rate: 16
            })
        )
    );
    let unk = SrtpPolicy {
        unknown: vec![(SrtpParamType::Unknown(99).to_wire(), vec![1])],
        ..SrtpPolicy::default()
    };
    assert!(suite_for(&unk, false).is_err());
}

/// The 3GPP MCPTT group-call policy as the Streamwide and ALEA GMK messages of
/// `testvectors/` carry it (AES-GCM, auth alg RCCm3, SRTP tag 4, SRTCP tag 0, AEAD tag
/// 16, R = 1): AES-128-GCM with RCCm3, not a dropped RCC.
#[test]
fn mcptt_group_policy_is_gcm_with_rcc_mode3() {
    let p = SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::AesGcm),
        encr_key_len: Some(16),
        auth_alg: Some(SrtpAuthAlg::RccM3),
        salt_key_len: Some(12),
        prf: Some(SrtpPrf::AesCm),
        kdr: Some(0),
        roc_tx_rate: Some(1),
        srtp_auth_tag_len: Some(4),
        srtcp_auth_tag_len: Some(0),
        aead_auth_tag_len: Some(16),
        ..SrtpPolicy::default()
    };
    let want = RocCarrying {
        mode: RccMode::Mode3,
        rate: 1,
    };
    assert_eq!(
        suite_for(&p, false).unwrap(),
        (SrtpSuite::AeadAes128Gcm, Some(want))
    );
    // Without the rate (the PCK message): R defaults to 1.
    let no_rate = SrtpPolicy {
        roc_tx_rate: None,
        ..p.clone()
    };
    assert_eq!(suite_for(&no_rate, false).unwrap().1, Some(want));
    for mode in [SrtpAuthAlg::RccM1, SrtpAuthAlg::RccM2] {
        let m = SrtpPolicy {
            auth_alg: Some(mode),
            ..p.clone()
        };
        assert!(matches!(refused(&m), ExportError::RocCarrying(_)), "{mode}");
    }
    let tag = SrtpPolicy {
        srtp_auth_tag_len: Some(10),
        ..p.clone()
    };
    assert!(matches!(refused(&tag), ExportError::RocCarrying(_)));
    let plain_gcm = SrtpPolicy {
        auth_alg: Some(SrtpAuthAlg::Null),
        ..p
    };
    assert_eq!(suite_for(&plain_gcm, false).unwrap().1, None);
}

#[test]
fn rcc_tags_with_aes_cm() {
    let m3 = |tag| SrtpPolicy {
        srtp_auth_alg: Some(SrtpAuthAlg::RccM3),
        srtp_auth_tag_len: tag,
        ..SrtpPolicy::default()
    };
    let (s, r) = suite_for(&m3(Some(4)), false).unwrap();
    assert_eq!(
        (s, r.map(|r| r.mode)),
        (SrtpSuite::AesCm128HmacSha1_80, Some(RccMode::Mode3))
    );
    assert!(suite_for(&m3(None), false).is_ok());
    assert!(matches!(
        refused(&m3(Some(14))),
        ExportError::RocCarrying(_)
    ));
    let m1 = |tag| SrtpPolicy {
        auth_alg: Some(SrtpAuthAlg::RccM1),
        auth_tag_len: tag,
        ..SrtpPolicy::default()
    };
    assert_eq!(
        suite_for(&m1(None), false).unwrap().0,
        SrtpSuite::AesCm128HmacSha1_80
    );
    assert_eq!(
        suite_for(&m1(Some(8)), false).unwrap().0,
        SrtpSuite::AesCm128HmacSha1_32
    );
    assert!(matches!(
        refused(&m1(Some(10))),
        ExportError::RocCarrying(_)
    ));
    let zero = SrtpPolicy {
        roc_tx_rate: Some(0),
        ..m1(None)
    };
    assert!(matches!(refused(&zero), ExportError::RocCarrying(_)));
    // The general RCC algorithm is SRTP's alone: SRTCP keeps HMAC-SHA-1 (RFC 4771 §2, §4).
    let srtcp_rcc = SrtpPolicy {
        srtcp_auth_alg: Some(SrtpAuthAlg::RccM1),
        ..SrtpPolicy::default()
    };
    assert!(matches!(refused(&srtcp_rcc), ExportError::InvalidSpPar(_)));
}

#[test]
fn srtcp_parameters_are_checked_not_dropped() {
    let cases = [
        SrtpPolicy {
            srtcp_auth_alg: Some(SrtpAuthAlg::Null),
            ..SrtpPolicy::default()
        },
        SrtpPolicy {
            srtcp_auth_tag_len: Some(4),
            ..SrtpPolicy::default()
        },
        SrtpPolicy {
            srtcp_auth_key_len: Some(16),
            ..SrtpPolicy::default()
        },
        SrtpPolicy {
            srtp_encryption: Some(false),
            srtcp_encryption: Some(true),
            ..SrtpPolicy::default()
        },
    ];
    for p in cases {
        assert!(matches!(refused(&p), ExportError::InvalidSpPar(_)), "{p:?}");
    }
    let fine = SrtpPolicy {
        srtcp_auth_alg: Some(SrtpAuthAlg::HmacSha1),
        srtcp_auth_tag_len: Some(10),
        srtcp_auth_key_len: Some(20),
        srtcp_encryption: Some(false),
        ..SrtpPolicy::default()
    };
    assert!(suite_for(&fine, false).is_ok());
}
