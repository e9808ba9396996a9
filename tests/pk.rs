//! The public-key envelope method (RFC 3830 §3.2) end to end with the stored test keys:
//! both sides derive the same SRTP keys and use them on a real packet; every bit flip,
//! replays, forged signatures, wrong keys and untrusted certificates are rejected — forged
//! messages without any private-key operation; envelope key caching turns updates into PSK
//! messages (§4.5); CHASH selects among several responder keys.

mod common;
use core::time::Duration;
use mikey::crypto::{
    CountingProvider, CryptoProvider, RsaPrivate, RustCryptoProvider, SignatureScheme,
};
use mikey::session::*;
use mikey::srtp::SrtpSuite;
use mikey::wire::*;
use std::sync::Arc;

const NOW: Duration = Duration::from_secs(1_800_000_000);

fn key_file(name: &str) -> String {
    std::fs::read_to_string(common::path(&format!("keys/{name}"))).unwrap()
}

fn der_file(name: &str) -> Vec<u8> {
    std::fs::read(common::path(&format!("keys/{name}"))).unwrap()
}

fn private(p: &dyn CryptoProvider, name: &str) -> Box<dyn RsaPrivate> {
    p.rsa_private_from_pem(&key_file(name)).unwrap()
}

fn alice() -> Box<dyn RsaPrivate> {
    private(&RustCryptoProvider, "rsa2048-a.pem")
}

fn bob_public() -> Box<dyn mikey::crypto::RsaPublic> {
    RustCryptoProvider
        .rsa_public_from_pem(&key_file("rsa2048-b.pub.pem"))
        .unwrap()
}

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(37);
            *x = n;
        }
    }
}

fn cfg() -> PkConfig {
    PkConfig {
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
        ..PkConfig::default()
    }
}

fn pinned() -> PinnedKeys {
    PinnedKeys::new().with(b"alice@example.com", &alice().to_spki_der())
}

/// A responder with Bob's key through a counting provider; the counter is returned.
fn responder(
    verifier: impl PeerVerifier + 'static,
) -> (PkResponder, Arc<CountingProvider<RustCryptoProvider>>) {
    let counting = Arc::new(CountingProvider::new(RustCryptoProvider));
    let bob = private(counting.as_ref(), "rsa2048-b.pem");
    let r = PkResponder::new(
        bob,
        verifier,
        ResponderConfig {
            local_ssrcs: vec![0xabcdef01],
            ..ResponderConfig::default()
        },
    )
    .with_provider(counting.clone());
    (r, counting)
}

fn rtp(ssrc: u32, seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&1234u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"hello, srtp payload");
    p
}

fn tgk() -> Vec<TransportKey> {
    vec![TransportKey::tgk(&[5u8; 16]).with_mki(&[0, 0, 0, 1])]
}

