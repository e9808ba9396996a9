//! Known-answer tests (RFC 3711 App. B, RFC 6188 §7, RFC 7714 §16-17) and
//! behavioural tests of the SRTP transform.

use super::cipher::{kdf, AesAny, SessionKeys, LABEL_RTP_AUTH, LABEL_RTP_ENC, LABEL_RTP_SALT};
use super::stream::{ReplayWindow, RtcpStream, RtpStream};
use super::*;
use zeroize::Zeroizing;

pub(super) fn h(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn iv16(s: &str) -> [u8; 16] {
    h(s).try_into().unwrap()
}

fn keystream(key: &str, iv: &str, blocks: usize) -> Vec<u8> {
    let aes = AesAny::new(&h(key)).unwrap();
    let mut buf = vec![0u8; 16 * blocks];
    aes.ctr_xor(iv16(iv), &mut buf);
    buf
}

/// RFC 3711 Appendix B.2 (AES-128-CM keystream).
#[test]
fn rfc3711_b2_aes_cm_keystream() {
    let key = "2B7E151628AED2A6ABF7158809CF4F3C";
    assert_eq!(
        keystream(key, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", 3),
        h("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0")
    );
    assert_eq!(
        keystream(key, "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF", 3),
        h("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE 6A2CC3787889374FBEB4C81B17BA6C44")
    );
    // Through the session cipher IV construction: salt already shifted, SSRC 0, index 0.
    let keys = SessionKeys::from_parts(
        SrtpSuite::AesCm128HmacSha1_80,
        0,
        Zeroizing::new(h(key)),
        Zeroizing::new(h("F0F1F2F3F4F5F6F7F8F9FAFBFCFD")),
        Zeroizing::new(vec![0; 20]),
    )
    .unwrap();
    assert_eq!(keys.cm_iv(0, 0), iv16("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"));
}

/// RFC 6188 §7.1 and §7.3 (AES-256-CM / AES-192-CM keystream).
#[test]
fn rfc6188_aes_cm_keystream() {
    let k256 = "57f82fe3613fd170a85ec93c40b1f092 2ec4cb0dc025b58272147cc438944a98";
    assert_eq!(
        keystream(k256, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0000", 3),
        h("92bdd28a93c3f52511c677d08b5515a4 9da71b2378a854f67050756ded165bac 63c4868b7096d88421b563b8c94c9a31")
    );
    assert_eq!(
        keystream(k256, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 3),
        h("cea518c90fd91ced9cbb18c078a54711 3dbc4814f4da5f00a08772b63c6a046d 6eb246913062a16891433e97dd01a57f")
    );
    let k192 = "eab234764e517b2d3d160d587d8c8621 9740f65f99b6bcf7";
    assert_eq!(
        keystream(k192, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0000", 3),
        h("35096cba4610028dc1b57503804ce37c 5de986291dcce161d5165ec4568f5c9a 474a40c77894bc17180202272a4c264d")
    );
    assert_eq!(
        keystream(k192, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 3),
        h("d108d1a31a00bad6367ec23eb044b415 c8f57129fdeb970b59f917b257662d4c a5dab625811034e8cebdfeb6dc158dd3")
    );
}

fn salt14(s: &str) -> [u8; 14] {
    h(s).try_into().unwrap()
}

/// RFC 3711 Appendix B.3 (AES-128-CM PRF key derivation), including the
/// 94-octet auth key stream.
#[test]
fn rfc3711_b3_key_derivation() {
    let master = AesAny::new(&h("E1F97A0D3E018BE0D64FA32C06DE4139")).unwrap();
    let salt = salt14("0EC675AD498AFEEBB6960B3AABE6");
    let mut k = [0u8; 16];
    kdf(&master, &salt, LABEL_RTP_ENC, 0, &mut k);
    assert_eq!(k.to_vec(), h("C61E7A93744F39EE10734AFE3FF7A087"));
    let mut s = [0u8; 14];
    kdf(&master, &salt, LABEL_RTP_SALT, 0, &mut s);
    assert_eq!(s.to_vec(), h("30CBBC08863D8C85D49DB34A9AE1"));
    let mut a = [0u8; 94];
    kdf(&master, &salt, LABEL_RTP_AUTH, 0, &mut a);
    assert_eq!(
        a.to_vec(),
        h("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF7227098
           6371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2")
    );
    // Same through the context's session key derivation.
    let mut ctx = SrtpContext::new(
        SrtpSuite::AesCm128HmacSha1_80,
        &h("E1F97A0D3E018BE0D64FA32C06DE4139"),
        &h("0EC675AD498AFEEBB6960B3AABE6"),
    )
    .unwrap();
    let keys = ctx.keys[0].session(ctx.suite, false, 0).unwrap().0;
    assert_eq!(keys.enc_key.to_vec(), h("C61E7A93744F39EE10734AFE3FF7A087"));
    assert_eq!(keys.salt.to_vec(), h("30CBBC08863D8C85D49DB34A9AE1"));
    assert_eq!(keys.auth_key.to_vec(), a[..20].to_vec());
}

/// RFC 6188 §7.2 (AES_256_CM_PRF) and §7.4 (AES_192_CM_PRF).
#[test]
fn rfc6188_key_derivation() {
    let mut ctx = SrtpContext::new(
        SrtpSuite::AesCm256HmacSha1_80,
        &h("f0f04914b513f2763a1b1fa130f10e29 98f6f6e43e4309d1e622a0e332b9f1b6"),
        &h("3b04803de51ee7c96423ab5b78d2"),
    )
    .unwrap();
    let keys = ctx.keys[0].session(ctx.suite, false, 0).unwrap().0;
    assert_eq!(
        keys.enc_key.to_vec(),
        h("5ba1064e30ec51613cad926c5a28ef73 1ec7fb397f70a960653caf06554cd8c4")
    );
    assert_eq!(keys.salt.to_vec(), h("fa31791685ca444a9e07c6c64e93"));
    assert_eq!(
        keys.auth_key.to_vec(),
        h("fd9c32d39ed5fbb5a9dc96b30818454d1313dc05")
    );

    let mut ctx = SrtpContext::new(
        SrtpSuite::AesCm192HmacSha1_80,
        &h("73edc66c4fa15776fb57f9505c171365 50ffda71f3e8e5f1"),
        &h("c8522f3acd4ce86d5add78edbb11"),
    )
    .unwrap();
    let keys = ctx.keys[0].session(ctx.suite, false, 0).unwrap().0;
    assert_eq!(
        keys.enc_key.to_vec(),
        h("31874736a8f1143870c26e4857d8a5b2 c4a354407faadabb")
    );
    assert_eq!(keys.salt.to_vec(), h("2372b82d639b6d8503a47adc0a6c"));
    assert_eq!(
        keys.auth_key.to_vec(),
        h("355b10973cd95b9eacf4061c7e1a7151e7cfbfcb")
    );
}

const GCM_RTP: &str = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
                       69736120 696e2070 61727465 73207472 6573";
const GCM_SALT: &str = "51756964 2070726f 2071756f";
const GCM_RTCP: &str = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
                        deadbeef deadbeef deadbeef deadbeef deadbeef";

/// A GCM context whose *session* keys are the given ones (the RFC 7714
/// vectors start from session keys).
fn gcm_ctx(suite: SrtpSuite, key: &[u8]) -> SrtpContext {
    let mut ctx = SrtpContext::new(suite, key, &h(GCM_SALT)).unwrap();
    let mk = || {
        SessionKeys::from_parts(
            suite,
            0,
            Zeroizing::new(key.to_vec()),
            Zeroizing::new(h(GCM_SALT)),
            Zeroizing::new(Vec::new()),
        )
        .unwrap()
    };
    ctx.keys[0].rtp = Some(mk());
    ctx.keys[0].rtcp = Some(mk());
    ctx
}

fn key_n(n: u8) -> Vec<u8> {
    (0..n).collect()
}

/// RFC 7714 §16.1.1/§16.1.2 and §16.2.1/§16.2.2 (SRTP AES-GCM).
#[test]
fn rfc7714_srtp_gcm() {
    let cases = [
        (
            SrtpSuite::AeadAes128Gcm,
            key_n(16),
            "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
             0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce",
        ),
        (
            SrtpSuite::AeadAes256Gcm,
            key_n(32),
            "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238
             9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13",
        ),
    ];
    for (suite, key, expected) in cases {
        let mut tx = gcm_ctx(suite, &key);
        assert_eq!(tx.protect_rtp(&h(GCM_RTP)).unwrap(), h(expected), "{suite}");
        let mut rx = gcm_ctx(suite, &key);
        assert_eq!(
            rx.unprotect_rtp(&h(expected)).unwrap(),
            h(GCM_RTP),
            "{suite}"
        );
    }
}

/// RFC 7714 §17.1 (SRTCP AES-128-GCM encryption) and §17.2 (AES-256-GCM
/// verification and decryption), SRTCP index 0x5d4.
#[test]
fn rfc7714_srtcp_gcm() {
    let enc128 = "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
                  c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
                  45d9eade 800005d4";
    let mut tx = gcm_ctx(SrtpSuite::AeadAes128Gcm, &key_n(16));
    tx.rtcp_streams.insert(
        0x4d617273,
        RtcpStream {
            next_index: 0x5d4,
            window: ReplayWindow::default(),
        },
    );
    assert_eq!(tx.protect_rtcp(&h(GCM_RTCP)).unwrap(), h(enc128));
    let mut rx = gcm_ctx(SrtpSuite::AeadAes128Gcm, &key_n(16));
    assert_eq!(rx.unprotect_rtcp(&h(enc128)).unwrap(), h(GCM_RTCP));

    let enc256 = "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50
                  a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c
                  b26ac3be 800005d4";
    let mut rx = gcm_ctx(SrtpSuite::AeadAes256Gcm, &key_n(32));
    assert_eq!(rx.unprotect_rtcp(&h(enc256)).unwrap(), h(GCM_RTCP));
    assert_eq!(rx.unprotect_rtcp(&h(enc256)), Err(SrtpError::Replay));
}

pub(super) fn keys_for(suite: SrtpSuite) -> (Vec<u8>, Vec<u8>) {
    let k = (0..suite.master_key_len() as u8)
        .map(|i| i.wrapping_mul(7) ^ 0x5a)
        .collect();
    let s = (0..suite.master_salt_len() as u8)
        .map(|i| i.wrapping_mul(13) ^ 0xa5)
        .collect();
    (k, s)
}

/// RTP packet with 2 CSRCs and a one-word header extension.
pub(super) fn rtp_packet(seq: u16, ssrc: u32, payload_len: usize) -> Vec<u8> {
    let mut p = vec![0x92, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[1, 1, 1, 1, 2, 2, 2, 2]); // CSRCs
    p.extend_from_slice(&[0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00]); // extension
    p.extend((0..payload_len).map(|i| i as u8));
    p
}

pub(super) fn rtcp_packet(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0xc8, 0x00, 0x06];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..20).map(|i| i as u8 ^ 0x33));
    p
}

fn pair(suite: SrtpSuite, mki: &[u8]) -> (SrtpContext, SrtpContext) {
    let (k, s) = keys_for(suite);
    let tx = SrtpContext::new(suite, &k, &s).unwrap().with_mki(mki);
    let rx = SrtpContext::new(suite, &k, &s).unwrap().with_mki(mki);
    (tx, rx)
}

#[test]
fn round_trip_every_suite_with_mki_and_roc() {
    for suite in SrtpSuite::ALL {
        for mki in [&[][..], &[0xde, 0xad, 0xbe, 0xef][..]] {
            let (mut tx, mut rx) = pair(suite, mki);
            let ssrc = 0xcafe_babe;
            tx.set_roc(ssrc, 7);
            rx.set_roc(ssrc, 7);
            // Crosses a sequence-number wrap: ROC 7 -> 8.
            for seq in [65_000u16, 65_534, 65_535, 0, 1, 30_000] {
                let pkt = rtp_packet(seq, ssrc, 37);
                let srtp = tx.protect_rtp(&pkt).unwrap();
                assert_eq!(srtp.len(), pkt.len() + mki.len() + suite.auth_tag_len());
                if suite.encrypts() {
                    assert_ne!(srtp[28..28 + 37], pkt[28..], "{suite}");
                }
                assert_eq!(rx.unprotect_rtp(&srtp).unwrap(), pkt, "{suite} seq {seq}");
            }
            assert_eq!(tx.roc(ssrc), Some(8));
            assert_eq!(rx.roc(ssrc), Some(8));
            for _ in 0..3 {
                let pkt = rtcp_packet(ssrc);
                let srtcp = tx.protect_rtcp(&pkt).unwrap();
                assert_eq!(
                    srtcp.len(),
                    pkt.len() + 4 + mki.len() + suite.rtcp_auth_tag_len()
                );
                assert_eq!(rx.unprotect_rtcp(&srtcp).unwrap(), pkt, "{suite}");
            }
        }
    }
}

#[test]
fn roc_is_part_of_the_tag() {
    for suite in SrtpSuite::ALL {
        let (mut tx, mut rx) = pair(suite, &[]);
        tx.set_roc(1, 3);
        rx.set_roc(1, 4);
        let srtp = tx.protect_rtp(&rtp_packet(10, 1, 20)).unwrap();
        assert_eq!(
            rx.unprotect_rtp(&srtp),
            Err(SrtpError::AuthFailed),
            "{suite}"
        );
    }
}

#[test]
fn every_bit_flip_is_rejected() {
    for suite in SrtpSuite::ALL {
        let (mut tx, mut rx) = pair(suite, &[9, 8]);
        let srtp = tx.protect_rtp(&rtp_packet(100, 42, 16)).unwrap();
        let srtcp = tx.protect_rtcp(&rtcp_packet(42)).unwrap();
        for (i, bit) in (0..srtp.len()).flat_map(|i| (0..8).map(move |b| (i, b))) {
            let mut bad = srtp.clone();
            bad[i] ^= 1 << bit;
            assert!(
                rx.unprotect_rtp(&bad).is_err(),
                "{suite} rtp byte {i} bit {bit}"
            );
        }
        for (i, bit) in (0..srtcp.len()).flat_map(|i| (0..8).map(move |b| (i, b))) {
            let mut bad = srtcp.clone();
            bad[i] ^= 1 << bit;
            assert!(
                rx.unprotect_rtcp(&bad).is_err(),
                "{suite} rtcp byte {i} bit {bit}"
            );
        }
        // The untouched packets still verify (failures left no state behind).
        assert!(rx.unprotect_rtp(&srtp).is_ok(), "{suite}");
        assert!(rx.unprotect_rtcp(&srtcp).is_ok(), "{suite}");
    }
}

#[test]
fn mki_mismatch() {
    let (mut tx, _) = pair(SrtpSuite::AesCm128HmacSha1_80, &[1, 2, 3]);
    let (_, mut rx) = pair(SrtpSuite::AesCm128HmacSha1_80, &[1, 2, 4]);
    let srtp = tx.protect_rtp(&rtp_packet(1, 5, 10)).unwrap();
    assert_eq!(rx.unprotect_rtp(&srtp), Err(SrtpError::MkiMismatch));
    let srtcp = tx.protect_rtcp(&rtcp_packet(5)).unwrap();
    assert_eq!(rx.unprotect_rtcp(&srtcp), Err(SrtpError::MkiMismatch));
}

#[test]
fn replay_and_window() {
    for suite in [SrtpSuite::AesCm128HmacSha1_32, SrtpSuite::AeadAes128Gcm] {
        let (mut tx, mut rx) = pair(suite, &[]);
        let pkts: Vec<Vec<u8>> = (0..200u16)
            .map(|s| tx.protect_rtp(&rtp_packet(s, 3, 8)).unwrap())
            .collect();
        assert!(rx.unprotect_rtp(&pkts[150]).is_ok());
        assert_eq!(rx.unprotect_rtp(&pkts[150]), Err(SrtpError::Replay));
        // Out of order inside the window is fine, once.
        assert!(rx.unprotect_rtp(&pkts[100]).is_ok());
        assert_eq!(rx.unprotect_rtp(&pkts[100]), Err(SrtpError::Replay));
        // Older than the 64-packet window.
        assert_eq!(rx.unprotect_rtp(&pkts[86]), Err(SrtpError::Replay));
        assert!(rx.unprotect_rtp(&pkts[87]).is_ok());
        assert!(rx.unprotect_rtp(&pkts[199]).is_ok());
        assert_eq!(rx.unprotect_rtp(&pkts[150]), Err(SrtpError::Replay));

        let c0 = tx.protect_rtcp(&rtcp_packet(3)).unwrap();
        assert!(rx.unprotect_rtcp(&c0).is_ok());
        assert_eq!(rx.unprotect_rtcp(&c0), Err(SrtpError::Replay));
    }
}

#[test]
fn key_derivation_rate() {
    let suite = SrtpSuite::AesCm128HmacSha1_80;
    let (k, s) = keys_for(suite);
    assert_eq!(
        SrtpContext::new(suite, &k, &s).unwrap().with_kdr(3).err(),
        Some(SrtpError::BadKdr)
    );
    assert_eq!(
        SrtpContext::new(suite, &k, &s)
            .unwrap()
            .with_kdr(1 << 25)
            .err(),
        Some(SrtpError::BadKdr)
    );
    let mut tx = SrtpContext::new(suite, &k, &s)
        .unwrap()
        .with_kdr(4)
        .unwrap();
    let mut rx = SrtpContext::new(suite, &k, &s)
        .unwrap()
        .with_kdr(4)
        .unwrap();
    let mut rx0 = SrtpContext::new(suite, &k, &s).unwrap();
    let pkts: Vec<Vec<u8>> = (0..12u16)
        .map(|s| tx.protect_rtp(&rtp_packet(s, 9, 8)).unwrap())
        .collect();
    // Indices 0..3 use r = 0, the same keys as kdr = 0; later ones do not.
    assert!(rx0.unprotect_rtp(&pkts[1]).is_ok());
    assert_eq!(rx0.unprotect_rtp(&pkts[5]), Err(SrtpError::AuthFailed));
    // Out of order across key-derivation boundaries.
    for i in [11, 2, 7, 0, 5, 10, 4] {
        assert_eq!(
            rx.unprotect_rtp(&pkts[i]).unwrap(),
            rtp_packet(i as u16, 9, 8)
        );
    }
    // r = index DIV kdr: the key_id for index 5 is label || 000000000001.
    let mut ctx = SrtpContext::new(suite, &k, &s)
        .unwrap()
        .with_kdr(4)
        .unwrap();
    let r = ctx.r_for(5);
    let key5 = ctx.keys[0]
        .session(suite, false, r)
        .unwrap()
        .0
        .enc_key
        .to_vec();
    let mut expect = [0u8; 16];
    kdf(
        &AesAny::new(&k).unwrap(),
        &s.clone().try_into().unwrap(),
        LABEL_RTP_ENC,
        1,
        &mut expect,
    );
    assert_eq!(key5, expect.to_vec());
}

#[test]
fn bad_lengths_and_short_packets_never_panic() {
    for suite in SrtpSuite::ALL {
        let (k, s) = keys_for(suite);
        assert_eq!(
            SrtpContext::new(suite, &k[1..], &s).err(),
            Some(SrtpError::BadKeyLength)
        );
        assert_eq!(
            SrtpContext::new(suite, &k, &s[1..]).err(),
            Some(SrtpError::BadSaltLength)
        );
        let (mut tx, mut rx) = pair(suite, &[7]);
        let srtp = tx.protect_rtp(&rtp_packet(1, 1, 4)).unwrap();
        let srtcp = tx.protect_rtcp(&rtcp_packet(1)).unwrap();
        for n in 0..srtp.len() {
            assert!(rx.unprotect_rtp(&srtp[..n]).is_err());
            let _ = tx.protect_rtp(&srtp[..n]);
        }
        for n in 0..srtcp.len() {
            assert!(rx.unprotect_rtcp(&srtcp[..n]).is_err());
            let _ = tx.protect_rtcp(&srtcp[..n]);
        }
        // Header extension length pointing past the end.
        let mut p = rtp_packet(2, 1, 0);
        p[22] = 0xff;
        assert_eq!(tx.protect_rtp(&p), Err(SrtpError::Truncated));
        assert_eq!(tx.protect_rtp(&[0x40; 12]), Err(SrtpError::Malformed));
    }
}

#[test]
fn debug_does_not_leak_keys() {
    let suite = SrtpSuite::AesCm128HmacSha1_80;
    let k = [0xabu8; 16];
    let mut ctx = SrtpContext::new(suite, &k, &[0xcd; 14]).unwrap();
    ctx.protect_rtp(&rtp_packet(1, 1, 4)).unwrap();
    let dbg = format!("{ctx:?}").to_lowercase();
    assert!(
        !dbg.contains("ab, ") && !dbg.contains("abab") && !dbg.contains("171"),
        "{dbg}"
    );
    assert!(dbg.contains("redacted"));
}

#[test]
fn index_estimation_appendix_a() {
    let mut st = RtpStream::default();
    st.window.update((5 << 16) | 100);
    assert_eq!(st.estimate(200).unwrap(), (5 << 16) | 200);
    assert_eq!(st.estimate(65_000).unwrap(), (4 << 16) | 65_000);
    let mut st = RtpStream::default();
    st.window.update((5 << 16) | 65_000);
    assert_eq!(st.estimate(10).unwrap(), (6 << 16) | 10);
    assert_eq!(st.estimate(40_000).unwrap(), (5 << 16) | 40_000);
    let mut st = RtpStream::default();
    st.window.update(100);
    assert_eq!(st.estimate(60_000), Err(SrtpError::IndexOutOfRange));
}
