//! Hand-off formats: the RFC 4568 example line, the fields each consumer gets, and what
//! each one refuses. The consumers themselves run in `interop/` (libsrtp2, webrtc-rs)
//! and `peers/` (GStreamer).

use super::gstreamer::GstSrtpCaps;
use super::json::SrtpParamsJson;
use super::libsrtp::LibsrtpPolicy;
use super::sdes::crypto_attribute;
use super::webrtc::WebrtcSrtpArgs;
use crate::crypto::SecretBytes;
use crate::srtp::{RccMode, RocCarrying, SrtpParams, SrtpSuite};
use crate::wire::KeyValidity;
use base64::Engine as _;
use std::borrow::Cow;

fn params(suite: SrtpSuite) -> SrtpParams {
    let (k, s) = (
        vec![0x11; suite.master_key_len()],
        vec![0x22; suite.master_salt_len()],
    );
    SrtpParams {
        ssrc: 0xdead_beef,
        ..SrtpParams::from_keys(suite, &k, &s).unwrap()
    }
}

/// RFC 4568 §6.1's example key parameter `inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR
/// |2^20|1:32` (§9.1 grammar): the same key and MKI give the same attribute (we write no
/// lifetime).
#[test]
fn rfc4568_example_key_parameter() {
    let b64 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let mut p = params(SrtpSuite::AesCm128HmacSha1_80);
    p.master_key = SecretBytes::from_slice(&raw[..16]);
    p.master_salt = SecretBytes::from_slice(&raw[16..]);
    let mut mki = vec![0u8; 32];
    mki[31] = 1;
    p.mki = Some(mki);
    assert_eq!(
        crypto_attribute(&p, 1).unwrap(),
        format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{b64}|1:32")
    );
}

#[test]
fn sdes_session_parameters_and_refusals() {
    let mut p = params(SrtpSuite::NullHmacSha1_32);
    p.kdr = 1 << 16;
    let line = crypto_attribute(&p, 7).unwrap();
    assert!(line.starts_with("a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:"));
    assert!(
        line.ends_with(" KDR=16 UNENCRYPTED_SRTP UNENCRYPTED_SRTCP"),
        "{line}"
    );
    let mut p = params(SrtpSuite::AeadAes256Gcm);
    p.roc = 1;
    assert_eq!(crypto_attribute(&p, 1).unwrap_err().consumer, "SDES");
    let mut p = params(SrtpSuite::AesCm256HmacSha1_80);
    p.mki = Some(vec![1; 9]);
    assert!(crypto_attribute(&p, 1).is_err());
}

#[test]
fn gstreamer_caps_fields() {
    let mut p = params(SrtpSuite::AesCm128HmacSha1_32);
    p.roc = 3;
    p.mki = Some(vec![0xab, 0xcd]);
    let caps = GstSrtpCaps::new(&p).unwrap();
    assert_eq!(caps.srtp_key.len(), 30);
    assert_eq!(
        caps.to_caps_string(),
        format!(
            "application/x-srtp, ssrc=(uint){}, srtp-key=(buffer){}{}, \
             srtp-cipher=(string)aes-128-icm, srtp-auth=(string)hmac-sha1-32, \
             srtcp-cipher=(string)aes-128-icm, srtcp-auth=(string)hmac-sha1-80, \
             roc=(uint)3, mki=(buffer)abcd",
            0xdead_beefu32,
            "11".repeat(16),
            "22".repeat(14)
        )
    );
    let g = GstSrtpCaps::new(&params(SrtpSuite::AeadAes256Gcm)).unwrap();
    assert_eq!((g.srtp_cipher, g.srtp_auth), ("aes-256-gcm", "null"));
    assert!(GstSrtpCaps::new(&params(SrtpSuite::AesCm192HmacSha1_80)).is_err());
    assert!(GstSrtpCaps::new(&params(SrtpSuite::NullHmacSha1_80)).is_err());
    assert!(!format!("{caps:?}").contains("1111"));
}

