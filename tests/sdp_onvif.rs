//! The ONVIF streaming profile (MIKEY-NULL over RTSPS): the three example messages of the
//! ONVIF Streaming Specification, round trips through our own client and device for
//! several suites, re-keying with MKI change and ROC kept, multicast key retrieval, and
//! the 403/451/463 failures.

mod common;
use core::time::Duration;
use mikey::sdp::onvif::*;
use mikey::sdp::{encode_base64, KeyMgmtError, KeyMgmtHeader};
use mikey::session::{PskConfig, PskInitiator, SessionError, TransportKey};
use mikey::srtp::export::SrtpParams;
use mikey::srtp::SrtpSuite;
use mikey::wire::{EncrAlg, MacAlg, Message, Payload, SrtpCs, SrtpPolicy};

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(29);
            *x = n;
        }
    }
}

fn rtp(ssrc: u32, seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&90_000u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"onvif video frame");
    p
}

fn setup_header_of(name: &str) -> String {
    format!(
        "prot=mikey;uri=\"\";data=\"{}\"",
        encode_base64(&common::load(name))
    )
}

fn same_key(a: &SrtpParams, b: &SrtpParams) {
    assert_eq!(a.suite, b.suite);
    assert_eq!(a.master_key, b.master_key);
    assert_eq!(a.master_salt, b.master_salt);
    assert_eq!(a.mki, b.mki);
}

#[test]
fn onvif_setup_example_needs_the_genetec_tolerances() {
    let header = setup_header_of("onvif-streaming-setup-keymgmt-client.b64");
    let mut strict = OnvifDevice::new(OnvifTolerances::STRICT);
    let f = strict.setup(Some(&header), None, NOW).unwrap_err();
    assert_eq!(f.status, 463);
    assert_eq!(f.error, KeyMgmtError::Mikey(SessionError::InvalidTimestamp));
    let mut any_time = OnvifDevice::new(OnvifTolerances {
        accept_any_time: true,
        allow_missing_rand: false,
    });
    assert_eq!(
        any_time.setup(Some(&header), None, NOW).unwrap_err().error,
        KeyMgmtError::Mikey(SessionError::MissingPayload("RAND"))
    );
    let mut device = OnvifDevice::new(OnvifTolerances::GENETEC);
    let keys = device.setup(Some(&header), Some(0x0bad_cafe), NOW).unwrap();
    assert_eq!(keys.csb_id, 0xfd6d77d0);
    assert_eq!(keys.srtp.len(), 1);
    let p = &keys.srtp[0];
    assert_eq!(p.suite, SrtpSuite::AesCm128HmacSha1_80);
    assert_eq!(
        p.master_key.as_bytes(),
        &common::hex("df40b9f54ac2944d1edbb50fe61fd6b7")[..]
    );
    assert_eq!(
        p.master_salt.as_bytes(),
        &common::hex("2f542fcf9d7f383edadb669a8de4")[..]
    );
    assert_eq!(p.mki.as_deref(), Some(&common::hex("0000002f")[..]));
    assert_eq!(
        (p.ssrc, p.roc),
        (0xc20f551c, 0),
        "the client's SSRC wins over ours"
    );
    // The same SETUP again is a replay.
    assert_eq!(
        device.setup(Some(&header), None, NOW).unwrap_err().error,
        KeyMgmtError::Mikey(SessionError::Replay)
    );
}

