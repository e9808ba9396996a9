//! Interoperability of the SDP we write (RFC 4567 `a=key-mgmt:mikey`, RFC 5576 `a=ssrc`)
//! with GStreamer's SDP and MIKEY code (`gstsdpmessage.c`, `gstmikey.c`), the code rtspsrc
//! and gst-rtsp-server use: `gst_sdp_message_parse_buffer` (through the safe
//! `SDPMessage::parse_buffer`), then `gst_sdp_message_parse_keymgmt` /
//! `gst_sdp_media_parse_keymgmt` (which run `gst_mikey_message_new_from_data`) through
//! `gstreamer_sdp::ffi`, and the SRTP caps rtspsrc derives from them
//! (`gst_sdp_message_attributes_to_caps`, `gst_sdp_media_attributes_to_caps`, which call
//! `gst_mikey_message_to_caps`).
//!
//! Only messages GStreamer can parse are given to it (see tests/gstreamer.rs: its parser
//! loops for ever on V, ID and other payloads it does not know, and reads an encrypted
//! KEMAC as clear key data): MIKEY-NULL I_MESSAGEs (HDR, T, [RAND], SP, NULL/NULL KEMAC)
//! as ONVIF uses them, built by `mikey::sdp::onvif` or taken from the ONVIF examples. Every
//! GStreamer call runs on its own thread with a timeout.
//!
//! Asserted: GStreamer reads the SDP structure we write (session name, media, ports,
//! protocols, `a=ssrc`, the `key-mgmt` values), finds the MIKEY message at session level
//! and at media level, reads its header and crypto sessions as we wrote them and
//! re-encodes it to our bytes, and its SRTP caps carry our key.
//!
//! GStreamer 1.22 deviations found (each asserted):
//! * `gst_mikey_message_to_caps` puts only the Key data field into `srtp-key`: for a
//!   TEK+SALT (the ONVIF form for suites other than AES_CM_128_HMAC_SHA1_80) the salt is
//!   lost, so rtspsrc would run SRTP with a key missing its salt.
//! * `gst_sdp_message_parse_keymgmt` and `gst_sdp_media_parse_keymgmt` return 1 (a
//!   gboolean TRUE, not a `GstSDPResult`) when they found and parsed a MIKEY message, and
//!   `GST_SDP_OK` when there is none; callers must look at the message pointer instead.
//! * `gst_sdp_message_attributes_to_caps` returns an error for a session-level MIKEY
//!   attribute although it filled the SRTP caps (rtspsrc ignores the result).

use core::time::Duration;
use gstreamer_sdp::ffi as sdp;
use gstreamer_sdp::glib::ffi as gffi;
use gstreamer_sdp::gst;
use mikey::sdp::offer_answer::add_ssrc;
use mikey::sdp::onvif::{OnvifClient, OnvifDevice, OnvifTolerances};
use mikey::sdp::{encode_base64, set_key_mgmt, KeyMgmtLevel};
use mikey::srtp::export::SrtpParams;
use mikey::srtp::SrtpSuite;
use mikey::wire::{CsIdMap, Message};
use std::path::Path;
use std::sync::mpsc;

const NOW: Duration = Duration::from_secs(1_790_000_000);

/// What GStreamer made of a MIKEY message.
#[derive(Clone, Debug, PartialEq, Eq)]
struct GstMikey {
    data_type: u8,
    csb_id: u32,
    cs: Vec<(u8, u32, u32)>,
    n_payloads: u32,
    /// `gst_mikey_message_to_bytes`.
    bytes: Vec<u8>,
}

/// The SRTP fields of caps filled by `gst_sdp_*_attributes_to_caps`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct GstCaps {
    srtp_key: Option<Vec<u8>>,
    srtp_cipher: Option<String>,
    srtp_auth: Option<String>,
}

/// One media description as GStreamer read it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct GstMedia {
    media: String,
    port: u32,
    proto: String,
    ssrc: Option<String>,
    key_mgmt: Option<String>,
    mikey: Option<GstMikey>,
    /// The `GstSDPResult` of `gst_sdp_media_parse_keymgmt`.
    parse_result: i32,
    caps: GstCaps,
    /// Whether `gst_sdp_media_attributes_to_caps` returned `GST_SDP_OK`.
    caps_ok: bool,
}

