//! The SRTP parameters exported by MIKEY exchanges, used by libsrtp2 itself: the
//! initiator's side protects with libsrtp2, the responder's side unprotects with libsrtp2
//! (and with our transform), with an MKI and a non-zero ROC (RFC 3830 §4.1.3, §6.1.1).

use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
use mikey::srtp::export::SrtpParams;
use mikey::srtp::SrtpSuite;
use mikey::wire::{EncrAlg, MacAlg, SrtpCs, SrtpPolicy};
use mikey_interop::{LibSrtp, Profile};

const NOW: Duration = Duration::from_secs(1_790_000_000);
const SSRC: u32 = 0x5eed_1234;
const ROC: u32 = 3;

fn profile(s: SrtpSuite) -> Profile {
    match s {
        SrtpSuite::AesCm128HmacSha1_80 => Profile::AesCm128HmacSha1_80,
        SrtpSuite::AesCm128HmacSha1_32 => Profile::AesCm128HmacSha1_32,
        SrtpSuite::AesCm256HmacSha1_80 => Profile::AesCm256HmacSha1_80,
        SrtpSuite::AeadAes128Gcm => Profile::AeadAes128Gcm,
        other => panic!("no libsrtp profile wired for {other}"),
    }
}

fn libsrtp(p: &SrtpParams) -> LibSrtp {
    let mut s = LibSrtp::new(
        profile(p.suite),
        p.ssrc,
        p.master_key.as_bytes(),
        p.master_salt.as_bytes(),
        p.mki.as_deref().unwrap_or(&[]),
    )
    .unwrap();
    s.set_roc(p.ssrc, p.roc).unwrap();
    s
}

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(b"payload keyed by MIKEY");
    p
}

/// One PSK exchange with the given policy; returns (initiator, responder) parameters.
fn exchange(policy: SrtpPolicy, encr: EncrAlg) -> (Vec<SrtpParams>, Vec<SrtpParams>) {
    let psk = [0x24u8; 20];
    let cfg = PskConfig {
        v: true,
        encr,
        mac: MacAlg::HmacSha1_160,
        crypto_sessions: vec![SrtpCs {
            policy_no: 1,
            ssrc: SSRC,
            roc: ROC,
        }],
        policies: vec![policy.to_payload(1).unwrap()],
        ..PskConfig::default()
    };
    let mut i = PskInitiator::new(&psk, cfg);
    let mut n = 0u8;
    let mut rng = move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(13);
            *x = n;
        }
    };
    // A TGK as long as the longest suite's master key (shorter ones are refused for
    // AES-256); 4 + 32 + 1 + 3 = 40 bytes of key data: fine for AES-KW too.
    let m = i
        .initiate(
            vec![TransportKey::tgk(&[7u8; 32]).with_mki(&[0, 0, 9])],
            NOW,
            &mut rng,
        )
        .unwrap();
    let mut r = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
    let a = r.handle(&m, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    (i.srtp().unwrap(), r.srtp(a.csb_id).unwrap())
}

#[test]
fn libsrtp2_uses_the_exported_keys_of_both_sides() {
    let suites = [
        (
            SrtpPolicy::aes_cm_128_hmac_sha1_80(),
            SrtpSuite::AesCm128HmacSha1_80,
        ),
        (
            SrtpPolicy {
                auth_tag_len: Some(4),
                ..SrtpPolicy::aes_cm_128_hmac_sha1_80()
            },
            SrtpSuite::AesCm128HmacSha1_32,
        ),
        (
            SrtpPolicy {
                encr_key_len: Some(32),
                ..SrtpPolicy::aes_cm_128_hmac_sha1_80()
            },
            SrtpSuite::AesCm256HmacSha1_80,
        ),
        (
            SrtpPolicy {
                encr_alg: Some(mikey::wire::SrtpEncrAlg::AesGcm),
                encr_key_len: Some(16),
                salt_key_len: Some(12),
                aead_auth_tag_len: Some(16),
                ..SrtpPolicy::default()
            },
            SrtpSuite::AeadAes128Gcm,
        ),
    ];
    for (encr, (policy, suite)) in [EncrAlg::AesCm128, EncrAlg::AesKw128]
        .into_iter()
        .flat_map(|e| suites.iter().map(move |s| (e, s)))
    {
        let (ini, resp) = exchange(policy.clone(), encr);
        assert_eq!(ini[0].suite, *suite);
        assert_eq!(
            (ini[0].ssrc, ini[0].roc, ini[0].mki.as_deref()),
            (SSRC, ROC, Some(&[0, 0, 9][..]))
        );
        let mut tx = libsrtp(&ini[0]);
        let mut rx = libsrtp(&resp[0]);
        let mut ours = resp[0].context().unwrap();
        // Steps below 2^15, so both index estimators follow the ROC across the wrap.
        for seq in [100u16, 30_000, 60_000, 65_535, 5] {
            let pkt = rtp(seq);
            let protected = tx.protect(&pkt).unwrap();
            assert_eq!(
                rx.unprotect(&protected).unwrap(),
                pkt,
                "{suite} seq {seq}: libsrtp -> libsrtp"
            );
            assert_eq!(
                ours.unprotect_rtp(&protected).unwrap(),
                pkt,
                "{suite} seq {seq}: libsrtp -> mikey"
            );
        }
        // The ROC moved on from 3 to 4 in both receivers.
        assert_eq!(ours.roc(SSRC), Some(ROC + 1));
    }
}
