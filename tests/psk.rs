//! The pre-shared key exchange end to end: both sides derive the same SRTP keys and use
//! them on real packets; tampering, replays, skew, wrong keys and unsupported parameters
//! are rejected with the right Error message; updates add and replace keys.

mod common;
use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::session::*;
use mikey::srtp::SrtpSuite;
use mikey::wire::*;

const PSK: [u8; 20] = [0x42; 20];
const NOW: Duration = Duration::from_secs(1_790_000_000);

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(37);
            *x = n;
        }
    }
}

fn cfg() -> PskConfig {
    PskConfig {
        v: true,
        id_i: Some(Id::nai("alice@example.com")),
        id_r: Some(Id::nai("bob@example.com")),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 1,
                ssrc: 0x11223344,
                roc: 7,
            },
            SrtpCs {
                policy_no: 1,
                ssrc: 0,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..PskConfig::default()
    }
}

fn responder() -> PskResponder {
    PskResponder::new(
        SecretBytes::from_slice(&PSK),
        ResponderConfig {
            local_ssrcs: vec![0xabcdef01],
            ..ResponderConfig::default()
        },
    )
}

fn rtp(ssrc: u32, seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&1234u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"hello, srtp payload");
    p
}

fn exchange(
    c: PskConfig,
    keys: Vec<TransportKey>,
) -> (PskInitiator, PskResponder, Vec<u8>, Vec<u8>) {
    let mut i = PskInitiator::new(&PSK, c);
    let msg = i.initiate(keys, NOW, &mut seq_rng()).unwrap();
    let mut r = responder();
    let a = r.handle(&msg, NOW + Duration::from_secs(2)).unwrap();
    let resp = a.response.clone().unwrap();
    let v = i.handle_response(&resp, NOW).unwrap();
    assert_eq!(v.csb_id, a.csb_id);
    (i, r, msg, resp)
}

#[test]
fn both_sides_get_the_same_srtp_keys_and_protect_packets() {
    let tgk = TransportKey::tgk(&[5u8; 16]).with_mki(&[0, 0, 0, 1]);
    let (i, r, _, _) = exchange(cfg(), vec![tgk]);
    assert!(i.is_confirmed());
    let csb = i.bundle().unwrap().csb_id;
    let a = i.srtp().unwrap();
    let b = r.srtp(csb).unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a, b);
    assert_eq!(a[0].suite, SrtpSuite::AesCm128HmacSha1_80);
    assert_eq!((a[0].cs_id, a[0].ssrc, a[0].roc), (1, 0x11223344, 7));
    assert_eq!(
        (a[1].cs_id, a[1].ssrc),
        (2, 0xabcdef01),
        "SSRC filled in by the responder"
    );
    assert_eq!(a[0].mki.as_deref(), Some(&[0, 0, 0, 1][..]));
    assert_ne!(
        a[0].master_key, a[1].master_key,
        "TEKs differ per crypto session"
    );
    // Real packets with a non-zero ROC and an MKI.
    let mut tx = a[0].context().unwrap();
    let mut rx = b[0].context().unwrap();
    let pkt = rtp(0x11223344, 65535);
    let prot = tx.protect_rtp(&pkt).unwrap();
    assert_eq!(rx.unprotect_rtp(&prot).unwrap(), pkt);
    let pkt2 = rtp(0x11223344, 0);
    let prot2 = tx.protect_rtp(&pkt2).unwrap();
    assert_eq!(rx.unprotect_rtp(&prot2).unwrap(), pkt2);
    assert_eq!(rx.roc(0x11223344), Some(8), "ROC rolled over from 7 to 8");
}