/// Re-signs a message after `f` edited it, with `key` (to reach the checks after SIGN).
fn resign(msg: &[u8], key: &dyn RsaPrivate, f: impl FnOnce(&mut Message)) -> Vec<u8> {
    let mut m = Message::parse(msg).unwrap().into_owned();
    f(&mut m);
    let mut out = m.encode().unwrap();
    let n = key.modulus_len();
    let body = out.len() - n;
    let sig = key
        .sign(
            &mut seq_rng(),
            SignatureScheme::RsaPkcs1Sha256,
            &out[..body],
        )
        .unwrap();
    out[body..].copy_from_slice(&sig);
    out
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

#[test]
fn both_sides_get_the_same_srtp_keys_and_protect_packets() {
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let parsed = Message::parse(&msg).unwrap();
    let kinds: Vec<PayloadType> = parsed.payloads.iter().map(|p| p.payload_type()).collect();
    assert_eq!(
        kinds,
        [
            PayloadType::T,
            PayloadType::Rand,
            PayloadType::Id,
            PayloadType::Id,
            PayloadType::Sp,
            PayloadType::Kemac,
            PayloadType::Pke,
            PayloadType::Sign
        ]
    );
    let (mut r, counting) = responder(pinned());
    let a = r.handle(&msg, NOW + Duration::from_secs(2)).unwrap();
    assert_eq!(counting.private_ops(), 1, "one RSA decryption");
    let resp = a.response.clone().unwrap();
    assert_eq!(
        Message::parse(&resp).unwrap().header.data_type,
        DataType::PkResp
    );
    let v = i.handle_response(&resp, NOW).unwrap();
    assert!(i.is_confirmed());
    assert_eq!(v.ssrcs_filled, vec![(2, 0xabcdef01)]);
    let x = i.srtp().unwrap();
    let y = r.srtp(a.csb_id).unwrap();
    assert_eq!(x.len(), 2);
    assert_eq!(x, y);
    assert_eq!(x[0].suite, SrtpSuite::AesCm128HmacSha1_80);
    assert_eq!(x[1].ssrc, 0xabcdef01);
    let mut tx = x[0].context().unwrap();
    let mut rx = y[0].context().unwrap();
    let pkt = rtp(0x11223344, 100);
    let prot = tx.protect_rtp(&pkt).unwrap();
    assert_ne!(prot, pkt);
    assert_eq!(rx.unprotect_rtp(&prot).unwrap(), pkt);
}

/// A policy number given twice means its last policy on both sides, as an update replaces
/// policies by number (RFC 3830 §4.5).
#[test]
fn a_policy_given_twice_means_the_last_on_both_sides() {
    let mut c = cfg();
    c.policies = common::policy_given_twice(1);
    let mut i = PkInitiator::new(alice(), bob_public(), c);
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let (mut r, _) = responder(pinned());
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    let x = i.srtp().unwrap();
    assert_eq!(x.len(), 2);
    assert!(x.iter().all(|p| p.suite == SrtpSuite::AesCm128HmacSha1_32));
    assert_eq!(x, r.srtp(a.csb_id).unwrap());
}

#[test]
fn every_algorithm_and_signature_scheme() {
    for (prf, encr, mac, sig) in [
        (
            PrfFunc::Mikey1,
            EncrAlg::AesKw128,
            MacAlg::HmacSha1_160,
            SignatureScheme::RsaPssSha256,
        ),
        (
            PrfFunc::HmacSha256,
            EncrAlg::AesCm256,
            MacAlg::HmacSha256_256,
            SignatureScheme::RsaPkcs1Sha256,
        ),
        (
            PrfFunc::Mikey1,
            EncrAlg::AesCm128,
            MacAlg::HmacSha1_160,
            SignatureScheme::RsaPkcs1Sha1,
        ),
    ] {
        let c = PkConfig {
            prf,
            encr,
            mac,
            signature: sig,
            envelope_key_len: 32,
            ..cfg()
        };
        let mut i = PkInitiator::new(alice(), bob_public(), c);
        // AES-KW needs a multiple of 8 bytes: ID 4 + 17, key data 4 + 18 + 1 + 4.
        let keys = vec![TransportKey::tgk(&[5u8; 18]).with_mki(&[0, 0, 0, 1])];
        let msg = i.initiate(keys, NOW, &mut seq_rng()).unwrap();
        let (mut r, _) = responder(pinned());
        let sha1 = matches!(sig, SignatureScheme::RsaPkcs1Sha1);
        if sha1 {
            let rej = r.handle(&msg, NOW).unwrap_err();
            assert_eq!(rej.error, SessionError::AuthFailure, "SHA-1 needs consent");
            // Same settings but SHA-1 allowed.
            let counting = Arc::new(CountingProvider::new(RustCryptoProvider));
            r = PkResponder::new(
                private(counting.as_ref(), "rsa2048-b.pem"),
                pinned(),
                ResponderConfig {
                    sha1_signatures: true,
                    local_ssrcs: vec![1],
                    ..ResponderConfig::default()
                },
            )
            .with_provider(counting.clone());
        }
        let a = r.handle(&msg, NOW).unwrap();
        i.handle_response(a.response.as_deref().unwrap(), NOW)
            .unwrap();
        assert_eq!(
            i.srtp().unwrap()[0].master_key,
            r.srtp(a.csb_id).unwrap()[0].master_key
        );
    }
}

#[test]
fn every_bit_flip_is_rejected_without_private_key_work() {
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let (mut r, counting) = responder(pinned());
    for bit in 0..msg.len() * 8 {
        let mut m = msg.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(r.handle(&m, NOW).is_err(), "bit {bit} accepted");
    }
    assert_eq!(counting.private_ops(), 0, "SIGN covers the whole message");
    assert_eq!(r.replay_cache().len(), 0);
    r.handle(&msg, NOW).unwrap();
    assert_eq!(counting.private_ops(), 1);
}

#[test]
fn every_bit_flip_of_the_verification_message_is_rejected() {
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let (mut r, _) = responder(pinned());
    let resp = r.handle(&msg, NOW).unwrap().response.unwrap();
    for bit in 0..resp.len() * 8 {
        let mut m = resp.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(i.handle_response(&m, NOW).is_err(), "bit {bit} accepted");
        assert!(!i.is_confirmed());
    }
    i.handle_response(&resp, NOW).unwrap();
}

#[test]
fn kemac_mac_and_encrypted_id_are_checked_after_the_signature() {
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let a = alice();
    // A validly signed message whose KEMAC was altered: the MAC catches it.
    let bad_kemac = resign(&msg, a.as_ref(), |m| {
        for p in &mut m.payloads {
            if let Payload::Kemac(k) = p {
                k.encr_data.to_mut()[3] ^= 1;
            }
        }
    });
    let (mut r, counting) = responder(pinned());
    let rej = r.handle(&bad_kemac, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::AuthFailure]
    );
    assert_eq!(
        counting.private_ops(),
        1,
        "signed by a trusted peer: decrypted"
    );
    // The KEMAC MAC covers the KEMAC with its Next payload field zeroed (RFC 3830 §5.2):
    // moving CHASH in front of PKE changes that field but not the MAC input.
    let with_chash = resign(&msg, a.as_ref(), |m| {
        let pos = m
            .payloads
            .iter()
            .position(|p| matches!(p, Payload::Pke(_)))
            .unwrap();
        m.payloads.insert(
            pos,
            Payload::Chash(Chash {
                hash_func: HashFunc::Sha256,
                hash: cert_hash(HashFunc::Sha256, &der_file("bob.cert.der"))
                    .unwrap()
                    .into(),
            }),
        );
    });
    let (r2, _) = responder(pinned());
    let mut r2 = r2.with_certificate(&der_file("bob.cert.der"));
    r2.handle(&with_chash, NOW).unwrap();

    // The encrypted IDi must equal the clear one (RFC 3830 §3.2).
    let mut mallory = PkInitiator::new(
        alice(),
        bob_public(),
        PkConfig {
            id_i: Some(Id::nai("mallory@example.com")),
            send_id_i: false,
            ..cfg()
        },
    );
    let m = mallory.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let spoofed = resign(&m, a.as_ref(), |m| {
        m.payloads
            .insert(2, Payload::Id(Id::nai("alice@example.com")));
    });
    let (mut r3, _) = responder(pinned());
    assert_eq!(
        r3.handle(&spoofed, NOW).unwrap_err().error,
        SessionError::AuthFailure
    );
}

