//! DH with signatures (RFC 3830 §3.3) end to end, with the stored test keys: both sides
//! agree on the TGK in every group and protect packets with the same SRTP keys; tampering,
//! untrusted keys, replays, bad DH values and unsupported groups are rejected with the right
//! Error message, before any private-key operation for forged input; updates with and
//! without fresh DH values.

mod common;
use core::time::Duration;
use mikey::crypto::{
    default_provider, CountingProvider, CryptoProvider, RsaPrivate, RustCryptoProvider,
    SignatureScheme,
};
use mikey::session::*;
use mikey::wire::*;
use std::sync::Arc;

const NOW: Duration = Duration::from_secs(1_790_000_000);
const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";

fn key(p: &dyn CryptoProvider, name: &str) -> Box<dyn RsaPrivate> {
    let pem = std::fs::read_to_string(common::path(&format!("keys/{name}"))).unwrap();
    p.rsa_private_from_pem(&pem).unwrap()
}

fn spki(name: &str) -> Vec<u8> {
    key(default_provider(), name).to_spki_der()
}

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u32;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *x = (n >> 16) as u8;
        }
    }
}

fn cfg(group: DhGroup) -> DhConfig {
    DhConfig {
        group,
        id_i: Some(Id::nai(ALICE)),
        id_r: Some(Id::nai(BOB)),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 1,
                ssrc: 0x11223344,
                roc: 0,
            },
            SrtpCs {
                policy_no: 1,
                ssrc: 0,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..DhConfig::default()
    }
}

fn initiator(group: DhGroup) -> DhSignInitiator {
    DhSignInitiator::new(
        cfg(group),
        key(default_provider(), "rsa2048-a.pem"),
        Arc::new(PinnedKeys::new().with(BOB.as_bytes(), &spki("rsa2048-b.pem"))),
    )
}

type Counting = Arc<CountingProvider<RustCryptoProvider>>;

/// A responder whose private key and exponentiations count into `p`.
fn responder(p: &Counting) -> DhSignResponder {
    DhSignResponder::new(
        key(p.as_ref(), "rsa2048-b.pem"),
        Arc::new(PinnedKeys::new().with(ALICE.as_bytes(), &spki("rsa2048-a.pem"))),
        ResponderConfig {
            local_ssrcs: vec![0xabcdef01],
            id_r: Some(Id::nai(BOB)),
            ..ResponderConfig::default()
        },
    )
    .with_groups(vec![DhGroup::Oakley5, DhGroup::Oakley2, DhGroup::Oakley1])
    .with_provider(p.clone())
}

fn counting() -> Counting {
    Arc::new(CountingProvider::new(RustCryptoProvider))
}

fn error_codes(msg: &[u8]) -> Vec<ErrorNo> {
    let m = Message::parse(msg).unwrap();
    assert_eq!(m.header.data_type, DataType::Error);
    m.payloads
        .iter()
        .filter_map(|p| match p {
            Payload::Err(e) => Some(e.error_no),
            _ => None,
        })
        .collect()
}

/// Re-signs a patched message with `signer` (the SIGN payload is last; RFC 3830 §5.2).
fn resign(msg: &[u8], signer: &dyn RsaPrivate) -> Vec<u8> {
    let mut out = msg.to_vec();
    let len = signer.modulus_len();
    let body = out.len() - len;
    let sig = signer
        .sign(
            &mut seq_rng(),
            SignatureScheme::RsaPkcs1Sha256,
            &out[..body],
        )
        .unwrap();
    out[body..].copy_from_slice(&sig);
    out
}

fn patch(msg: &[u8], f: impl FnOnce(&mut Message)) -> Vec<u8> {
    let mut m = Message::parse(msg).unwrap().into_owned();
    f(&mut m);
    m.encode().unwrap()
}

fn rtp(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 96, 0, 1, 0, 0, 0, 9];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"signed DH keyed payload");
    p
}

