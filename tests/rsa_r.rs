//! MIKEY-RSA-R (RFC 4738) end to end with the stored test keys: unicast and group mode,
//! the RAND and SP rules, certificate chains both ways, every bit flip and forged messages
//! rejected — forged ones without any private-key operation on the checking side — and the
//! Error messages of §3.5.

mod common;
use core::time::Duration;
use mikey::crypto::{
    CountingProvider, CryptoProvider, RsaPrivate, RustCryptoProvider, SignatureScheme,
};
use mikey::session::*;
use mikey::wire::*;
use std::sync::Arc;

const NOW: Duration = Duration::from_secs(1_800_000_000);

type Counting = Arc<CountingProvider<RustCryptoProvider>>;

fn key_file(name: &str) -> String {
    std::fs::read_to_string(common::path(&format!("keys/{name}"))).unwrap()
}

fn der_file(name: &str) -> Vec<u8> {
    std::fs::read(common::path(&format!("keys/{name}"))).unwrap()
}

fn private(p: &dyn CryptoProvider, name: &str) -> Box<dyn RsaPrivate> {
    p.rsa_private_from_pem(&key_file(name)).unwrap()
}

fn spki(name: &str) -> Vec<u8> {
    private(&RustCryptoProvider, name).to_spki_der()
}

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(29);
            *x = n;
        }
    }
}

fn trust_alice() -> PinnedKeys {
    PinnedKeys::new().with(b"alice@example.com", &spki("rsa2048-a.pem"))
}

fn trust_bob() -> PinnedKeys {
    PinnedKeys::new().with(b"bob@example.com", &spki("rsa2048-b.pem"))
}