#[test]
fn replays_and_skew() {
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let (mut r, counting) = responder(pinned());
    r.handle(&msg, NOW).unwrap();
    let rej = r.handle(&msg, NOW + Duration::from_secs(1)).unwrap_err();
    assert_eq!(rej.error, SessionError::Replay);
    assert!(rej.response.is_none());
    assert_eq!(
        counting.private_ops(),
        1,
        "the replay cost no private-key work"
    );
    let (mut late, counting) = responder(pinned());
    let rej = late
        .handle(&msg, NOW + Duration::from_secs(301))
        .unwrap_err();
    assert_eq!(rej.error, SessionError::InvalidTimestamp);
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidTs]
    );
    assert_eq!(counting.private_ops(), 0);
    assert_eq!(
        i.handle_response(rej.response.as_ref().unwrap(), NOW)
            .unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidTs])
    );
}

#[test]
fn forged_flood_costs_no_private_key_operation() {
    let (mut r, counting) = responder(pinned());
    let mut rng = seq_rng();
    let genuine = PkInitiator::new(alice(), bob_public(), cfg())
        .initiate(tgk(), NOW, &mut rng)
        .unwrap();
    // Signed with the wrong key (Bob's key claiming to be Alice).
    let bob = private(&RustCryptoProvider, "rsa2048-b.pem");
    let wrong_key = PkInitiator::new(bob, bob_public(), cfg())
        .initiate(tgk(), NOW, &mut rng)
        .unwrap();
    // An identity nobody trusts.
    let eve = PkInitiator::new(
        alice(),
        bob_public(),
        PkConfig {
            id_i: Some(Id::nai("eve@example.com")),
            ..cfg()
        },
    )
    .initiate(tgk(), NOW, &mut rng)
    .unwrap();
    let n = 256;
    for k in 0..200u32 {
        // Four forged messages every 50 ms: 80 a second, each answered within the default
        // budget of 100 Error messages a second (`tests/engine_errors.rs` tests the budget).
        let now = NOW + Duration::from_millis(50 * u64::from(k));
        // Random signature bytes.
        let mut m = genuine.clone();
        let len = m.len();
        for (j, b) in m[len - n..].iter_mut().enumerate() {
            *b = (j as u32).wrapping_mul(31).wrapping_add(k * 7919) as u8;
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
        assert_eq!(rej.error, SessionError::AuthFailure);
        assert_eq!(
            error_codes(rej.response.as_ref().unwrap()),
            [ErrorNo::AuthFailure]
        );
        // A genuine message, edited (its signature no longer matches).
        let mut m = genuine.clone();
        m[20 + (k as usize % 40)] ^= 0x40;
        assert!(r.handle(&m, now).is_err());
    }
    assert_eq!(counting.private_ops(), 0);
    assert_eq!(r.replay_cache().len(), 0);
    r.handle(&genuine, NOW).unwrap();
    assert_eq!(counting.private_ops(), 1);
}

#[test]
fn certificates_are_checked_by_the_chain_verifier() {
    let roots = vec![der_file("ca.cert.der")];
    let chain_cfg = |cert: &str| PkConfig {
        certs: vec![der_file(cert)],
        ..cfg()
    };
    // Alice's CA-issued certificate: accepted.
    let verifier = ChainVerifier::new(roots.clone(), NOW).unwrap();
    let (mut r, _) = responder(verifier);
    let mut i = PkInitiator::new(alice(), bob_public(), chain_cfg("alice.ca.cert.der"));
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    assert!(Message::parse(&msg)
        .unwrap()
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::Cert(_))));
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();

    // Issued by an untrusted CA with the same name, expired, wrong identity: Invalid Cert.
    for (cert, at, id) in [
        ("alice.evil.cert.der", NOW, "alice@example.com"),
        (
            "alice.ca.cert.der",
            Duration::from_secs(5_000_000_000),
            "alice@example.com",
        ),
        ("alice.ca.cert.der", NOW, "bob@example.com"),
        ("alice.cert.der", NOW, "alice@example.com"),
    ] {
        let verifier = Arc::new(ChainVerifier::new(roots.clone(), NOW).unwrap());
        verifier.set_time(at);
        let (mut r, counting) = responder(verifier.clone());
        let mut i = PkInitiator::new(
            alice(),
            bob_public(),
            PkConfig {
                id_i: Some(Id::nai(id)),
                ..chain_cfg(cert)
            },
        );
        let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
        let rej = r.handle(&msg, NOW).unwrap_err();
        assert!(
            matches!(rej.error, SessionError::InvalidCert(_)),
            "{cert} {id}: {}",
            rej.error
        );
        assert_eq!(
            error_codes(rej.response.as_ref().unwrap()),
            [ErrorNo::InvalidCert]
        );
        assert_eq!(counting.private_ops(), 0);
    }
    // No certificate at all.
    let (mut r, _) = responder(ChainVerifier::new(roots, NOW).unwrap());
    let msg = PkInitiator::new(alice(), bob_public(), cfg())
        .initiate(tgk(), NOW, &mut seq_rng())
        .unwrap();
    assert!(matches!(
        r.handle(&msg, NOW).unwrap_err().error,
        SessionError::InvalidCert(_)
    ));
}