#[test]
fn every_group_agrees_and_protects_packets() {
    for group in [DhGroup::Oakley5, DhGroup::Oakley1, DhGroup::Oakley2] {
        let mut i = initiator(group);
        let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
        let m = Message::parse(&msg).unwrap();
        assert_eq!(m.header.data_type, DataType::DhInit);
        use PayloadType as P;
        let kinds: Vec<PayloadType> = m.payloads.iter().map(|p| p.payload_type()).collect();
        // HDR, T, RAND, IDi, IDr, SP, DHi, SIGNi.
        assert_eq!(kinds, [P::T, P::Rand, P::Id, P::Id, P::Sp, P::Dh, P::Sign]);
        let p = counting();
        let mut r = responder(&p);
        let a = r.handle(&msg, NOW + Duration::from_secs(1)).unwrap();
        assert_eq!(p.private_ops(), 3, "g^xr, the TGK and SIGNr");
        let resp = a.response.clone().unwrap();
        let rm = Message::parse(&resp).unwrap();
        assert_eq!(rm.header.data_type, DataType::DhResp);
        let kinds: Vec<PayloadType> = rm.payloads.iter().map(|p| p.payload_type()).collect();
        // HDR, T, IDr, IDi, DHr, DHi, SIGNr.
        assert_eq!(kinds, [P::T, P::Id, P::Id, P::Dh, P::Dh, P::Sign]);
        let done = i.handle_response(&resp, NOW).unwrap();
        assert!(done.rekeyed);
        assert_eq!(i.bundle().unwrap().keys, r.bundle(a.csb_id).unwrap().keys);
        let x = i.srtp().unwrap();
        let y = r.srtp(a.csb_id).unwrap();
        assert_eq!(x, y);
        assert_eq!(x[1].ssrc, 0xabcdef01);
        let mut tx = x[0].context().unwrap();
        let mut rx = y[0].context().unwrap();
        let prot = tx.protect_rtp(&rtp(0x11223344)).unwrap();
        assert_eq!(rx.unprotect_rtp(&prot).unwrap(), rtp(0x11223344));
    }
}

#[test]
fn pss_certificates_and_no_ids() {
    // Certificates instead of IDs, RSASSA-PSS: the pinned keys are registered under the
    // empty identity, as PinnedKeys does for peers without ID.
    let alice = key(default_provider(), "rsa2048-a.pem");
    let mut i = DhSignInitiator::new(
        DhConfig {
            id_i: None,
            id_r: None,
            ..cfg(DhGroup::Oakley2)
        },
        alice,
        Arc::new(PinnedKeys::new().with(b"", &spki("rsa2048-b.pem"))),
    )
    .with_certs(vec![
        std::fs::read(common::path("keys/alice.cert.der")).unwrap()
    ])
    .with_scheme(SignatureScheme::RsaPssSha256);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let m = Message::parse(&msg).unwrap();
    assert!(m.payloads.iter().any(|p| matches!(p, Payload::Cert(_))));
    let p = counting();
    let mut r = DhSignResponder::new(
        key(p.as_ref(), "rsa2048-b.pem"),
        Arc::new(PinnedKeys::new().with(b"", &spki("rsa2048-a.pem"))),
        ResponderConfig::default(),
    )
    .with_certs(vec![
        std::fs::read(common::path("keys/bob.cert.der")).unwrap()
    ])
    .with_scheme(SignatureScheme::RsaPssSha256)
    .with_provider(p.clone());
    let a = r.handle(&msg, NOW).unwrap();
    let rm = Message::parse(a.response.as_ref().unwrap()).unwrap();
    assert!(rm.payloads.iter().any(|p| matches!(p, Payload::Cert(_))));
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    assert_eq!(i.srtp().unwrap(), r.srtp(a.csb_id).unwrap());
}

#[test]
fn every_bit_flip_is_rejected_before_any_private_operation() {
    let mut i = initiator(DhGroup::Oakley1);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    let mut r = responder(&p);
    for bit in 0..msg.len() * 8 {
        let mut m = msg.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(r.handle(&m, NOW).is_err(), "bit {bit} accepted");
    }
    assert_eq!(
        p.private_ops(),
        0,
        "forged input cost no private-key operation"
    );
    assert_eq!(r.replay_cache().len(), 0);
    let a = r.handle(&msg, NOW).unwrap();
    let resp = a.response.unwrap();
    for bit in 0..resp.len() * 8 {
        let mut m = resp.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(i.handle_response(&m, NOW).is_err(), "bit {bit} accepted");
        assert!(i.bundle().is_none());
    }
    i.handle_response(&resp, NOW).unwrap();
}