#[test]
fn every_algorithm_combination() {
    for (prf, encr, mac) in [
        (PrfFunc::Mikey1, EncrAlg::AesCm128, MacAlg::HmacSha1_160),
        (PrfFunc::Mikey1, EncrAlg::AesKw128, MacAlg::HmacSha1_160),
        (
            PrfFunc::HmacSha256,
            EncrAlg::AesCm256,
            MacAlg::HmacSha256_256,
        ),
        (
            PrfFunc::HmacSha256,
            EncrAlg::AesKw128,
            MacAlg::HmacSha256_256,
        ),
    ] {
        let c = PskConfig {
            prf,
            encr,
            mac,
            ..cfg()
        };
        // 4 + 16 + 1 + 3 and 4 + 24 + 1 + 3 bytes: multiples of 8, as AES-KW needs.
        let keys = vec![
            TransportKey::tgk(&[1u8; 16]).with_mki(&[0, 0, 1]),
            TransportKey::tgk(&[2u8; 24]).with_mki(&[0, 0, 2]),
        ];
        let (i, r, msg, _) = exchange(c, keys);
        let m = Message::parse(&msg).unwrap();
        let k = m
            .find(|p| {
                if let Payload::Kemac(k) = p {
                    Some(k)
                } else {
                    None
                }
            })
            .unwrap();
        assert_eq!((k.encr_alg, k.mac_alg), (encr, mac));
        assert_eq!(
            i.srtp().unwrap(),
            r.srtp(i.bundle().unwrap().csb_id).unwrap()
        );
        assert_eq!(i.srtp().unwrap().len(), 4);
    }
    // AES-KW needs key data in multiples of 8 bytes: a clear error otherwise.
    let mut i = PskInitiator::new(
        &PSK,
        PskConfig {
            encr: EncrAlg::AesKw128,
            ..cfg()
        },
    );
    let e = i
        .initiate(vec![TransportKey::tgk(&[1u8; 16])], NOW, &mut seq_rng())
        .unwrap_err();
    assert!(matches!(e, SessionError::InvalidKeyData(_)), "{e}");
}