fn icfg() -> RsaRConfig {
    RsaRConfig {
        id_i: Some(Id::nai("alice@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 1,
            ssrc: 0x11223344,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..RsaRConfig::default()
    }
}

/// A responder's settings and what it sends.
struct Rcfg {
    cfg: ResponderConfig,
    s: RsaRSettings,
}

fn rcfg() -> Rcfg {
    Rcfg {
        cfg: ResponderConfig {
            id_r: Some(Id::nai("bob@example.com")),
            local_ssrcs: vec![0x55667788],
            ..ResponderConfig::default()
        },
        s: RsaRSettings::default(),
    }
}

fn initiator(cfg: RsaRConfig, verifier: impl PeerVerifier + 'static) -> (RsaRInitiator, Counting) {
    let c = Arc::new(CountingProvider::new(RustCryptoProvider));
    let key = private(c.as_ref(), "rsa2048-a.pem");
    (RsaRInitiator::new(c.clone(), key, verifier, cfg), c)
}

fn responder(cfg: Rcfg, verifier: impl PeerVerifier + 'static) -> (RsaRResponder, Counting) {
    let c = Arc::new(CountingProvider::new(RustCryptoProvider));
    let key = private(c.as_ref(), "rsa2048-b.pem");
    (
        RsaRResponder::new(key, verifier, cfg.cfg)
            .with_settings(cfg.s)
            .with_provider(c.clone()),
        c,
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

fn error_codes(resp: &[u8]) -> Vec<ErrorNo> {
    let m = Message::parse(resp).unwrap();
    assert_eq!(m.header.data_type, DataType::Error);
    m.payloads
        .iter()
        .filter_map(|p| match p {
            Payload::Err(e) => Some(e.error_no),
            _ => None,
        })
        .collect()
}

/// Re-signs an R_MESSAGE after `f` edited it, as RFC 4738 §3.6 defines SIGNr.
fn resign_r(msg: &[u8], id_i: &[u8], id_r: &[u8], f: impl FnOnce(&mut Message)) -> Vec<u8> {
    let key = private(&RustCryptoProvider, "rsa2048-b.pem");
    let mut m = Message::parse(msg).unwrap().into_owned();
    f(&mut m);
    let t = m
        .payloads
        .iter()
        .find_map(|p| {
            if let Payload::T(t) = p {
                Some(*t)
            } else {
                None
            }
        })
        .unwrap();
    let mut out = m.encode().unwrap();
    let body = out.len() - 256;
    let mut data = out[..body - 2].to_vec();
    data.extend_from_slice(id_i);
    data.extend_from_slice(id_r);
    data.extend_from_slice(&t.value.to_be_bytes());
    let sig = key
        .sign(&mut seq_rng(), SignatureScheme::RsaPkcs1Sha256, &data)
        .unwrap();
    out[body..].copy_from_slice(&sig);
    out
}

fn kinds(msg: &[u8]) -> Vec<PayloadType> {
    Message::parse(msg)
        .unwrap()
        .payloads
        .iter()
        .map(|p| p.payload_type())
        .collect()
}

#[test]
fn unicast_exchange_gives_both_sides_the_same_srtp_keys() {
    let (mut i, ic) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    assert_eq!(ic.private_ops(), 1, "SIGNi");
    let h = Message::parse(&req).unwrap().header;
    assert_eq!(h.data_type, DataType::RsaRInit);
    assert!(h.v, "V MUST be set (RFC 4738 §3.4)");
    assert_eq!(
        kinds(&req),
        [
            PayloadType::T,
            PayloadType::Rand,
            PayloadType::Id,
            PayloadType::Sp,
            PayloadType::Sign
        ]
    );
    let (mut r, rc) = responder(rcfg(), trust_alice());
    let a = r.handle(&req, NOW + Duration::from_secs(1)).unwrap();
    assert_eq!(rc.private_ops(), 1, "SIGNr only");
    let resp = a.response.clone().unwrap();
    let m = Message::parse(&resp).unwrap();
    assert_eq!(m.header.data_type, DataType::RsaRResp);
    assert_eq!(m.header.csb_id, h.csb_id);
    assert_eq!(
        kinds(&resp),
        [
            PayloadType::T,
            PayloadType::Id,
            PayloadType::Sp,
            PayloadType::Kemac,
            PayloadType::Pke,
            PayloadType::Sign
        ],
        "no RAND: the initiator sent one (RFC 4738 §3.6)"
    );
    let got = i.handle_response(&resp, NOW).unwrap();
    assert_eq!(ic.private_ops(), 2, "one RSA decryption");
    assert_eq!(got.csb_id, h.csb_id);
    assert!(!got.group);
    assert_eq!(got.responder_id, Id::nai("bob@example.com"));
    let x = i.srtp().unwrap();
    let y = r.srtp(got.csb_id).unwrap();
    assert_eq!(x, y);
    assert_eq!(x.len(), 2, "the responder added its own stream");
    assert_eq!((x[1].ssrc, x[1].cs_id), (0x55667788, 2));
    // The responder's stream, protected by the responder, read by the initiator.
    let mut tx = y[1].context().unwrap();
    let mut rx = x[1].context().unwrap();
    let pkt = rtp(0x55667788, 7);
    assert_eq!(
        rx.unprotect_rtp(&tx.protect_rtp(&pkt).unwrap()).unwrap(),
        pkt
    );
    // And the initiator's.
    let mut tx = x[0].context().unwrap();
    let mut rx = y[0].context().unwrap();
    let pkt = rtp(0x11223344, 9);
    assert_eq!(
        rx.unprotect_rtp(&tx.protect_rtp(&pkt).unwrap()).unwrap(),
        pkt
    );
}

#[test]
fn without_initiator_rand_the_responder_supplies_it() {
    let (mut i, _) = initiator(
        RsaRConfig {
            send_rand: false,
            policies: vec![],
            signature: SignatureScheme::RsaPssSha256,
            ..icfg()
        },
        trust_bob(),
    );
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    assert!(!kinds(&req).contains(&PayloadType::Rand));
    let (mut r, _) = responder(
        Rcfg {
            s: RsaRSettings {
                signature: SignatureScheme::RsaPssSha256,
                policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
                ..RsaRSettings::default()
            },
            ..rcfg()
        },
        trust_alice(),
    );
    let a = r.handle(&req, NOW).unwrap();
    let resp = a.response.unwrap();
    assert!(kinds(&resp).contains(&PayloadType::Rand));
    let got = i.handle_response(&resp, NOW).unwrap();
    assert_eq!(i.srtp().unwrap(), r.srtp(got.csb_id).unwrap());
    assert_eq!(i.bundle().unwrap().rand.len(), 16);
}

fn group() -> RsaRGroup {
    RsaRGroup {
        csb_id: 0xC0FFEE01,
        rand: vec![0x77; 16],
        crypto_sessions: vec![SrtpCs {
            policy_no: 3,
            ssrc: 0xAAAA0001,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(3).unwrap()],
        keys: vec![TransportKey::tgk(&[0x42; 16])],
    }
}

#[test]
fn group_mode_gives_every_member_the_group_keys() {
    let gcfg = Rcfg {
        s: RsaRSettings {
            group: Some(group()),
            ..RsaRSettings::default()
        },
        ..rcfg()
    };
    let (mut r, _) = responder(gcfg, trust_alice());
    let member = || RsaRConfig {
        group: true,
        crypto_sessions: vec![],
        policies: vec![],
        ..icfg()
    };
    let mut all = Vec::new();
    for k in 0..2u64 {
        let (mut i, _) = initiator(member(), trust_bob());
        let now = NOW + Duration::from_secs(k);
        let req = i.initiate(now, &mut seq_rng()).unwrap();
        assert_eq!(Message::parse(&req).unwrap().header.cs_map.count(), 0);
        let a = r.handle(&req, now).unwrap();
        let resp = a.response.unwrap();
        let k = kinds(&resp);
        assert_eq!(k[0], PayloadType::GenExt, "GenExt(CSB_ID) first");
        assert!(k.contains(&PayloadType::Rand) && k.contains(&PayloadType::Sp));
        let got = i.handle_response(&resp, now).unwrap();
        assert!(got.group);
        assert_eq!(got.csb_id, 0xC0FFEE01);
        assert_eq!(i.bundle().unwrap().rand, vec![0x77; 16], "the group's RAND");
        all.push(i.srtp().unwrap());
    }
    assert_eq!(all[0], all[1]);
    assert_eq!(all[0], r.srtp(0xC0FFEE01).unwrap());
    // A unicast initiator does not accept a group answer, nor a member a unicast one.
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i
        .initiate(NOW + Duration::from_secs(9), &mut seq_rng())
        .unwrap();
    let resp = r
        .handle(&req, NOW + Duration::from_secs(9))
        .unwrap()
        .response
        .unwrap();
    assert!(matches!(
        i.handle_response(&resp, NOW),
        Err(SessionError::MissingPayload(_))
    ));
    let (mut u, _) = responder(rcfg(), trust_alice());
    let (mut i, _) = initiator(member(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let resp = u.handle(&req, NOW).unwrap().response.unwrap();
    assert!(i.handle_response(&resp, NOW).is_err());
    assert!(i.bundle().is_none());
}

#[test]
fn every_bit_flip_of_the_request_is_rejected_without_private_key_work() {
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let (mut r, rc) = responder(
        Rcfg {
            cfg: ResponderConfig {
                send_errors: false,
                ..rcfg().cfg
            },
            ..rcfg()
        },
        trust_alice(),
    );
    for bit in 0..req.len() * 8 {
        let mut m = req.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(r.handle(&m, NOW).is_err(), "bit {bit} accepted");
    }
    assert_eq!(rc.private_ops(), 0);
    assert_eq!(r.replay_cache().len(), 0);
    r.handle(&req, NOW).unwrap();
    assert_eq!(rc.private_ops(), 1);
}

#[test]
fn every_bit_flip_of_the_response_is_rejected_without_private_key_work() {
    let (mut i, ic) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let (mut r, _) = responder(rcfg(), trust_alice());
    let resp = r.handle(&req, NOW).unwrap().response.unwrap();
    let before = ic.private_ops();
    for bit in 0..resp.len() * 8 {
        let mut m = resp.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(i.handle_response(&m, NOW).is_err(), "bit {bit} accepted");
    }
    assert_eq!(ic.private_ops(), before, "SIGNr covers the whole R_MESSAGE");
    assert!(i.bundle().is_none());
    i.handle_response(&resp, NOW).unwrap();
}

#[test]
fn replays_forgeries_and_untrusted_initiators() {
    let (mut r, rc) = responder(rcfg(), trust_alice());
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    // Forged: random signatures, Bob's key claiming to be Alice, an unknown identity.
    let (mut wrong, _) = {
        let c = Arc::new(CountingProvider::new(RustCryptoProvider));
        let key = private(c.as_ref(), "rsa2048-b.pem");
        (RsaRInitiator::new(c.clone(), key, trust_bob(), icfg()), c)
    };
    let wrong_key = wrong.initiate(NOW, &mut seq_rng()).unwrap();
    let (mut eve, _) = initiator(
        RsaRConfig {
            id_i: Some(Id::nai("eve@example.com")),
            ..icfg()
        },
        trust_bob(),
    );
    let eve = eve.initiate(NOW, &mut seq_rng()).unwrap();
    for k in 0..100u32 {
        // Three forged messages every 50 ms: 60 a second, each answered within the default
        // budget of 100 Error messages a second (`tests/engine_errors.rs` tests the budget).
        let now = NOW + Duration::from_millis(50 * u64::from(k));
        let mut m = req.clone();
        let len = m.len();
        for (j, b) in m[len - 256..].iter_mut().enumerate() {
            *b = (j as u32 * 13 + k * 101) as u8;
        }
        assert_eq!(
            r.handle(&m, now).unwrap_err().error,
            SessionError::AuthFailure
        );
        assert_eq!(
            r.handle(&wrong_key, now).unwrap_err().error,
            SessionError::AuthFailure
        );
        let rej = r.handle(&eve, now).unwrap_err();
        assert_eq!(
            error_codes(rej.response.as_ref().unwrap()),
            [ErrorNo::AuthFailure]
        );
    }
    assert_eq!(rc.private_ops(), 0);
    r.handle(&req, NOW).unwrap();
    let rej = r.handle(&req, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::Replay);
    assert!(rej.response.is_none());
    assert_eq!(rc.private_ops(), 1);
    // Too late.
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let rej = r.handle(&req, NOW + Duration::from_secs(400)).unwrap_err();
    assert_eq!(rej.error, SessionError::InvalidTimestamp);
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidTs]
    );
    assert_eq!(
        i.handle_response(rej.response.as_ref().unwrap(), NOW)
            .unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidTs])
    );
}

#[test]
fn the_initiator_checks_who_answers() {
    let (mut r, _) = responder(rcfg(), trust_alice());
    // Bob is not trusted by this initiator: no decryption happens.
    let (mut i, ic) = initiator(
        icfg(),
        PinnedKeys::new().with(b"carol@example.com", &spki("rsa1024.pem")),
    );
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let resp = r.handle(&req, NOW).unwrap().response.unwrap();
    assert_eq!(
        i.handle_response(&resp, NOW).unwrap_err(),
        SessionError::AuthFailure
    );
    assert_eq!(ic.private_ops(), 1, "only SIGNi");
    // The initiator insists on carol: Bob's answer is refused even though Bob is trusted.
    let both = trust_bob().with(b"carol@example.com", &spki("rsa1024.pem"));
    let (mut i, _) = initiator(
        RsaRConfig {
            id_r: Some(Id::nai("carol@example.com")),
            ..icfg()
        },
        both,
    );
    let req = i
        .initiate(NOW + Duration::from_secs(1), &mut seq_rng())
        .unwrap();
    let resp = r
        .handle(&req, NOW + Duration::from_secs(1))
        .unwrap()
        .response
        .unwrap();
    assert_eq!(
        i.handle_response(&resp, NOW).unwrap_err(),
        SessionError::AuthFailure
    );
}

#[test]
fn rand_and_policy_rules_of_the_response() {
    let (mut r, _) = responder(rcfg(), trust_alice());
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let resp = r.handle(&req, NOW).unwrap().response.unwrap();
    let (a, b) = (
        b"alice@example.com".as_slice(),
        b"bob@example.com".as_slice(),
    );
    // Validly re-signed R_MESSAGEs that break §3.7 are discarded.
    let with_rand = resign_r(&resp, a, b, |m| {
        m.payloads.insert(
            1,
            Payload::Rand(Rand {
                rand: vec![1; 16].into(),
            }),
        )
    });
    assert!(matches!(
        i.handle_response(&with_rand, NOW),
        Err(SessionError::MissingPayload(_))
    ));
    let other_sp = resign_r(&resp, a, b, |m| {
        for p in &mut m.payloads {
            if let Payload::Sp(sp) = p {
                *sp = SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(2).unwrap();
            }
        }
    });
    assert!(matches!(
        i.handle_response(&other_sp, NOW),
        Err(SessionError::InvalidSpPar(_))
    ));
    let resigned = resign_r(&resp, a, b, |_| {});
    i.handle_response(&resigned, NOW).unwrap();
}

#[test]
fn certificate_chains_both_ways() {
    let roots = vec![der_file("ca.cert.der")];
    let (mut i, _) = initiator(
        RsaRConfig {
            certs: vec![der_file("alice.ca.cert.der")],
            ..icfg()
        },
        ChainVerifier::new(roots.clone(), NOW).unwrap(),
    );
    let (mut r, _) = responder(
        Rcfg {
            cfg: ResponderConfig {
                id_r: Some(Id::uri("sip:bob@example.com")),
                ..rcfg().cfg
            },
            s: RsaRSettings {
                certs: vec![
                    der_file("bob.int.cert.der"),
                    der_file("intermediate.cert.der"),
                ],
                ..RsaRSettings::default()
            },
        },
        ChainVerifier::new(roots.clone(), NOW).unwrap(),
    );
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let resp = r.handle(&req, NOW).unwrap().response.unwrap();
    let got = i.handle_response(&resp, NOW).unwrap();
    assert_eq!(got.responder_id, Id::uri("sip:bob@example.com"));
    // Without the intermediate the chain does not reach the root: Invalid Cert.
    let (mut r2, rc) = responder(rcfg(), ChainVerifier::new(roots.clone(), NOW).unwrap());
    let (mut i2, _) = initiator(
        RsaRConfig {
            certs: vec![der_file("alice.evil.cert.der")],
            ..icfg()
        },
        ChainVerifier::new(roots, NOW).unwrap(),
    );
    let req = i2.initiate(NOW, &mut seq_rng()).unwrap();
    let rej = r2.handle(&req, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidCert(_)));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidCert]
    );
    assert_eq!(rc.private_ops(), 0);
}