#[test]
fn onvif_rekey_example_replaces_the_key_and_keeps_the_roc() {
    let mut device = OnvifDevice::new(OnvifTolerances::GENETEC);
    let header = setup_header_of("onvif-streaming-setup-keymgmt-client.b64");
    let keys = device.setup(Some(&header), None, NOW).unwrap();
    let body = format!(
        "mikey: {}\r\n",
        encode_base64(&common::load(
            "onvif-streaming-set-parameter-rekey-client.b64"
        ))
    );
    assert_eq!(
        parse_mikey_parameter(&body).unwrap(),
        common::load("onvif-streaming-set-parameter-rekey-client.b64")
    );
    // A failed re-key changes nothing.
    assert_eq!(
        device
            .rekey(keys.csb_id, "volume: 1\r\n", None, NOW)
            .unwrap_err()
            .status,
        451
    );
    assert_eq!(
        device.rekey(0x1234, &body, None, NOW).unwrap_err().error,
        KeyMgmtError::UnknownSession(0x1234)
    );
    let new = device.rekey(keys.csb_id, &body, Some(41), NOW).unwrap();
    // The Genetec client re-keys with a new CSB (no RAND): it replaces the old one.
    assert_eq!(new.csb_id, 0x6802afc1);
    assert!(device.responder().bundle(0xfd6d77d0).is_none());
    let p = &new.srtp[0];
    assert_eq!(
        p.master_key.as_bytes(),
        &common::hex("a5e923b3cf20f90ec053a2c0bd1b2857")[..]
    );
    assert_eq!(
        p.master_salt.as_bytes(),
        &common::hex("29f5f195b526e5c8f6a86de20ebe")[..]
    );
    assert_eq!(p.mki.as_deref(), Some(&common::hex("00000002")[..]));
    assert_eq!((p.ssrc, p.roc), (0xd2bf1824, 41), "ROC kept");
    assert!(device.teardown(new.csb_id));
    assert!(!device.teardown(new.csb_id));
}

#[test]
fn onvif_multicast_example_is_read_by_the_client() {
    let msg = common::load("onvif-streaming-get-parameter-multicast-device.b64");
    let t = Message::parse(&msg)
        .unwrap()
        .find(|p| match p {
            Payload::T(t) => Some(*t),
            _ => None,
        })
        .unwrap()
        .to_unix()
        .unwrap();
    let body = format_mikey_parameter(&msg);
    let mut client = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::STRICT);
    assert_eq!(
        client.handle_multicast_key(&body, NOW).unwrap_err(),
        KeyMgmtError::Mikey(SessionError::InvalidTimestamp),
        "sent in 2016"
    );
    let keys = client.handle_multicast_key(&body, t).unwrap();
    assert_eq!(keys.csb_id, 0x6ad5a258);
    let p = &keys.srtp[0];
    assert_eq!(
        p.master_key.as_bytes(),
        &common::hex("ececd2e6e9993171ea69e8190b75240f")[..]
    );
    assert_eq!(
        p.master_salt.as_bytes(),
        &common::hex("06c2e4d3698f86fcf9f07a31139e")[..]
    );
    assert_eq!(p.mki.as_deref(), Some(&common::hex("0000000d")[..]));
    assert_eq!((p.ssrc, p.roc), (0xdd05c028, 0));
    assert_eq!(
        client.handle_multicast_key(&body, t).unwrap_err(),
        KeyMgmtError::Mikey(SessionError::Replay)
    );
    let mut tolerant =
        OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::GENETEC);
    assert_eq!(tolerant.handle_multicast_key(&body, NOW).unwrap(), keys);
}

#[test]
fn the_three_examples_follow_the_profile() {
    for (f, mki) in [
        ("onvif-streaming-setup-keymgmt-client.b64", 0x2f),
        ("onvif-streaming-set-parameter-rekey-client.b64", 2),
        ("onvif-streaming-get-parameter-multicast-device.b64", 0x0d),
    ] {
        assert_eq!(
            check_onvif_profile(&common::load(f), false).unwrap(),
            [[0, 0, 0, mki]],
            "{f}"
        );
    }
}