#[test]
fn cached_envelope_key_makes_updates_psk_messages() {
    let c = PkConfig {
        cache: CacheType::CacheForCsb,
        ..cfg()
    };
    let mut i = PkInitiator::new(alice(), bob_public(), c);
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let (mut r, counting) = responder(pinned());
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    // A second public-key message on the CSB is refused by the initiator (RFC 3830 §4.5).
    assert!(matches!(
        i.initiate(tgk(), NOW, &mut seq_rng()),
        Err(SessionError::WrongState(_))
    ));
    let mut psk = i
        .into_psk(PskConfig {
            v: true,
            id_i: Some(Id::nai("alice@example.com")),
            ..PskConfig::default()
        })
        .unwrap();
    let new_key = TransportKey::tgk(&[6u8; 16]).with_mki(&[0, 0, 0, 2]);
    let upd = psk
        .initiate(vec![new_key], NOW + Duration::from_secs(10), &mut seq_rng())
        .unwrap();
    let m = Message::parse(&upd).unwrap();
    assert_eq!(m.header.data_type, DataType::PskInit);
    assert!(!m.payloads.iter().any(|p| matches!(p, Payload::Rand(_))));
    let ops = counting.private_ops();
    let a2 = r.handle(&upd, NOW + Duration::from_secs(10)).unwrap();
    assert_eq!(counting.private_ops(), ops, "PSK update: no RSA");
    assert_eq!(a2.change.keys_added, 1);
    psk.handle_response(a2.response.as_deref().unwrap(), NOW)
        .unwrap();
    assert_eq!(psk.srtp().unwrap(), r.srtp(a.csb_id).unwrap());
    assert_eq!(r.bundle(a.csb_id).unwrap().keys.len(), 2);
}