#[test]
fn untrusted_signers_replays_and_skew() {
    let mut i = initiator(DhGroup::Oakley5);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    // Signed by another key (the 1024-bit one) claiming to be alice: Auth failure, no
    // private-key operation, an unsigned Error message.
    let mallory = key(default_provider(), "rsa1024.pem");
    let forged = {
        let m = Message::parse(&msg).unwrap().into_owned();
        let mut m2 = m.clone();
        m2.payloads.pop();
        m2.payloads.push(Payload::Sign(Sign {
            sign_type: SignType::RsaPkcs1,
            signature: vec![0; mallory.modulus_len()].into(),
        }));
        resign(&m2.encode().unwrap(), mallory.as_ref())
    };
    let mut r = responder(&p);
    let rej = r.handle(&forged, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    let resp = rej.response.unwrap();
    assert_eq!(error_codes(&resp), [ErrorNo::AuthFailure]);
    assert!(!Message::parse(&resp)
        .unwrap()
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::Sign(_))));
    // An identity nobody pinned.
    let stranger = patch(&msg, |m| {
        for p in &mut m.payloads {
            if let Payload::Id(id) = p {
                if &*id.data == ALICE.as_bytes() {
                    *id = Id::nai("carol@example.com");
                }
            }
        }
    });
    let stranger = resign(&stranger, key(default_provider(), "rsa2048-a.pem").as_ref());
    assert_eq!(
        r.handle(&stranger, NOW).unwrap_err().error,
        SessionError::AuthFailure
    );
    assert_eq!(p.private_ops(), 0);

    r.handle(&msg, NOW).unwrap();
    let ops = p.private_ops();
    let rej = r.handle(&msg, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::Replay);
    assert!(rej.response.is_none());
    let late = responder(&p)
        .handle(&msg, NOW + Duration::from_secs(400))
        .unwrap_err();
    assert_eq!(late.error, SessionError::InvalidTimestamp);
    assert_eq!(
        error_codes(late.response.as_ref().unwrap()),
        [ErrorNo::InvalidTs]
    );
    assert_eq!(p.private_ops(), ops);
    // The initiator: the Error message is reported, the exchange stays open.
    assert_eq!(
        i.handle_response(late.response.as_ref().unwrap(), NOW)
            .unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidTs])
    );
    // A response signed by a key the initiator did not pin is refused.
    let good = responder(&counting()).handle(&msg, NOW).unwrap();
    let bad = resign(
        good.response.as_ref().unwrap(),
        key(default_provider(), "rsa2048-a.pem").as_ref(),
    );
    assert_eq!(
        i.handle_response(&bad, NOW).unwrap_err(),
        SessionError::AuthFailure
    );
    i.handle_response(good.response.as_ref().unwrap(), NOW)
        .unwrap();
}

#[test]
fn bad_dh_values_are_rejected() {
    let g = DhGroup::Oakley1;
    let n = g.value_len().unwrap();
    let prime = mikey::crypto::dh::group(g).unwrap().prime.to_vec();
    let mut one = vec![0; n];
    one[n - 1] = 1;
    let mut pm1 = prime.clone();
    pm1[n - 1] -= 1;
    let bad = [vec![0; n], one, pm1, prime.clone(), vec![0xff; n]];
    let alice = key(default_provider(), "rsa2048-a.pem");
    let mut i = initiator(g);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    for v in &bad {
        let patched = patch(&msg, |m| {
            for p in &mut m.payloads {
                if let Payload::Dh(d) = p {
                    d.value = v.clone().into();
                }
            }
        });
        let p = counting();
        let rej = responder(&p).handle(&patched, NOW).unwrap_err();
        assert_eq!(rej.error, SessionError::AuthFailure);
        let signed = resign(&patched, alice.as_ref());
        let rej = responder(&p).handle(&signed, NOW).unwrap_err();
        assert!(
            matches!(rej.error, SessionError::InvalidDh(_)),
            "{:?}",
            rej.error
        );
        assert_eq!(
            error_codes(rej.response.as_ref().unwrap()),
            [ErrorNo::InvalidDh]
        );
        assert_eq!(p.private_ops(), 0);
    }
    let bob = key(default_provider(), "rsa2048-b.pem");
    let resp = responder(&counting())
        .handle(&msg, NOW)
        .unwrap()
        .response
        .unwrap();
    for v in &bad {
        let patched = patch(&resp, |m| {
            if let Some(Payload::Dh(d)) =
                m.payloads.iter_mut().find(|p| matches!(p, Payload::Dh(_)))
            {
                d.value = v.clone().into();
            }
        });
        assert_eq!(
            i.handle_response(&patched, NOW).unwrap_err(),
            SessionError::AuthFailure
        );
        let e = i
            .handle_response(&resign(&patched, bob.as_ref()), NOW)
            .unwrap_err();
        assert!(matches!(e, SessionError::InvalidDh(_)), "{e:?}");
    }
    i.handle_response(&resp, NOW).unwrap();
}