/// What GStreamer made of an SDP.
#[derive(Clone, Debug, PartialEq, Eq)]
struct GstSdp {
    session_name: String,
    key_mgmt: Option<String>,
    mikey: Option<GstMikey>,
    /// The `GstSDPResult` of `gst_sdp_message_parse_keymgmt`.
    parse_result: i32,
    caps: GstCaps,
    /// Whether `gst_sdp_message_attributes_to_caps` returned `GST_SDP_OK`.
    caps_ok: bool,
    medias: Vec<GstMedia>,
}

fn init() {
    gst::init().expect("gst::init");
}

/// Reads a `GstMIKEYMessage` and frees it.
unsafe fn take_mikey(m: *mut sdp::GstMIKEYMessage) -> GstMikey {
    let n_cs = sdp::gst_mikey_message_get_n_cs(m);
    let cs = (0..n_cs)
        .map(|i| {
            let c = &*sdp::gst_mikey_message_get_cs_srtp(m, i);
            (c.policy, c.ssrc, c.roc)
        })
        .collect();
    let b = sdp::gst_mikey_message_to_bytes(m, std::ptr::null_mut(), std::ptr::null_mut());
    assert!(!b.is_null(), "gst_mikey_message_to_bytes failed");
    let mut n = 0usize;
    let d = gffi::g_bytes_get_data(b, &mut n) as *const u8;
    let bytes = if n == 0 {
        Vec::new()
    } else {
        std::slice::from_raw_parts(d, n).to_vec()
    };
    gffi::g_bytes_unref(b);
    let out = GstMikey {
        data_type: (*m).type_ as u8,
        csb_id: (*m).CSB_id,
        cs,
        n_payloads: sdp::gst_mikey_message_get_n_payloads(m),
        bytes,
    };
    gst::ffi::gst_mini_object_unref(m as *mut gst::ffi::GstMiniObject);
    out
}

fn caps_fields(caps: &gst::Caps) -> GstCaps {
    let s = caps.structure(0).expect("caps structure");
    GstCaps {
        srtp_key: s.get::<gst::Buffer>("srtp-key").ok().map(|b| {
            let m = b.map_readable().unwrap();
            m.as_slice().to_vec()
        }),
        srtp_cipher: s.get::<String>("srtp-cipher").ok(),
        srtp_auth: s.get::<String>("srtp-auth").ok(),
    }
}

fn gst_read_now(text: &[u8]) -> GstSdp {
    init();
    let msg = gstreamer_sdp::SDPMessage::parse_buffer(text).expect("GStreamer rejects our SDP");
    let raw = &*msg as *const gstreamer_sdp::SDPMessageRef as *const sdp::GstSDPMessage;
    let mut mikey = std::ptr::null_mut();
    let res = unsafe { sdp::gst_sdp_message_parse_keymgmt(raw, &mut mikey) };
    let session_result = res;
    let session_mikey = (!mikey.is_null()).then(|| unsafe { take_mikey(mikey) });
    let mut caps = gst::Caps::new_empty_simple("application/x-srtp");
    let session_caps_ok = msg.attributes_to_caps(caps.get_mut().unwrap()).is_ok();
    let session_caps = caps_fields(&caps);
    let medias = (0..msg.medias_len())
        .map(|i| {
            let m = msg.media(i).unwrap();
            let raw = m as *const gstreamer_sdp::SDPMediaRef as *const sdp::GstSDPMedia;
            let mut mk = std::ptr::null_mut();
            let res = unsafe { sdp::gst_sdp_media_parse_keymgmt(raw, &mut mk) };
            let mikey = (!mk.is_null()).then(|| unsafe { take_mikey(mk) });
            let mut caps = gst::Caps::new_empty_simple("application/x-srtp");
            let caps_ok = m.attributes_to_caps(caps.get_mut().unwrap()).is_ok();
            GstMedia {
                media: m.media().unwrap_or_default().to_owned(),
                port: m.port(),
                proto: m.proto().unwrap_or_default().to_owned(),
                ssrc: m.attribute_val("ssrc").map(str::to_owned),
                key_mgmt: m.attribute_val("key-mgmt").map(str::to_owned),
                mikey,
                parse_result: res,
                caps: caps_fields(&caps),
                caps_ok,
            }
        })
        .collect();
    GstSdp {
        session_name: msg.session_name().unwrap_or_default().to_owned(),
        key_mgmt: msg.attribute_val("key-mgmt").map(str::to_owned),
        mikey: session_mikey,
        parse_result: session_result,
        caps: session_caps,
        caps_ok: session_caps_ok,
        medias,
    }
}