/// What the initiator exports after updates equals what the responder exports and a plain
/// export of its bundle: an update that replaces the policy, then one that carries no
/// policy (the bundle keeps the replaced one, RFC 3830 §4.5).
#[test]
fn updates_with_and_without_policies_export_alike() {
    let mut c = cfg();
    c.cache = CacheType::NoCache;
    let mut i = PkInitiator::new(alice(), bob_public(), c);
    let (mut r, _) = responder(pinned());
    let sha32 = mikey::srtp::export::policy_for(SrtpSuite::AesCm128HmacSha1_32);
    let sha32 = sha32.to_payload(1).unwrap();
    let mut csb_id = 0;
    for (n, policies) in [None, Some(vec![sha32]), Some(vec![])]
        .into_iter()
        .enumerate()
    {
        if let Some(p) = policies {
            i.config_mut().policies = p;
        }
        let at = NOW + Duration::from_secs(n as u64);
        let key = TransportKey::tgk(&[n as u8 + 1; 16]).with_mki(&[0, 0, 0, n as u8]);
        let msg = i.initiate(vec![key], at, &mut seq_rng()).unwrap();
        let a = r.handle(&msg, at).unwrap();
        csb_id = a.csb_id;
        i.handle_response(a.response.as_deref().unwrap(), at)
            .unwrap();
        let x = i.srtp().unwrap();
        assert_eq!(x, mikey::srtp::export::export(i.bundle().unwrap()).unwrap());
        assert_eq!(x, r.srtp(csb_id).unwrap());
        let suite = match n {
            0 => SrtpSuite::AesCm128HmacSha1_80,
            _ => SrtpSuite::AesCm128HmacSha1_32,
        };
        assert!(x.iter().all(|p| p.suite == suite), "message {n}");
    }
    assert_eq!(r.srtp(csb_id).unwrap().len(), 2 * 3);
}