#[test]
fn our_client_and_device_agree_for_every_suite_and_rekey_keeps_the_roc() {
    const SSRC: u32 = 0x5eed_0001;
    for suite in [
        SrtpSuite::AesCm128HmacSha1_80,
        SrtpSuite::AesCm128HmacSha1_32,
        SrtpSuite::AesCm256HmacSha1_80,
        SrtpSuite::AeadAes128Gcm,
        SrtpSuite::AeadAes256Gcm,
    ] {
        let mut rng = seq_rng();
        let mut client = OnvifClient::new(suite, 0, OnvifTolerances::STRICT);
        let mut device = OnvifDevice::new(OnvifTolerances::STRICT);
        let header = client
            .setup_header(Some("rtsps://cam/onvif/track1"), NOW, &mut rng)
            .unwrap();
        assert_eq!(
            header.entries[0].uri.as_deref(),
            Some("rtsps://cam/onvif/track1")
        );
        // What goes on the wire: NULL/NULL KEMAC, one TEK with MKI 1, the suite's SP.
        let m = Message::parse(header.mikey().unwrap()).unwrap();
        let k = m
            .find(|p| match p {
                Payload::Kemac(k) => Some(k.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!((k.encr_alg, k.mac_alg), (EncrAlg::Null, MacAlg::Null));
        let sp = m
            .find(|p| match p {
                Payload::Sp(s) => Some(s.srtp()),
                _ => None,
            })
            .unwrap();
        assert_eq!(sp, onvif_policy(suite));
        let line = format!("KeyMgmt: {header}");
        let parsed = KeyMgmtHeader::parse_line(&line).unwrap();
        let keys = device
            .setup(Some(&parsed.to_string()), Some(SSRC), NOW)
            .unwrap();
        let cli = client.current_srtp().unwrap();
        assert_eq!(cli.len(), 1);
        same_key(&keys.srtp[0], &cli[0]);
        assert_eq!(keys.srtp[0].suite, suite);
        assert_eq!(keys.srtp[0].mki.as_deref(), Some(&[0, 0, 0, 1][..]));
        assert_eq!(keys.srtp[0].ssrc, SSRC);

        // Device sends across a rollover; the client receives.
        let mut tx = keys.srtp[0].context().unwrap();
        let mut rx = cli[0].context().unwrap();
        for seq in [65534u16, 65535, 0, 1] {
            let pkt = rtp(SSRC, seq);
            let prot = tx.protect_rtp(&pkt).unwrap();
            assert_eq!(rx.unprotect_rtp(&prot).unwrap(), pkt, "{suite:?} seq {seq}");
        }
        assert_eq!(tx.roc(SSRC), Some(1));

        // Re-key: MKI 2, ROC kept (1), SSRC kept.
        let later = NOW + Duration::from_secs(30);
        let body = client.rekey_body(later, &mut rng).unwrap();
        let new = device
            .rekey(keys.csb_id, &body, tx.roc(SSRC), later)
            .unwrap();
        assert_eq!(new.csb_id, keys.csb_id, "an update of the same bundle");
        assert_eq!(new.srtp.len(), 1, "only the new key");
        let p = &new.srtp[0];
        assert_eq!(p.mki.as_deref(), Some(&[0, 0, 0, 2][..]));
        assert_eq!((p.ssrc, p.roc), (SSRC, 1));
        assert_ne!(p.master_key, keys.srtp[0].master_key);
        let cli2 = client.current_srtp().unwrap();
        same_key(p, &cli2[0]);
        assert_eq!(
            client.srtp().unwrap().len(),
            2,
            "the client keeps both keys"
        );
        let mut tx2 = p.context().unwrap();
        let mut rx2 = cli2[0].context().unwrap();
        rx2.set_roc(SSRC, rx.roc(SSRC).unwrap());
        let pkt = rtp(SSRC, 2);
        let prot = tx2.protect_rtp(&pkt).unwrap();
        assert_eq!(rx2.unprotect_rtp(&prot).unwrap(), pkt);
        assert!(rx.unprotect_rtp(&prot).is_err(), "old key, other MKI");
        // A second re-key without current ROC: the ROC known for the stream stays.
        let later2 = later + Duration::from_secs(30);
        let body = client.rekey_body(later2, &mut rng).unwrap();
        let third = device.rekey(keys.csb_id, &body, None, later2).unwrap();
        assert_eq!(third.srtp[0].mki.as_deref(), Some(&[0, 0, 0, 3][..]));
        assert_eq!(third.srtp[0].roc, 1);
    }
}

#[test]
fn multicast_key_round_trip() {
    let mut rng = seq_rng();
    for suite in [SrtpSuite::AesCm128HmacSha1_80, SrtpSuite::AeadAes128Gcm] {
        let key = OnvifDevice::generate_key(suite, [0, 0, 0, 0x0d], 0xdd05c028, 7, NOW, &mut rng)
            .unwrap();
        assert_eq!((key.ssrc, key.roc, key.suite), (0xdd05c028, 7, suite));
        let body = OnvifDevice::multicast_key_body(&key, NOW, &mut rng).unwrap();
        assert!(body.starts_with("mikey: ") && body.ends_with("\r\n"));
        let m = Message::parse(&parse_mikey_parameter(&body).unwrap())
            .unwrap()
            .into_owned();
        assert!(m.payloads.iter().any(|p| matches!(p, Payload::Rand(_))));
        let mut client = OnvifClient::new(suite, 0, OnvifTolerances::STRICT);
        assert!(is_mikey_get_parameter(GET_PARAMETER_MIKEY_BODY));
        let got = client.handle_multicast_key(&body, NOW).unwrap();
        assert_eq!(got.srtp, vec![key.clone()]);
        let mut tx = key.context().unwrap();
        let mut rx = got.srtp[0].context().unwrap();
        let pkt = rtp(0xdd05c028, 100);
        assert_eq!(
            rx.unprotect_rtp(&tx.protect_rtp(&pkt).unwrap()).unwrap(),
            pkt
        );
    }
    let mut no_mki =
        OnvifDevice::generate_key(SrtpSuite::AesCm128HmacSha1_80, [0; 4], 1, 0, NOW, &mut rng)
            .unwrap();
    no_mki.mki = Some(vec![1, 2]);
    assert!(matches!(
        OnvifDevice::multicast_key_body(&no_mki, NOW, &mut rng),
        Err(SessionError::InvalidKeyData(_))
    ));
}

/// A MIKEY-NULL I_MESSAGE with the given keys, built by our initiator.
fn null_message(keys: Vec<TransportKey>, encr: EncrAlg) -> Vec<u8> {
    // Only MIKEY-NULL goes without a key: an encrypted KEMAC needs one to be built.
    let psk: &[u8] = if encr == EncrAlg::Null {
        &[]
    } else {
        &[0x11; 16]
    };
    let mut i = PskInitiator::new(
        psk,
        PskConfig {
            encr,
            mac: MacAlg::Null,
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: 1,
                roc: 0,
            }],
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
            ..PskConfig::default()
        },
    );
    i.initiate(keys, NOW, &mut seq_rng()).unwrap()
}

#[test]
fn profile_violations_get_463_and_change_nothing() {
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "no MKI",
            null_message(vec![TransportKey::tek(&[3; 30])], EncrAlg::Null),
        ),
        (
            "2-byte MKI",
            null_message(
                vec![TransportKey::tek(&[3; 30]).with_mki(&[0, 1])],
                EncrAlg::Null,
            ),
        ),
        (
            "TGK",
            null_message(
                vec![TransportKey::tgk(&[3; 16]).with_mki(&[0, 0, 0, 1])],
                EncrAlg::Null,
            ),
        ),
        (
            "encrypted KEMAC",
            null_message(
                vec![TransportKey::tek(&[3; 30]).with_mki(&[0, 0, 0, 1])],
                EncrAlg::AesCm128,
            ),
        ),
    ];
    let mut device = OnvifDevice::new(OnvifTolerances::STRICT);
    for (what, msg) in cases {
        let h = KeyMgmtHeader::for_mikey(None, msg.clone()).to_string();
        let f = device.setup(Some(&h), None, NOW).unwrap_err();
        assert_eq!(f.status, 463, "{what}");
        assert_eq!(f.reason, "Key Management Failure");
        assert!(matches!(f.error, KeyMgmtError::Profile(_)), "{what}: {f}");
        assert_eq!(device.responder().replay_cache().len(), 0, "{what}");
    }
    // A good message passes after all that.
    let ok = null_message(
        vec![TransportKey::tek(&[3; 30]).with_mki(&[0, 0, 0, 1])],
        EncrAlg::Null,
    );
    let h = KeyMgmtHeader::for_mikey(None, ok).to_string();
    device.setup(Some(&h), None, NOW).unwrap();
}

