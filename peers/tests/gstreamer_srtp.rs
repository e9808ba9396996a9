//! End to end with GStreamer's SRTP elements (`srtpenc`, `srtpdec` from
//! gstreamer1.0-plugins-bad, on libsrtp2), keyed from MIKEY messages this crate makes and
//! from `mikey::srtp::handoff::gstreamer::GstSrtpCaps`:
//!
//! * GStreamer encrypts (srtpenc keyed from the caps GStreamer's own MIKEY code,
//!   `gst_mikey_message_to_caps`, reads out of our MIKEY-NULL message); this crate's
//!   `SrtpContext` and libsrtp2 (keyed from `LibsrtpPolicy`) decrypt the same payloads,
//!   across a sequence-number wrap.
//! * This crate encrypts; srtpdec keyed from GStreamer's caps of the same message decrypts
//!   the same payloads.
//! * For every suite GStreamer has (AES-128/256-CM 80/32, NULL, AES-128/256-GCM), with an
//!   MKI and a non-zero ROC: srtpdec keyed from our `GstSrtpCaps` decrypts our packets, and
//!   srtpenc set from the same caps encrypts packets our context decrypts.
//!
//! GStreamer quirk, shown and reported, never switched on silently: GStreamer uses the key
//! data of a MIKEY message directly as SRTP master key ‖ master salt. For a TEK that is
//! what RFC 3830 §4.1.3 says too, and the two agree (the ONVIF form, one TEK of key ‖
//! salt); for a TGK, RFC 3830 §4.1.3 derives the master key and salt with the PRF, which
//! GStreamer skips: its srtp-key is the raw TGK, its SRTP does not match the derived keys,
//! and srtpdec drops every packet. Key a GStreamer peer with a TEK.

use gstreamer_app::gst;
use mikey::session::TransportKey;
use mikey::srtp::handoff::gstreamer::GstSrtpCaps;
use mikey::srtp::handoff::libsrtp::LibsrtpPolicy;
use mikey::srtp::{SrtpParams, SrtpSuite};
use mikey::wire::SrtpPolicy;
use mikey_interop::LibSrtp;
use mikey_peers::gst_srtp::{decrypt as gst_decrypt, encrypt as gst_encrypt};
use std::str::FromStr;

const SSRC: u32 = 0x6773_7472;

fn init() {
    gst::init().expect("gst::init");
}

/// An RTP packet (payload type 96) whose payload names its sequence number.
fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 90).to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(format!("media payload {seq:05}").as_bytes());
    p
}

/// Sequence numbers across a wrap (ROC + 1), in steps GStreamer and we both follow.
const SEQS: [u16; 6] = [65_500, 65_534, 65_535, 0, 1, 200];

fn mikey_null(policy: SrtpPolicy, key: TransportKey) -> (Vec<u8>, SrtpParams) {
    mikey_peers::mikey_null(policy, key, SSRC)
}

fn gst_caps_of_mikey(msg: &[u8]) -> gst::Caps {
    mikey_peers::gst_srtp::caps_of_mikey(msg, SSRC)
}

fn caps_key(caps: &gst::Caps) -> Vec<u8> {
    let b = caps
        .structure(0)
        .unwrap()
        .get::<gst::Buffer>("srtp-key")
        .unwrap();
    let m = b.map_readable().unwrap();
    m.as_slice().to_vec()
}

fn key_salt(p: &SrtpParams) -> Vec<u8> {
    [p.master_key.as_bytes(), p.master_salt.as_bytes()].concat()
}

fn packets() -> Vec<Vec<u8>> {
    SEQS.iter().map(|s| rtp(*s)).collect()
}

/// GStreamer deviation: `gst_mikey_message_to_caps` drops the key's SPI (the MKI), so
/// srtpenc/srtpdec keyed from it run without the MKI the message names.
#[test]
fn gstreamer_drops_the_mki_of_our_message() {
    let key: Vec<u8> = (0..30u8).collect();
    let tek = TransportKey::tek(&key).with_mki(&[0, 0, 0, 1]);
    let (msg, ours) = mikey_null(SrtpPolicy::aes_cm_128_hmac_sha1_80(), tek);
    assert_eq!(ours.mki.as_deref(), Some(&[0, 0, 0, 1][..]));
    let caps = gst_caps_of_mikey(&msg);
    assert_eq!(caps_key(&caps), key);
    assert!(
        !caps.structure(0).unwrap().has_field("mki"),
        "GStreamer keeps the MKI now"
    );
}

#[test]
fn keyed_by_our_mikey_message_media_flows_both_ways() {
    let key: Vec<u8> = (0..30u8).map(|i| i.wrapping_mul(11) ^ 0x5c).collect();
    // No MKI: GStreamer's MIKEY code would drop it (see above).
    let (msg, ours) = mikey_null(
        SrtpPolicy::aes_cm_128_hmac_sha1_80(),
        TransportKey::tek(&key),
    );
    let caps = gst_caps_of_mikey(&msg);
    assert_eq!(
        caps_key(&caps),
        key_salt(&ours),
        "GStreamer reads our TEK as key || salt"
    );

    // GStreamer encrypts; this crate and libsrtp2 decrypt the same payloads.
    let srtp = gst_encrypt(&caps, &packets());
    assert_eq!(srtp.len(), SEQS.len(), "srtpenc output");
    let mut ctx = ours.context().unwrap();
    let mut lib = LibSrtp::from_policy(&LibsrtpPolicy::new(&ours).unwrap()).unwrap();
    for (p, plain) in srtp.iter().zip(packets()) {
        assert_eq!(
            ctx.unprotect_rtp(p).unwrap(),
            plain,
            "mikey decrypts GStreamer"
        );
        assert_eq!(
            lib.unprotect(p).unwrap(),
            plain,
            "libsrtp2 decrypts GStreamer"
        );
    }
    assert_eq!(ctx.roc(SSRC), Some(1));

    // This crate encrypts; GStreamer decrypts with the caps of its own MIKEY code.
    let mut tx = ours.context().unwrap();
    let ours_srtp: Vec<Vec<u8>> = packets()
        .iter()
        .map(|p| tx.protect_rtp(p).unwrap())
        .collect();
    assert_eq!(ours_srtp, srtp, "the same SRTP bytes as srtpenc");
    assert_eq!(
        gst_decrypt(&caps, &ours_srtp),
        packets(),
        "srtpdec decrypts mikey"
    );
}