#[test]
fn without_caching_updates_are_public_key_messages() {
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let (mut r, _) = responder(pinned());
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    // No envelope key to use as a PSK.
    let i2 = PkInitiator::new(alice(), bob_public(), cfg());
    assert!(i2.into_psk(PskConfig::default()).is_err());
    // A forged PSK update for the CSB (any key) is refused.
    let mut forger = PskInitiator::from_bundle(
        &[0u8; 16],
        PskConfig::default(),
        i.bundle().unwrap().clone(),
    );
    let f = forger
        .initiate(tgk(), NOW + Duration::from_secs(1), &mut seq_rng())
        .unwrap();
    assert_eq!(
        r.handle(&f, NOW + Duration::from_secs(1))
            .unwrap_err()
            .error,
        SessionError::AuthFailure
    );
    // A public-key update: no RAND, new envelope key, a new key by MKI.
    let upd = i
        .initiate(
            vec![TransportKey::tgk(&[8u8; 16]).with_mki(&[0, 0, 0, 2])],
            NOW + Duration::from_secs(5),
            &mut seq_rng(),
        )
        .unwrap();
    let a2 = r.handle(&upd, NOW + Duration::from_secs(5)).unwrap();
    assert!(!a2.change.created);
    i.handle_response(a2.response.as_deref().unwrap(), NOW)
        .unwrap();
    assert_eq!(i.srtp().unwrap(), r.srtp(a.csb_id).unwrap());
    // An update signed by another (trusted) key than the CSB's is refused.
    let carol = private(&RustCryptoProvider, "rsa1024.pem");
    let both = pinned().with(b"carol@example.com", &carol.to_spki_der());
    let (mut r2, _) = responder(both);
    let mut i2 = PkInitiator::new(alice(), bob_public(), cfg());
    let m = i2.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let a = r2.handle(&m, NOW).unwrap();
    let mut hijack = PkInitiator::new(
        carol,
        bob_public(),
        PkConfig {
            csb_id: Some(a.csb_id),
            id_i: Some(Id::nai("carol@example.com")),
            ..cfg()
        },
    );
    let h = hijack
        .initiate(tgk(), NOW + Duration::from_secs(1), &mut seq_rng())
        .unwrap();
    // It carries a RAND (a new CSB with the same ID): only the CSB's owner may do that.
    let before = r2.srtp(a.csb_id).unwrap();
    assert_eq!(
        r2.handle(&h, NOW + Duration::from_secs(1))
            .unwrap_err()
            .error,
        SessionError::AuthFailure
    );
    assert_eq!(r2.srtp(a.csb_id).unwrap(), before);
}

#[test]
fn chash_selects_the_responder_key() {
    let counting = Arc::new(CountingProvider::new(RustCryptoProvider));
    let bob = private(counting.as_ref(), "rsa2048-b.pem");
    let alice_as_responder = private(counting.as_ref(), "rsa2048-a.pem");
    let mut r = PkResponder::new(alice_as_responder, pinned(), ResponderConfig::default())
        .with_provider(counting.clone())
        .with_certificate(&der_file("alice.cert.der"));
    r.add_key(bob, &der_file("bob.cert.der"));
    let c = PkConfig {
        chash: Some(HashFunc::Sha256),
        responder_cert: Some(der_file("bob.cert.der")),
        ..cfg()
    };
    let mut i = PkInitiator::new(alice(), bob_public(), c.clone());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    assert!(Message::parse(&msg)
        .unwrap()
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::Chash(_))));
    r.handle(&msg, NOW).unwrap();
    // A CHASH naming a certificate we do not have.
    let mut i = PkInitiator::new(
        alice(),
        bob_public(),
        PkConfig {
            responder_cert: Some(der_file("ca.cert.der")),
            ..c
        },
    );
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let rej = r.handle(&msg, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidCert(_)));
}