#[test]
fn rtsp_failures() {
    let mut device = OnvifDevice::new(OnvifTolerances::STRICT);
    let f = device.setup(None, None, NOW).unwrap_err();
    assert_eq!((f.status, f.reason), (403, "Forbidden"));
    let f = device
        .setup(Some("prot=keyp1; data=\"AQID\""), None, NOW)
        .unwrap_err();
    assert_eq!((f.status, f.error.clone()), (463, KeyMgmtError::NotMikey));
    let f = device
        .setup(Some("prot=mikey; data=\"AQ"), None, NOW)
        .unwrap_err();
    assert!(matches!(f.error, KeyMgmtError::Sdp(_)), "{f}");
    assert_eq!(f.rtsp_status_line(), "RTSP/1.0 463 Key Management Failure");
    // The RFC 4567 example message is MIKEY-PSK with an encrypted KEMAC.
    let h = KeyMgmtHeader::for_mikey(None, common::load("rfc4567-ex1-alice-psk-init.b64"));
    let f = device.setup(Some(&h.to_string()), None, NOW).unwrap_err();
    assert!(matches!(f.error, KeyMgmtError::Profile(_)), "{f}");
    // The verification message of the same example is not an I_MESSAGE.
    let h = KeyMgmtHeader::for_mikey(None, common::load("rfc4567-ex1-bob-psk-verify.b64"));
    let f = device.setup(Some(&h.to_string()), None, NOW).unwrap_err();
    assert!(matches!(f.error, KeyMgmtError::Profile(_)), "{f}");
    // Re-keying with another session's bundle.
    let mut rng = seq_rng();
    let mut a = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 1, OnvifTolerances::STRICT);
    let mut b = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 2, OnvifTolerances::STRICT);
    let ka = device
        .setup(
            Some(&a.setup_header(None, NOW, &mut rng).unwrap().to_string()),
            None,
            NOW,
        )
        .unwrap();
    let kb = device
        .setup(
            Some(&b.setup_header(None, NOW, &mut rng).unwrap().to_string()),
            None,
            NOW,
        )
        .unwrap();
    let body_b = b.rekey_body(NOW, &mut rng).unwrap();
    let f = device.rekey(ka.csb_id, &body_b, None, NOW).unwrap_err();
    assert!(matches!(f.error, KeyMgmtError::Profile(_)), "{f}");
    device.rekey(kb.csb_id, &body_b, None, NOW).unwrap();
    assert_eq!(
        device
            .rekey(kb.csb_id, &body_b, None, NOW)
            .unwrap_err()
            .error,
        KeyMgmtError::Mikey(SessionError::Replay)
    );
    let mut c = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::STRICT);
    assert!(matches!(
        c.rekey_body(NOW, &mut rng),
        Err(SessionError::WrongState(_))
    ));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let mut device = OnvifDevice::new(OnvifTolerances::GENETEC);
    let mut client = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::GENETEC);
    let valid = common::load("onvif-streaming-setup-keymgmt-client.b64");
    let mut seed = 0x9e37_79b9u32;
    for i in 0..400 {
        let mut m = valid.clone();
        // Truncate or flip bytes of a valid message.
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        if i % 2 == 0 {
            m.truncate((seed >> 8) as usize % (m.len() + 1));
        } else {
            let at = (seed >> 8) as usize % m.len();
            m[at] ^= (seed >> 24) as u8 | 1;
        }
        let h = KeyMgmtHeader::for_mikey(None, m.clone()).to_string();
        let _ = device.setup(Some(&h), None, NOW);
        let _ = device.rekey(0xfd6d77d0, &format_mikey_parameter(&m), None, NOW);
        let _ = client.handle_multicast_key(&format_mikey_parameter(&m), NOW);
        let _ = check_onvif_profile(&m, true);
    }
    for s in [
        "",
        "mikey:",
        "mikey: ====",
        "prot=mikey;data=\"\"",
        "\u{0}",
        "é",
    ] {
        let _ = device.setup(Some(s), None, NOW);
        let _ = device.rekey(1, s, None, NOW);
        let _ = client.handle_multicast_key(s, NOW);
    }
}