#[test]
fn every_bit_flip_of_the_i_message_is_rejected_and_changes_nothing() {
    let mut i = PskInitiator::new(&PSK, cfg());
    let msg = i
        .initiate(vec![TransportKey::tgk(&[5u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let mut r = responder();
    for bit in 0..msg.len() * 8 {
        let mut m = msg.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(r.handle(&m, NOW).is_err(), "bit {bit} accepted");
    }
    assert!(r.bundle(i.bundle().unwrap().csb_id).is_none());
    assert_eq!(r.replay_cache().len(), 0);
    r.handle(&msg, NOW).unwrap();
}

#[test]
fn every_bit_flip_of_the_verification_message_is_rejected() {
    let mut i = PskInitiator::new(&PSK, cfg());
    let msg = i
        .initiate(vec![TransportKey::tgk(&[5u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let resp = responder().handle(&msg, NOW).unwrap().response.unwrap();
    for bit in 0..resp.len() * 8 {
        let mut m = resp.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(i.handle_response(&m, NOW).is_err(), "bit {bit} accepted");
        assert!(!i.is_confirmed());
    }
    i.handle_response(&resp, NOW).unwrap();
    assert!(i.is_confirmed());
}

#[test]
fn replays_skew_and_wrong_keys() {
    let mut i = PskInitiator::new(&PSK, cfg());
    let msg = i
        .initiate(vec![TransportKey::tgk(&[5u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let mut r = responder();
    r.handle(&msg, NOW).unwrap();
    let rej = r.handle(&msg, NOW + Duration::from_secs(1)).unwrap_err();
    assert_eq!(rej.error, SessionError::Replay);
    assert!(rej.response.is_none(), "no answer to replays");

    let late = responder()
        .handle(&msg, NOW + Duration::from_secs(301))
        .unwrap_err();
    assert_eq!(late.error, SessionError::InvalidTimestamp);
    let err = Message::parse(late.response.as_ref().unwrap()).unwrap();
    assert_eq!(err.header.data_type, DataType::Error);
    assert!(err
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::Err(e) if e.error_no == ErrorNo::InvalidTs)));
    assert_eq!(
        i.handle_response(late.response.as_ref().unwrap(), NOW)
            .unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidTs])
    );
    let early = responder()
        .handle(&msg, NOW - Duration::from_secs(301))
        .unwrap_err();
    assert_eq!(early.error, SessionError::InvalidTimestamp);

    let mut wrong = PskResponder::new(
        SecretBytes::from_slice(&[0x43; 20]),
        ResponderConfig::default(),
    );
    let rej = wrong.handle(&msg, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    let err = Message::parse(rej.response.as_ref().unwrap()).unwrap();
    assert!(err
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::Err(e) if e.error_no == ErrorNo::AuthFailure)));
    assert!(
        !err.payloads.iter().any(|p| matches!(p, Payload::V(_))),
        "unauthenticated peer gets no V"
    );
}

fn patch(msg: &[u8], f: impl FnOnce(&mut Message)) -> Vec<u8> {
    let mut m = Message::parse(msg).unwrap().into_owned();
    f(&mut m);
    m.encode().unwrap()
}

#[test]
fn unsupported_parameters_get_their_error_codes() {
    let mut i = PskInitiator::new(&PSK, cfg());
    let msg = i
        .initiate(vec![TransportKey::tgk(&[5u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let code = |m: &[u8]| {
        let rej = responder().handle(m, NOW).unwrap_err();
        let e = Message::parse(rej.response.as_ref().unwrap()).unwrap();
        (
            rej.error.error_no(),
            e.find(|p| {
                if let Payload::Err(e) = p {
                    Some(e.error_no)
                } else {
                    None
                }
            })
            .unwrap(),
        )
    };
    let m = patch(&msg, |m| m.header.prf = PrfFunc::Unknown(9));
    assert_eq!(code(&m), (ErrorNo::InvalidPrf, ErrorNo::InvalidPrf));
    let m = patch(&msg, |m| m.header.data_type = DataType::PkInit);
    assert_eq!(code(&m), (ErrorNo::InvalidDt, ErrorNo::InvalidDt));
    let m = patch(&msg, |m| {
        for p in &mut m.payloads {
            if let Payload::Kemac(k) = p {
                k.encr_alg = EncrAlg::Unknown(7);
            }
        }
    });
    assert_eq!(code(&m), (ErrorNo::InvalidEa, ErrorNo::InvalidEa));

    // A policy we cannot honour: authenticated, so the Error message carries a V the
    // initiator verifies.
    let c = PskConfig {
        policies: vec![SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::AesF8),
            ..SrtpPolicy::default()
        }
        .to_payload(1)
        .unwrap()],
        ..cfg()
    };
    let mut i = PskInitiator::new(&PSK, c);
    let msg = i
        .initiate(vec![TransportKey::tgk(&[5u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let rej = responder().handle(&msg, NOW).unwrap_err();
    assert_eq!(rej.error.error_no(), ErrorNo::InvalidSpPar);
    let resp = rej.response.unwrap();
    assert!(Message::parse(&resp)
        .unwrap()
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::V(_))));
    assert_eq!(
        i.handle_response(&resp, NOW).unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidSpPar])
    );
    let mut bad = resp.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(
        i.handle_response(&bad, NOW).unwrap_err(),
        SessionError::AuthFailure
    );
}

#[test]
fn null_profile_needs_explicit_consent() {
    let c = PskConfig {
        encr: EncrAlg::Null,
        mac: MacAlg::Null,
        v: false,
        ..cfg()
    };
    let mut i = PskInitiator::new(&PSK, c);
    let msg = i
        .initiate(
            vec![TransportKey::tek(&[3u8; 30]).with_mki(&[0, 0, 0, 9])],
            NOW,
            &mut seq_rng(),
        )
        .unwrap();
    assert_eq!(
        responder().handle(&msg, NOW).unwrap_err().error.error_no(),
        ErrorNo::InvalidEa
    );
    let mut r = PskResponder::new(SecretBytes::from_slice(&PSK), ResponderConfig::mikey_null());
    let a = r.handle(&msg, NOW).unwrap();
    assert!(a.response.is_none());
    let p = r.srtp(a.csb_id).unwrap();
    assert_eq!(p[0].master_key.as_bytes(), &[3u8; 16]);
    assert_eq!(p[0].master_salt.as_bytes(), &[3u8; 14]);
    assert_eq!(i.srtp().unwrap(), p);
}

#[test]
fn updates_add_and_replace_keys_by_mki() {
    let (mut i, mut r, _, _) = exchange(cfg(), vec![TransportKey::tgk(&[1u8; 16]).with_mki(&[1])]);
    let csb = i.bundle().unwrap().csb_id;
    let before = r.srtp(csb).unwrap();
    // Update: a second key with a new MKI; no RAND in the message (RFC 3830 §4.5).
    let upd = i
        .initiate(
            vec![TransportKey::tgk(&[2u8; 16]).with_mki(&[2])],
            NOW + Duration::from_secs(10),
            &mut seq_rng(),
        )
        .unwrap();
    let m = Message::parse(&upd).unwrap();
    assert!(!m.payloads.iter().any(|p| matches!(p, Payload::Rand(_))));
    assert_eq!(m.header.csb_id, csb);
    let a = r.handle(&upd, NOW + Duration::from_secs(10)).unwrap();
    assert!(!a.change.created);
    assert_eq!((a.change.keys_added, a.change.keys_replaced), (1, 0));
    i.handle_response(a.response.as_ref().unwrap(), NOW)
        .unwrap();
    let after = r.srtp(csb).unwrap();
    assert_eq!(after.len(), 4, "two crypto sessions x two keys");
    assert_eq!(after, i.srtp().unwrap());
    assert!(
        after.iter().any(|p| p == &before[0]),
        "old MKI key still usable"
    );
    // Replace MKI 1.
    let upd = i
        .initiate(
            vec![TransportKey::tgk(&[3u8; 16]).with_mki(&[1])],
            NOW + Duration::from_secs(20),
            &mut seq_rng(),
        )
        .unwrap();
    let a = r.handle(&upd, NOW + Duration::from_secs(20)).unwrap();
    assert_eq!((a.change.keys_added, a.change.keys_replaced), (0, 1));
    assert_eq!(r.srtp(csb).unwrap(), i.srtp().unwrap());
    assert!(!r.srtp(csb).unwrap().iter().any(|p| p == &before[0]));
    // Receivers retire keys by MKI.
    let n = r.srtp(csb).unwrap().len();
    assert!(r.remove_key(csb, &[2]));
    assert!(!r.remove_key(csb, &[2]));
    assert_eq!(r.srtp(csb).unwrap().len(), n - 2);
    // An update for an unknown CSB (no RAND) is refused.
    let mut other = responder();
    assert_eq!(
        other
            .handle(&upd, NOW + Duration::from_secs(20))
            .unwrap_err()
            .error,
        SessionError::MissingPayload("RAND")
    );
}

/// The suites each side exports: policy numbers given twice (the last one counts, as an
/// update replaces policies by number, RFC 3830 §4.5), crypto sessions with different
/// policies, and an update that changes a policy.
#[test]
fn both_sides_export_the_same_suites_as_policies_change() {
    use mikey::srtp::export::policy_for;
    let sp = |s: SrtpSuite, no: u8| policy_for(s).to_payload(no).unwrap();
    let suites = |p: &[mikey::srtp::SrtpParams]| p.iter().map(|x| x.suite).collect::<Vec<_>>();
    let mut c = cfg();
    c.crypto_sessions[1].policy_no = 2;
    // Policy 1 given twice, policy 2 between the two.
    c.policies = common::policy_given_twice(1);
    c.policies.insert(1, sp(SrtpSuite::AesCm256HmacSha1_80, 2));
    let tgk = TransportKey::tgk(&[7u8; 32]).with_mki(&[1]);
    let (mut i, mut r, _, _) = exchange(c, vec![tgk]);
    let csb = i.bundle().unwrap().csb_id;
    let want = vec![
        SrtpSuite::AesCm128HmacSha1_32,
        SrtpSuite::AesCm256HmacSha1_80,
    ];
    assert_eq!(suites(&i.srtp().unwrap()), want);
    assert_eq!(r.srtp(csb).unwrap(), i.srtp().unwrap());
    // An update replaces policy 1 on both sides.
    i.config_mut().policies = vec![sp(SrtpSuite::AesCm128HmacSha1_80, 1)];
    let t = NOW + Duration::from_secs(10);
    let upd = i
        .initiate(
            vec![TransportKey::tgk(&[8u8; 32]).with_mki(&[1])],
            t,
            &mut seq_rng(),
        )
        .unwrap();
    let a = r.handle(&upd, t).unwrap();
    i.handle_response(a.response.as_ref().unwrap(), t).unwrap();
    let want = vec![
        SrtpSuite::AesCm128HmacSha1_80,
        SrtpSuite::AesCm256HmacSha1_80,
    ];
    assert_eq!(suites(&i.srtp().unwrap()), want);
    assert_eq!(r.srtp(csb).unwrap(), i.srtp().unwrap());
}

#[test]
fn counter_timestamps_must_increase() {
    let c = PskConfig {
        ts_type: TsType::Counter,
        v: false,
        ..cfg()
    };
    let mut i = PskInitiator::new(&PSK, c.clone());
    let m1 = i
        .initiate(vec![TransportKey::tgk(&[1u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let m2 = i
        .initiate(vec![TransportKey::tgk(&[2u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    let mut r = responder();
    r.handle(&m1, NOW).unwrap();
    r.handle(&m2, NOW).unwrap();
    // A fresh message (another key: not a byte-for-byte replay of m1) from the same
    // identity with an old counter value.
    let mut i2 = PskInitiator::new(&PSK, c);
    let old = i2
        .initiate(vec![TransportKey::tgk(&[3u8; 16])], NOW, &mut seq_rng())
        .unwrap();
    assert_eq!(
        r.handle(&old, NOW).unwrap_err().error,
        SessionError::InvalidTimestamp
    );
}

#[test]
fn full_replay_cache_refuses_rather_than_forgets() {
    let mut r = PskResponder::new(
        SecretBytes::from_slice(&PSK),
        ResponderConfig {
            limits: ResponderLimits {
                replay_capacity: 2,
                ..ResponderLimits::default()
            },
            ..ResponderConfig::default()
        },
    );
    let mut msgs = Vec::new();
    for k in 0..3u8 {
        let mut i = PskInitiator::new(&PSK, cfg());
        msgs.push(
            i.initiate(vec![TransportKey::tgk(&[k; 16])], NOW, &mut seq_rng())
                .unwrap(),
        );
    }
    r.handle(&msgs[0], NOW).unwrap();
    r.handle(&msgs[1], NOW).unwrap();
    assert_eq!(
        r.handle(&msgs[2], NOW).unwrap_err().error,
        SessionError::ReplayCacheFull
    );
    assert_eq!(
        r.handle(&msgs[0], NOW).unwrap_err().error,
        SessionError::Replay
    );
    // After the skew window the entries expire and new messages pass again.
    let later = NOW + Duration::from_secs(301);
    let mut i = PskInitiator::new(&PSK, cfg());
    let fresh = i
        .initiate(vec![TransportKey::tgk(&[9; 16])], later, &mut seq_rng())
        .unwrap();
    r.handle(&fresh, later).unwrap();
}

#[test]
fn onvif_genetec_client_needs_explicit_tolerance() {
    let msg = common::load("onvif-streaming-setup-keymgmt-client.b64");
    let mut strict = PskResponder::new(SecretBytes::from_slice(&[]), ResponderConfig::mikey_null());
    assert_eq!(
        strict.handle(&msg, NOW).unwrap_err().error,
        SessionError::InvalidTimestamp
    );
    let mut cfg = ResponderConfig::mikey_null();
    cfg.timestamps.accept_any_time = true;
    let mut no_rand = PskResponder::new(SecretBytes::from_slice(&[]), cfg.clone());
    assert_eq!(
        no_rand.handle(&msg, NOW).unwrap_err().error,
        SessionError::MissingPayload("RAND")
    );
    cfg.timestamps.allow_missing_rand = true;
    let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg);
    let a = r.handle(&msg, NOW).unwrap();
    let p = r.srtp(a.csb_id).unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(
        p[0].master_key.as_bytes(),
        &common::hex("df40b9f54ac2944d1edbb50fe61fd6b7")[..]
    );
    assert_eq!(
        p[0].master_salt.as_bytes(),
        &common::hex("2f542fcf9d7f383edadb669a8de4")[..]
    );
    assert_eq!(p[0].mki.as_deref(), Some(&common::hex("0000002f")[..]));
    assert_eq!(p[0].ssrc, 0xc20f551c);
    assert_eq!(r.handle(&msg, NOW).unwrap_err().error, SessionError::Replay);
}

#[test]
fn gstreamer_messages_export_with_lenient_parsing() {
    let msg = common::load("gortsplib-mikey-a.hex");
    let t = Message::parse_with(&msg, ParseOptions::LENIENT)
        .unwrap()
        .0
        .find(|p| {
            if let Payload::T(t) = p {
                Some(*t)
            } else {
                None
            }
        })
        .unwrap();
    let now = t.to_unix().unwrap();
    let mut strict = PskResponder::new(
        SecretBytes::from_slice(&[]),
        ResponderConfig {
            lenient: false,
            ..ResponderConfig::mikey_null()
        },
    );
    assert!(matches!(
        strict.handle(&msg, now).unwrap_err().error,
        SessionError::Parse(_)
    ));
    let mut r = PskResponder::new(SecretBytes::from_slice(&[]), ResponderConfig::mikey_null());
    let a = r.handle(&msg, now).unwrap();
    assert!(a.quirks.contains(Quirk::SrtpAuthKeyLen10));
    let p = r.srtp(a.csb_id).unwrap();
    assert_eq!(p[0].suite, SrtpSuite::AesCm128HmacSha1_80);
    assert_eq!(
        p[0].master_key.as_bytes(),
        &common::hex("9091783dfce8ddcd443a53508b64509f")[..]
    );
}

#[test]
fn nonconformant_mykey_macs_are_rejected_cleanly() {
    let psk = b"0123456789abcdef0123456789abcdef";
    let msg = common::load("nonconformant/mykey-psk-init-v.hex");
    let t = Message::parse(&msg)
        .unwrap()
        .find(|p| {
            if let Payload::T(t) = p {
                Some(*t)
            } else {
                None
            }
        })
        .unwrap();
    let mut r = PskResponder::new(SecretBytes::from_slice(psk), ResponderConfig::default());
    let rej = r.handle(&msg, t.to_unix().unwrap()).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
}

#[test]
fn secrets_never_show_in_debug() {
    let (i, r, _, _) = exchange(cfg(), vec![TransportKey::tgk(&[0xab; 16])]);
    let p = i.srtp().unwrap();
    let key_hex: String = p[0]
        .master_key
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for s in [
        format!("{i:?}"),
        format!("{r:?}"),
        format!("{p:?}"),
        format!("{:?}", i.bundle()),
    ] {
        assert!(!s.contains("171, 171") && !s.contains("abab"), "{s}");
        assert!(!s.contains(&key_hex));
        assert!(!s.contains(&format!("{:?}", p[0].master_key.as_bytes())));
    }
}

#[test]
fn a_peer_cannot_take_over_another_peers_csb() {
    let mut store = std::collections::HashMap::new();
    store.insert(b"alice@example.com".to_vec(), SecretBytes::from_slice(&PSK));
    store.insert(
        b"mallory@example.com".to_vec(),
        SecretBytes::from_slice(&[0x66; 20]),
    );
    let mut r = PskResponder::new(store, ResponderConfig::default());
    let c = PskConfig {
        csb_id: Some(0xc5b0c5b0),
        ..cfg()
    };
    let mut alice = PskInitiator::new(&PSK, c.clone());
    r.handle(
        &alice
            .initiate(vec![TransportKey::tgk(&[1u8; 16])], NOW, &mut seq_rng())
            .unwrap(),
        NOW,
    )
    .unwrap();
    let before = r.srtp(0xc5b0c5b0).unwrap();
    let mut mallory = PskInitiator::new(
        &[0x66; 20],
        PskConfig {
            id_i: Some(Id::nai("mallory@example.com")),
            ..c
        },
    );
    let m = mallory
        .initiate(
            vec![TransportKey::tgk(&[2u8; 16])],
            NOW,
            &mut |b: &mut [u8]| b.fill(9),
        )
        .unwrap();
    let rej = r.handle(&m, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    assert_eq!(r.srtp(0xc5b0c5b0).unwrap(), before);
}

#[test]
fn counter_identities_are_bounded() {
    // Updates of one bundle, each from a new COUNTER identity: the table of last counters
    // stops at max_bundles entries instead of growing without end.
    let mut r = PskResponder::new(
        SecretBytes::from_slice(&PSK),
        ResponderConfig {
            limits: ResponderLimits {
                counter_identities: 2,
                ..ResponderLimits::default()
            },
            ..ResponderConfig::default()
        },
    );
    let c = PskConfig {
        ts_type: TsType::Counter,
        v: false,
        id_i: Some(Id::nai("a@x")),
        csb_id: Some(1),
        ..cfg()
    };
    let mut i = PskInitiator::new(&PSK, c);
    for (n, who) in ["a@x", "b@x", "c@x"].iter().enumerate() {
        i.config_mut().id_i = Some(Id::nai(who));
        let m = i
            .initiate(vec![TransportKey::tgk(&[n as u8; 16])], NOW, &mut seq_rng())
            .unwrap();
        let res = r.handle(&m, NOW);
        if n < 2 {
            res.unwrap();
        } else {
            let e = res.unwrap_err().error;
            assert_eq!(e, SessionError::LimitReached(Limit::CounterIdentities));
        }
    }
}