#[test]
fn unsupported_parameters_get_their_error_codes() {
    let (mut r, _) = responder(pinned());
    let mut i = PkInitiator::new(
        alice(),
        bob_public(),
        PkConfig {
            policies: vec![SecurityPolicy::new(1, ProtType::Unknown(9))],
            ..cfg()
        },
    );
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let rej = r.handle(&msg, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::InvalidSp(9));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidSp]
    );
    // Wrong data type.
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let mut m = msg.clone();
    m[1] = DataType::DhInit.to_wire();
    let rej = r.handle(&m, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::UnexpectedDataType(4));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidDt]
    );
    // No key in an initial message: authenticated Error with V.
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(vec![], NOW, &mut seq_rng()).unwrap();
    let rej = r.handle(&msg, NOW).unwrap_err();
    let resp = rej.response.unwrap();
    assert!(Message::parse(&resp)
        .unwrap()
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::V(_))));
    assert_eq!(
        i.handle_response(&resp, NOW).unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::Unspecified])
    );
}

#[test]
fn decode_opens_messages_addressed_to_a_key() {
    let c = PkConfig {
        certs: vec![der_file("alice.cert.der")],
        ..cfg()
    };
    let mut i = PkInitiator::new(alice(), bob_public(), c);
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let bob = private(&RustCryptoProvider, "rsa2048-b.pem");
    let view = MessageView::parse(&msg).unwrap();
    let o = open_pk_message(&view, bob.as_ref(), &RustCryptoProvider, None, true).unwrap();
    assert_eq!(o.signature_verified, Some(true));
    assert!(o.mac_verified);
    assert_eq!(o.encrypted_id, Some(Id::nai("alice@example.com")));
    assert_eq!(o.bundle.keys, i.bundle().unwrap().keys);
    // Without a certificate the signature cannot be checked.
    let mut i = PkInitiator::new(alice(), bob_public(), cfg());
    let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
    let view = MessageView::parse(&msg).unwrap();
    let o = open_pk_message(&view, bob.as_ref(), &RustCryptoProvider, None, true).unwrap();
    assert_eq!(o.signature_verified, None);
    // The wrong private key: the MAC fails.
    let wrong = alice();
    assert_eq!(
        open_pk_message(&view, wrong.as_ref(), &RustCryptoProvider, None, true).unwrap_err(),
        SessionError::AuthFailure
    );
}

#[test]
fn secrets_never_show_in_debug() {
    let c = PkConfig {
        cache: CacheType::Cache,
        ..cfg()
    };
    let mut i = PkInitiator::new(alice(), bob_public(), c);
    let msg = i
        .initiate(vec![TransportKey::tgk(&[0xAB; 16])], NOW, &mut seq_rng())
        .unwrap();
    let (mut r, _) = responder(pinned());
    r.handle(&msg, NOW).unwrap();
    for d in [format!("{i:?}"), format!("{r:?}")] {
        assert!(!d.contains("171, 171, 171, 171"), "{d}");
        assert!(!d.to_lowercase().contains("abab"), "{d}");
    }
    let d = format!("{i:?}");
    assert!(
        d.contains("envelope_key: Some(SecretBytes(16 bytes))"),
        "{d}"
    );
    assert!(d.contains("RsaPrivateKey(2048 bits)"), "{d}");
}