#[test]
fn unsupported_groups_get_invalid_dh() {
    let mut i = initiator(DhGroup::Oakley1);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    let mut r = DhSignResponder::new(
        key(p.as_ref(), "rsa2048-b.pem"),
        Arc::new(PinnedKeys::new().with(ALICE.as_bytes(), &spki("rsa2048-a.pem"))),
        ResponderConfig::default(),
    )
    .with_provider(p.clone());
    let rej = r.handle(&msg, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidDh(_)));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidDh]
    );
    // (The encoder refuses a group whose layout it cannot know: the code is patched in.)
    let dh_at = MessageView::parse(&msg)
        .unwrap()
        .walk()
        .find(|p| p.payload_type() == PayloadType::Dh)
        .unwrap()
        .offset();
    let mut unknown = msg.clone();
    unknown[dh_at + 1] = DhGroup::Unknown(5).to_wire();
    let rej = r.handle(&unknown, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidDh(_)));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidDh]
    );
    assert_eq!(p.private_ops(), 0);
}

#[test]
fn updates_with_and_without_fresh_dh() {
    let mut i = initiator(DhGroup::Oakley2);
    let p = counting();
    let mut r = responder(&p);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    let tgk1 = i.bundle().unwrap().keys[0].clone();

    let t2 = NOW + Duration::from_secs(5);
    let upd = i.update(true, t2, &mut seq_rng()).unwrap();
    let ops = p.private_ops();
    let a2 = r.handle(&upd, t2).unwrap();
    assert_eq!(p.private_ops(), ops + 3);
    let done = i
        .handle_response(a2.response.as_deref().unwrap(), t2)
        .unwrap();
    assert!(done.rekeyed);
    assert_ne!(i.bundle().unwrap().keys[0], tgk1);
    assert_eq!(i.srtp().unwrap(), r.srtp(a.csb_id).unwrap());

    let t3 = t2 + Duration::from_secs(5);
    let upd = i.update(false, t3, &mut seq_rng()).unwrap();
    let ops = p.private_ops();
    let a3 = r.handle(&upd, t3).unwrap();
    assert_eq!(p.private_ops(), ops + 1, "only SIGNr");
    let done = i
        .handle_response(a3.response.as_deref().unwrap(), t3)
        .unwrap();
    assert!(!done.rekeyed);
    assert_eq!(i.srtp().unwrap(), r.srtp(a.csb_id).unwrap());

    // An update for alice's CSB signed by someone else the responder also trusts is refused.
    let t4 = t3 + Duration::from_secs(5);
    let mut carol = DhSignInitiator::new(
        DhConfig {
            id_i: Some(Id::nai("carol@example.com")),
            csb_id: Some(a.csb_id),
            ..cfg(DhGroup::Oakley2)
        },
        key(default_provider(), "rsa1024.pem"),
        Arc::new(PinnedKeys::new()),
    );
    let hijack = carol.initiate(t4, &mut seq_rng()).unwrap();
    let mut r2 = DhSignResponder::new(
        key(p.as_ref(), "rsa2048-b.pem"),
        Arc::new(
            PinnedKeys::new()
                .with(ALICE.as_bytes(), &spki("rsa2048-a.pem"))
                .with(b"carol@example.com", &spki("rsa1024.pem")),
        ),
        ResponderConfig::default(),
    );
    let first = i.bundle().unwrap().csb_id;
    let mut i2 = initiator(DhGroup::Oakley2);
    i2.config_mut().csb_id = Some(first);
    let m = i2.initiate(t4, &mut seq_rng()).unwrap();
    r2.handle(&m, t4).unwrap();
    let rej = r2.handle(&hijack, t4).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
}

#[test]
fn secrets_never_show_in_debug() {
    let mut i = initiator(DhGroup::Oakley2);
    let mut r = responder(&counting());
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    let tgk = i.bundle().unwrap().keys[0].key.as_bytes().to_vec();
    let tgk_dbg = format!("{:?}", &tgk[..8]).trim_end_matches(']').to_string();
    for s in [
        format!("{i:?}"),
        format!("{r:?}"),
        format!("{:?}", i.bundle()),
    ] {
        assert!(!s.contains(&tgk_dbg), "{s}");
        assert!(!s.contains("PRIVATE"), "{s}");
    }
}

#[test]
fn decoding_errors_get_no_answer() {
    let mut i = initiator(DhGroup::Oakley5);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let rej = responder(&counting())
        .handle(&msg[..msg.len() - 3], NOW)
        .unwrap_err();
    assert!(matches!(rej.error, SessionError::Parse(_)));
    assert!(rej.response.is_none());
}