fn params(suite: SrtpSuite, roc: u32) -> SrtpParams {
    let n = |len: usize, x: u8| {
        (0..len as u8)
            .map(|i| i.wrapping_mul(7) ^ x)
            .collect::<Vec<_>>()
    };
    let (k, s) = (
        n(suite.master_key_len(), 0xa1),
        n(suite.master_salt_len(), 0x1a),
    );
    SrtpParams {
        ssrc: SSRC,
        roc,
        mki: Some(vec![0xc0, 0xde]),
        ..SrtpParams::from_keys(suite, &k, &s).unwrap()
    }
}

#[test]
fn gstreamer_caps_handoff_for_every_suite() {
    init();
    for suite in SrtpSuite::ALL {
        if GstSrtpCaps::new(&params(suite, 0)).is_err() {
            // AES-192 (no such cipher) and the NULL cipher (see below).
            assert!(!suite.encrypts() || suite.master_key_len() == 24, "{suite}");
            continue;
        }
        // srtpdec takes the ROC from the caps: start it at 7.
        let p = params(suite, 7);
        let caps = gst::Caps::from_str(&GstSrtpCaps::new(&p).unwrap().to_caps_string())
            .unwrap_or_else(|_| panic!("{suite}: caps string"));
        let mut tx = p.context().unwrap();
        let ours: Vec<Vec<u8>> = packets()
            .iter()
            .map(|x| tx.protect_rtp(x).unwrap())
            .collect();
        assert_eq!(gst_decrypt(&caps, &ours), packets(), "{suite}: srtpdec");

        // srtpenc has no ROC setting: it starts at 0.
        let p0 = params(suite, 0);
        let caps0 = gst::Caps::from_str(&GstSrtpCaps::new(&p0).unwrap().to_caps_string()).unwrap();
        let theirs = gst_encrypt(&caps0, &packets());
        let mut rx = p0.context().unwrap();
        assert_eq!(theirs.len(), SEQS.len(), "{suite}: srtpenc output");
        for (x, plain) in theirs.iter().zip(packets()) {
            assert_eq!(
                rx.unprotect_rtp(x).unwrap(),
                plain,
                "{suite}: srtpenc -> mikey"
            );
        }
    }
}

/// The reported quirk: for a TGK, GStreamer's srtp-key is the raw TGK, not the RFC 3830
/// §4.1.3 derived key and salt, and its srtpdec cannot read our (RFC) SRTP.
#[test]
fn gstreamer_uses_a_tgk_as_master_key_and_salt() {
    let tgk: Vec<u8> = (0..30u8).collect();
    let (msg, ours) = mikey_null(
        SrtpPolicy::aes_cm_128_hmac_sha1_80(),
        TransportKey::tgk(&tgk),
    );
    let caps = gst_caps_of_mikey(&msg);
    assert_eq!(caps_key(&caps), tgk, "GStreamer: the TGK as key || salt");
    assert_ne!(
        key_salt(&ours),
        tgk,
        "RFC 3830 §4.1.3: derived from the TGK"
    );
    let mut tx = ours.context().unwrap();
    let srtp: Vec<Vec<u8>> = packets()
        .iter()
        .map(|p| tx.protect_rtp(p).unwrap())
        .collect();
    assert!(
        gst_decrypt(&caps, &srtp).is_empty(),
        "srtpdec drops every packet"
    );
    // Handing GStreamer the exported (derived) key instead works.
    let handoff = gst::Caps::from_str(&GstSrtpCaps::new(&ours).unwrap().to_caps_string()).unwrap();
    assert_eq!(gst_decrypt(&handoff, &srtp), packets());
}

/// Why `GstSrtpCaps` refuses the NULL-cipher suites: srtpdec cannot create a stream for
/// cipher `null` with an HMAC-SHA1 authentication and a master key (GStreamer 1.22 logs
/// "Failed to create the stream (err: 2)", libsrtp2's bad_param) and drops every packet.
#[test]
fn gstreamer_has_no_null_cipher_with_authentication() {
    init();
    let p = params(SrtpSuite::NullHmacSha1_80, 0);
    let key: String = key_salt(&p).iter().map(|b| format!("{b:02x}")).collect();
    let caps = gst::Caps::from_str(&format!(
        "application/x-srtp, ssrc=(uint){SSRC}, srtp-key=(buffer){key}, \
         srtp-cipher=(string)null, srtp-auth=(string)hmac-sha1-80, \
         srtcp-cipher=(string)null, srtcp-auth=(string)hmac-sha1-80"
    ))
    .unwrap();
    let mut tx = SrtpParams { mki: None, ..p }.context().unwrap();
    let srtp: Vec<Vec<u8>> = packets()
        .iter()
        .map(|x| tx.protect_rtp(x).unwrap())
        .collect();
    assert!(
        gst_decrypt(&caps, &srtp).is_empty(),
        "srtpdec takes NULL now"
    );
}