/// Messages made with one provider are accepted by the other, both directions (feature
/// `aws-lc`).
#[cfg(feature = "aws-lc")]
#[test]
fn aws_lc_and_rustcrypto_interoperate() {
    use mikey::crypto::aws_lc::AwsLcProvider;
    let providers: [Arc<dyn CryptoProvider>; 2] =
        [Arc::new(AwsLcProvider), Arc::new(RustCryptoProvider)];
    for (pi, pr) in [(0, 1), (1, 0), (0, 0)] {
        let (ip, rp) = (providers[pi].clone(), providers[pr].clone());
        for sig in [
            SignatureScheme::RsaPkcs1Sha256,
            SignatureScheme::RsaPssSha256,
        ] {
            let a = private(ip.as_ref(), "rsa2048-a.pem");
            let b_pub = ip
                .rsa_public_from_pem(&key_file("rsa2048-b.pub.pem"))
                .unwrap();
            let mut i = PkInitiator::new(
                a,
                b_pub,
                PkConfig {
                    signature: sig,
                    ..cfg()
                },
            );
            let msg = i.initiate(tgk(), NOW, &mut seq_rng()).unwrap();
            let counting = Arc::new(CountingProvider::new(rp.clone()));
            let bob = private(counting.as_ref(), "rsa2048-b.pem");
            let mut r = PkResponder::new(bob, pinned(), ResponderConfig::default())
                .with_provider(counting.clone());
            let acc = r.handle(&msg, NOW).unwrap();
            i.handle_response(acc.response.as_deref().unwrap(), NOW)
                .unwrap();
            assert_eq!(i.srtp().unwrap(), r.srtp(acc.csb_id).unwrap());
            assert_eq!(counting.private_ops(), 1);
            // RSA-R across providers too.
            let a = private(ip.as_ref(), "rsa2048-a.pem");
            let mut ri = RsaRInitiator::new(
                ip.clone(),
                a,
                PinnedKeys::new().with(
                    b"bob@example.com",
                    &private(&RustCryptoProvider, "rsa2048-b.pem").to_spki_der(),
                ),
                RsaRConfig {
                    id_i: Some(Id::nai("alice@example.com")),
                    signature: sig,
                    ..RsaRConfig::default()
                },
            );
            let req = ri.initiate(NOW, &mut seq_rng()).unwrap();
            let mut rr = RsaRResponder::new(
                private(rp.as_ref(), "rsa2048-b.pem"),
                pinned(),
                ResponderConfig {
                    id_r: Some(Id::nai("bob@example.com")),
                    local_ssrcs: vec![9],
                    ..ResponderConfig::default()
                },
            )
            .with_settings(RsaRSettings {
                signature: sig,
                ..RsaRSettings::default()
            })
            .with_provider(rp.clone());
            let acc = rr.handle(&req, NOW).unwrap();
            let got = ri
                .handle_response(acc.response.as_deref().unwrap(), NOW)
                .unwrap();
            assert_eq!(ri.srtp().unwrap(), rr.srtp(got.csb_id).unwrap());
        }
    }
}

#[test]
fn chain_verifier_paths_names_and_times() {
    let p = RustCryptoProvider;
    let v = ChainVerifier::new(vec![der_file("ca.cert.der")], NOW).unwrap();
    let a = der_file("alice.ca.cert.der");
    let a1 = der_file("alice.ca-sha1.cert.der");
    let b = der_file("bob.int.cert.der");
    let int = der_file("intermediate.cert.der");
    let alice_spki = alice().to_spki_der();
    for id in [
        &b"alice@example.com"[..],
        b"sip:alice@example.com",
        b"sips:ALICE@example.com;transport=tls",
        b"mailto:alice@example.com",
    ] {
        let k = v.verify_chain(&[&a], Some(id), &p).unwrap();
        assert_eq!(k.to_spki_der(), alice_spki);
    }
    v.verify_chain(&[&a1], Some(b"alice@example.com"), &p)
        .unwrap();
    v.verify_chain(&[&b, &int], Some(b"sip:bob@example.com"), &p)
        .unwrap();
    v.verify_chain(&[&b, &int], None, &p).unwrap();
    for (chain, id) in [
        (vec![&b[..]], &b"bob@example.com"[..]),
        (vec![&b[..], &int[..]], b"alice@example.com"),
        (vec![&a[..]], b"alice@example.org"),
        (vec![&b"not a certificate"[..]], b"x"),
        (vec![], b"alice@example.com"),
    ] {
        let e = v.verify_chain(&chain, Some(id), &p);
        assert!(matches!(e, Err(SessionError::InvalidCert(_))), "{e:?}");
    }
    // The intermediate is a CA and was issued by the root: it verifies under its own name.
    v.verify_chain(&[&int], Some(b"MIKEY Test Intermediate CA"), &p)
        .unwrap();
    // Before notBefore, after notAfter.
    v.set_time(Duration::from_secs(1_700_000_000));
    assert!(v.verify_chain(&[&a], None, &p).is_err());
    v.set_time(Duration::from_secs(5_000_000_000));
    assert!(v.verify_chain(&[&a], None, &p).is_err());
    // A root that does not parse.
    assert!(ChainVerifier::new(vec![vec![1, 2, 3]], NOW).is_err());
}