#[test]
fn libsrtp_policy_and_rtp_decoder() {
    let p = params(SrtpSuite::AeadAes128Gcm);
    let pol = LibsrtpPolicy::new(&p).unwrap();
    assert_eq!(pol.rtp_setter, "aes_gcm_128_16_auth");
    let args = pol.rtp_decoder_args("udp port 5004").unwrap();
    let key = format!("{}{}", "11".repeat(16), "22".repeat(12));
    assert_eq!(
        args,
        [
            "-e",
            "128",
            "-g",
            "-t",
            "16",
            "-k",
            &key,
            "-f",
            "udp port 5004"
        ]
    );
    let mut p = params(SrtpSuite::AesCm128HmacSha1_80);
    p.mki = Some(vec![1]);
    let pol = LibsrtpPolicy::new(&p).unwrap();
    assert_eq!(
        pol.rtp_decoder_args("").unwrap_err().consumer,
        "rtp_decoder"
    );
    let n = LibsrtpPolicy::new(&params(SrtpSuite::NullHmacSha1_32)).unwrap();
    assert_eq!(
        (n.rtp_setter, n.rtp_auth_tag_len),
        ("null_cipher_hmac_sha1_80", 4)
    );
    assert_eq!(n.rtp_decoder_args("").unwrap()[..3], ["-a", "-t", "4"]);
}

#[test]
fn no_consumer_takes_rcc_or_intervals() {
    let mut rcc = params(SrtpSuite::AeadAes128Gcm);
    rcc.rcc = Some(RocCarrying {
        mode: RccMode::Mode3,
        rate: 1,
    });
    let mut iv = params(SrtpSuite::AesCm128HmacSha1_80);
    iv.key_validity = KeyValidity::Interval {
        from: Cow::Owned(vec![0; 6]),
        to: Cow::Owned(vec![0, 0, 0, 0, 1, 0]),
    };
    for p in [&rcc, &iv] {
        assert!(GstSrtpCaps::new(p).is_err());
        assert!(LibsrtpPolicy::new(p).is_err());
        assert!(crypto_attribute(p, 1).is_err());
        assert!(WebrtcSrtpArgs::new(p).is_err());
    }
    let e = GstSrtpCaps::new(&rcc).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GStreamer cannot take RFC 4771 ROC-carrying transform (RCCm3 (4), R = 1)"
    );
}

#[test]
fn webrtc_profiles() {
    let w = WebrtcSrtpArgs::new(&params(SrtpSuite::AesCm128HmacSha1_32)).unwrap();
    assert_eq!(w.profile, "Aes128CmHmacSha1_32");
    assert!(WebrtcSrtpArgs::new(&params(SrtpSuite::AesCm192HmacSha1_80)).is_err());
    let mut roc = params(SrtpSuite::AesCm256HmacSha1_80);
    roc.roc = 2;
    assert!(WebrtcSrtpArgs::new(&roc).is_err());
    let mut m = params(SrtpSuite::AeadAes128Gcm);
    m.mki = Some(vec![1]);
    assert!(WebrtcSrtpArgs::new(&m).is_err());
}

#[test]
fn json_fields() {
    let mut p = params(SrtpSuite::AesCm128HmacSha1_80);
    p.mki = Some(vec![0, 9]);
    p.key_validity = KeyValidity::Interval {
        from: Cow::Owned(vec![0, 0, 0, 0, 0, 5]),
        to: Cow::Owned(vec![0, 0, 0, 0, 1, 0]),
    };
    let j = serde_json::to_value(SrtpParamsJson::from(&p)).unwrap();
    assert_eq!(j["suite"], "AES_CM_128_HMAC_SHA1_80");
    assert_eq!(j["master_key"], "11".repeat(16));
    assert_eq!(j["mki"], "0009");
    assert_eq!(j["key_interval"], serde_json::json!([5, 256]));
    assert_eq!(j["roc_carrying"], serde_json::Value::Null);
    assert!(!format!("{:?}", SrtpParamsJson::from(&p)).contains("1111"));
}