/// [`gst_read_now`] on a thread with a timeout (GStreamer's MIKEY parser can loop).
fn gst_read(text: &str) -> GstSdp {
    let b = text.as_bytes().to_vec();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(gst_read_now(&b));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("GStreamer did not return within 10 s")
}

fn load_b64(name: &str) -> Vec<u8> {
    use base64::Engine as _;
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testvectors")
        .join(name);
    base64::engine::general_purpose::STANDARD
        .decode(std::fs::read_to_string(p).unwrap().trim())
        .unwrap()
}

fn our_sdp() -> sdp_types::Session {
    let mut s = sdp_types::Session::parse(
        b"v=0\r\no=- 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=ONVIF stream\r\n\
          c=IN IP4 192.0.2.10\r\nt=0 0\r\na=control:rtsps://cam/onvif\r\n\
          m=audio 0 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=control:rtsps://cam/onvif/audio\r\n\
          m=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsps://cam/onvif/video\r\n",
    )
    .unwrap();
    add_ssrc(&mut s, 0, 0x0a0a_0001, "camera").unwrap();
    add_ssrc(&mut s, 1, 0x0b0b_0002, "camera").unwrap();
    s
}

fn text(s: &sdp_types::Session) -> String {
    let mut out = Vec::new();
    s.write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// GStreamer read `bytes` as we wrote them: header, crypto sessions, and the same encoding.
fn same_mikey(g: &GstMikey, bytes: &[u8], what: &str) {
    let m = Message::parse(bytes).unwrap();
    assert_eq!(g.data_type, m.header.data_type.to_wire(), "{what}");
    assert_eq!(g.csb_id, m.header.csb_id, "{what}");
    let CsIdMap::SrtpId(map) = &m.header.cs_map else {
        panic!("{what}: SRTP-ID map expected")
    };
    let cs: Vec<_> = map
        .iter()
        .map(|(_, c)| (c.policy_no, c.ssrc, c.roc))
        .collect();
    assert_eq!(g.cs, cs, "{what}");
    assert_eq!(g.n_payloads as usize, m.payloads.len(), "{what}");
    assert_eq!(g.bytes, bytes, "{what}: GStreamer re-encodes differently");
}

fn key_and_salt(p: &SrtpParams) -> Vec<u8> {
    [p.master_key.as_bytes(), p.master_salt.as_bytes()].concat()
}

#[test]
fn gstreamer_reads_the_key_mgmt_of_our_sdp() {
    let mut rng = {
        let mut n = 1u8;
        move |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_add(97);
                *x = n;
            }
        }
    };
    // Session level: the ONVIF client's SETUP message (AES_CM_128_HMAC_SHA1_80, TEK =
    // key || salt, MKI, RAND, SP).
    let mut client = OnvifClient::new(
        SrtpSuite::AesCm128HmacSha1_80,
        0x0a0a_0001,
        OnvifTolerances::STRICT,
    );
    let session_msg = client
        .setup_header(None, NOW, &mut rng)
        .unwrap()
        .mikey()
        .unwrap()
        .to_vec();
    let session_key = client.current_srtp().unwrap().remove(0);
    // Media level (video): a device key for AES_CM_256 sent as TEK+SALT.
    let video_key = OnvifDevice::generate_key(
        SrtpSuite::AesCm256HmacSha1_80,
        [0, 0, 0, 0x20],
        0x0b0b_0002,
        5,
        NOW,
        &mut rng,
    )
    .unwrap();
    let video_msg = OnvifDevice::device_key_message(&video_key, NOW, &mut rng).unwrap();

    let mut s = our_sdp();
    set_key_mgmt(&mut s, KeyMgmtLevel::Session, &session_msg).unwrap();
    set_key_mgmt(&mut s, KeyMgmtLevel::Media(1), &video_msg).unwrap();
    let g = gst_read(&text(&s));

    assert_eq!(g.session_name, "ONVIF stream");
    assert_eq!(
        g.key_mgmt,
        Some(format!("mikey {}", encode_base64(&session_msg)))
    );
    assert_eq!(g.medias.len(), 2);
    let shape: Vec<_> = g
        .medias
        .iter()
        .map(|m| {
            (
                m.media.as_str(),
                m.port,
                m.proto.as_str(),
                m.ssrc.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("audio", 0, "RTP/SAVP", Some("168427521 cname:camera")),
            ("video", 0, "RTP/SAVP", Some("185270274 cname:camera")),
        ]
    );
    assert_eq!(g.medias[0].key_mgmt, None);
    assert_eq!(
        g.medias[1].key_mgmt,
        Some(format!("mikey {}", encode_base64(&video_msg)))
    );

    // The MIKEY messages, read and re-encoded alike.
    same_mikey(g.mikey.as_ref().unwrap(), &session_msg, "session level");
    assert_eq!(
        g.medias[0].mikey, None,
        "no media-level attribute for audio"
    );
    same_mikey(
        g.medias[1].mikey.as_ref().unwrap(),
        &video_msg,
        "media level",
    );

    // SRTP caps: the session key (TEK = key || salt) arrives whole, although
    // gst_sdp_message_attributes_to_caps reports a failure after filling them.
    assert!(!g.caps_ok);
    assert!(g.medias.iter().all(|m| m.caps_ok));
    assert_eq!(g.caps.srtp_key, Some(key_and_salt(&session_key)));
    assert_eq!(g.caps.srtp_cipher.as_deref(), Some("aes-128-icm"));
    assert_eq!(g.caps.srtp_auth.as_deref(), Some("hmac-sha1-80"));
    // Media level: AES-256, but GStreamer keeps only the Key data of the TEK+SALT.
    let v = &g.medias[1].caps;
    assert_eq!(v.srtp_cipher.as_deref(), Some("aes-256-icm"));
    assert_eq!(v.srtp_auth.as_deref(), Some("hmac-sha1-80"));
    assert_eq!(
        v.srtp_key.as_deref(),
        Some(video_key.master_key.as_bytes()),
        "GStreamer drops the salt of a TEK+SALT"
    );
    assert_eq!(g.medias[0].caps, GstCaps::default());
}

