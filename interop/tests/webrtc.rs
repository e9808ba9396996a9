//! `mikey::srtp::handoff::webrtc::WebrtcSrtpArgs` given to the webrtc-rs SRTP stack
//! (`webrtc-srtp`): its `Context::new(master_key, master_salt, profile, None, None)`
//! exchanges SRTP and SRTCP with `SrtpContext` both ways, for every profile it has, across
//! a sequence-number wrap.

use mikey::srtp::handoff::webrtc::WebrtcSrtpArgs;
use mikey::srtp::{SrtpParams, SrtpSuite};
use webrtc_srtp::context::Context;
use webrtc_srtp::protection_profile::ProtectionProfile;

const SSRC: u32 = 0x0bad_f00d;

fn profile(name: &str) -> ProtectionProfile {
    [
        ProtectionProfile::Aes128CmHmacSha1_80,
        ProtectionProfile::Aes128CmHmacSha1_32,
        ProtectionProfile::Aes256CmHmacSha1_80,
        ProtectionProfile::Aes256CmHmacSha1_32,
        ProtectionProfile::AeadAes128Gcm,
        ProtectionProfile::AeadAes256Gcm,
    ]
    .into_iter()
    .find(|p| format!("{p:?}") == name)
    .unwrap_or_else(|| panic!("webrtc-srtp has no profile {name}"))
}

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 0x6f];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 1, 0]);
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(b"webrtc-rs and mikey");
    p
}

fn rtcp() -> Vec<u8> {
    let mut p = vec![0x80, 0xc9, 0x00, 0x01];
    p.extend_from_slice(&SSRC.to_be_bytes());
    p
}

fn webrtc(args: &WebrtcSrtpArgs) -> Context {
    Context::new(
        args.master_key.as_bytes(),
        args.master_salt.as_bytes(),
        profile(args.profile),
        None,
        None,
    )
    .unwrap()
}

#[test]
fn webrtc_srtp_keyed_from_the_handoff_arguments() {
    let mut tested = 0;
    for suite in SrtpSuite::ALL {
        let n = |len: usize, x: u8| {
            (0..len as u8)
                .map(|i| i.wrapping_mul(13) ^ x)
                .collect::<Vec<_>>()
        };
        let (k, s) = (
            n(suite.master_key_len(), 0x42),
            n(suite.master_salt_len(), 0x24),
        );
        let p = SrtpParams {
            ssrc: SSRC,
            ..SrtpParams::from_keys(suite, &k, &s).unwrap()
        };
        let Ok(args) = WebrtcSrtpArgs::new(&p) else {
            // AES-192 and the NULL cipher: webrtc-rs has no such profile.
            assert!(suite.master_key_len() == 24 || !suite.encrypts(), "{suite}");
            continue;
        };
        let (mut w_tx, mut w_rx) = (webrtc(&args), webrtc(&args));
        let (mut m_tx, mut m_rx) = (p.context().unwrap(), p.context().unwrap());
        for seq in [65_533u16, 65_535, 0, 2] {
            let theirs = w_tx.encrypt_rtp(&rtp(seq)).unwrap();
            assert_eq!(
                m_rx.unprotect_rtp(&theirs).unwrap(),
                rtp(seq),
                "{suite} {seq}"
            );
            let ours = m_tx.protect_rtp(&rtp(seq)).unwrap();
            assert_eq!(&ours[..], &theirs[..], "{suite} {seq}: same bytes");
            assert_eq!(
                &w_rx.decrypt_rtp(&ours).unwrap()[..],
                &rtp(seq)[..],
                "{suite}"
            );
        }
        let theirs = w_tx.encrypt_rtcp(&rtcp()).unwrap();
        assert_eq!(m_rx.unprotect_rtcp(&theirs).unwrap(), rtcp(), "{suite}");
        let ours = m_tx.protect_rtcp(&rtcp()).unwrap();
        assert_eq!(
            &w_rx.decrypt_rtcp(&ours).unwrap()[..],
            &rtcp()[..],
            "{suite}"
        );
        tested += 1;
    }
    assert_eq!(tested, 6);
}