#[test]
fn error_messages_of_rfc_4738() {
    let (mut r, _) = responder(rcfg(), trust_alice());
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    // Truncated: unparseable, Error no 13 "Unsupported message type" (§3.5).
    let rej = r.handle(&req[..req.len() - 5], NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::UnsupportedMessageType(_)));
    let resp = rej.response.unwrap();
    assert_eq!(error_codes(&resp), [ErrorNo::UnsupportedMessageType]);
    assert_eq!(
        Message::parse(&resp).unwrap().header.csb_id,
        Message::parse(&req).unwrap().header.csb_id
    );
    // Garbage that is not even a header: no answer.
    assert!(r.handle(&[1, 9], NOW).unwrap_err().response.is_none());
    // Another data type: Invalid DT.
    let mut m = req.clone();
    m[1] = DataType::PkInit.to_wire();
    let rej = r.handle(&m, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::UnexpectedDataType(2));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidDt]
    );
    // Unsupported security protocol.
    let (mut i, _) = initiator(
        RsaRConfig {
            policies: vec![SecurityPolicy::new(1, ProtType::Unknown(7))],
            ..icfg()
        },
        trust_bob(),
    );
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let rej = r.handle(&req, NOW).unwrap_err();
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidSp]
    );
}

#[test]
fn secrets_never_show_in_debug() {
    let (mut i, _) = initiator(icfg(), trust_bob());
    let req = i.initiate(NOW, &mut seq_rng()).unwrap();
    let (mut r, _) = responder(
        Rcfg {
            s: RsaRSettings {
                group: Some(RsaRGroup {
                    keys: vec![TransportKey::tgk(&[0xAB; 16])],
                    crypto_sessions: vec![],
                    ..group()
                }),
                ..RsaRSettings::default()
            },
            ..rcfg()
        },
        trust_alice(),
    );
    let _ = r.handle(&req, NOW);
    for d in [format!("{i:?}"), format!("{r:?}"), format!("{:?}", group())] {
        assert!(!d.contains("171, 171, 171"), "{d}");
        assert!(!d.contains("66, 66, 66"), "{d}");
    }
}