#[test]
fn gstreamer_reads_the_onvif_examples_in_our_sdp() {
    for (name, key) in [
        (
            "onvif-streaming-setup-keymgmt-client.b64",
            "df40b9f54ac2944d1edbb50fe61fd6b72f542fcf9d7f383edadb669a8de4",
        ),
        (
            "onvif-streaming-set-parameter-rekey-client.b64",
            "a5e923b3cf20f90ec053a2c0bd1b285729f5f195b526e5c8f6a86de20ebe",
        ),
        (
            "onvif-streaming-get-parameter-multicast-device.b64",
            "ececd2e6e9993171ea69e8190b75240f06c2e4d3698f86fcf9f07a31139e",
        ),
    ] {
        let msg = load_b64(name);
        let mut s = our_sdp();
        set_key_mgmt(&mut s, KeyMgmtLevel::Media(1), &msg).unwrap();
        let g = gst_read(&text(&s));
        assert_eq!(g.mikey, None, "{name}");
        assert_eq!(
            (g.parse_result, g.caps_ok),
            (sdp::GST_SDP_OK, true),
            "{name}"
        );
        assert_eq!(g.medias[1].parse_result, 1, "{name}");
        same_mikey(g.medias[1].mikey.as_ref().unwrap(), &msg, name);
        let want: Vec<u8> = (0..key.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&key[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(g.medias[1].caps.srtp_key, Some(want), "{name}");
        assert_eq!(
            g.medias[1].caps.srtp_cipher.as_deref(),
            Some("aes-128-icm"),
            "{name}"
        );
    }
}
