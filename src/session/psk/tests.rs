use super::*;
use crate::bundle::TransportKey;
use crate::crypto::SecretBytes;
use crate::session::ResponderConfig;
use crate::session::SessionError;
use crate::wire::{EncrAlg, MacAlg, SrtpCs, TsType};
use core::time::Duration;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn null_message(
    cs: usize,
    keys: Vec<TransportKey>,
    update_of: Option<&mut PskInitiator>,
) -> Vec<u8> {
    let mut rng = |b: &mut [u8]| b.fill(7);
    match update_of {
        Some(i) => i.initiate(keys, NOW, &mut rng).unwrap(),
        None => {
            let cfg = PskConfig {
                encr: EncrAlg::Null,
                mac: MacAlg::Null,
                crypto_sessions: (0..cs)
                    .map(|n| SrtpCs {
                        policy_no: 0,
                        ssrc: n as u32 + 1,
                        roc: 0,
                    })
                    .collect(),
                ..PskConfig::default()
            };
            PskInitiator::new(&[], cfg)
                .initiate(keys, NOW, &mut rng)
                .unwrap()
        }
    }
}

fn tgks(n: usize, first_mki: u16) -> Vec<TransportKey> {
    (0..n)
        .map(|k| TransportKey::tgk(&[k as u8; 16]).with_mki(&(first_mki + k as u16).to_be_bytes()))
        .collect()
}

/// Hostile input: one unauthenticated MIKEY-NULL message with thousands of keys and
/// 255 crypto sessions made the responder derive crypto sessions × keys SRTP keys
/// (seconds of work and hundreds of megabytes for one 64 KiB message).
#[test]
fn too_many_keys_are_refused_before_any_derivation() {
    let cfg = ResponderConfig::mikey_null();
    assert_eq!(cfg.limits.max_keys, 64);
    let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg.clone());
    // One-byte TEKs: the initiator refuses to build short TGKs, and what matters here is
    // their number.
    let plain_tgks = (0..13_000).map(|k| TransportKey::tek(&[k as u8])).collect();
    let flood = null_message(255, plain_tgks, None);
    assert!(flood.len() > 60_000);
    let started = std::time::Instant::now();
    let rej = r.handle(&flood, NOW).unwrap_err();
    assert!(
        matches!(rej.error, SessionError::InvalidKeyData(_)),
        "{:?}",
        rej.error
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(r.csb_ids().count(), 0);

    // At the limit: accepted, 255 × 64 SRTP parameter sets.
    let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg);
    let ok = null_message(255, tgks(64, 0), None);
    let a = r.handle(&ok, NOW).unwrap();
    assert_eq!(r.srtp(a.csb_id).unwrap().len(), 255 * 64);
}

#[test]
fn updates_cannot_grow_a_bundle_past_the_key_limit() {
    let cfg = ResponderConfig {
        limits: crate::session::ResponderLimits {
            max_keys: 3,
            ..Default::default()
        },
        ..ResponderConfig::mikey_null()
    };
    let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg);
    let mut i = PskInitiator::new(
        &[],
        PskConfig {
            encr: EncrAlg::Null,
            mac: MacAlg::Null,
            ts_type: TsType::Counter,
            ..PskConfig::default()
        },
    );
    let first = null_message(1, tgks(2, 0), Some(&mut i));
    let a = r.handle(&first, NOW).unwrap();
    // Replacing keys by MKI keeps the count: fine. New MKIs beyond the limit: refused,
    // and the bundle keeps its keys.
    let replace = null_message(1, tgks(2, 0), Some(&mut i));
    r.handle(&replace, NOW).unwrap();
    let grow = null_message(1, tgks(2, 10), Some(&mut i));
    let rej = r.handle(&grow, NOW).unwrap_err();
    assert!(
        matches!(rej.error, SessionError::InvalidKeyData(_)),
        "{:?}",
        rej.error
    );
    assert_eq!(r.bundle(a.csb_id).unwrap().keys.len(), 2);
    let one_more = null_message(1, tgks(1, 10), Some(&mut i));
    r.handle(&one_more, NOW).unwrap();
    assert_eq!(r.bundle(a.csb_id).unwrap().keys.len(), 3);
}

/// A store whose answer the test changes between messages (a PSK rotated under the
/// responder's feet).
struct Rotating(std::sync::Mutex<SecretBytes>);

impl PskStore for Rotating {
    fn lookup(&self, _: Option<&[u8]>, _: Option<&[u8]>) -> Option<SecretBytes> {
        Some(self.0.lock().unwrap().clone())
    }
}

impl PskStore for std::sync::Arc<Rotating> {
    fn lookup(&self, i: Option<&[u8]>, r: Option<&[u8]>) -> Option<SecretBytes> {
        self.as_ref().lookup(i, r)
    }
}

fn message_from(psk: &[u8], id: &str, csb_id: u32, t: u64) -> Vec<u8> {
    let cfg = PskConfig {
        csb_id: Some(csb_id),
        id_i: Some(crate::wire::Id::uri(id)),
        ..PskConfig::default()
    };
    let mut rng = |b: &mut [u8]| b.fill(csb_id as u8);
    let now = NOW + Duration::from_secs(t);
    PskInitiator::new(psk, cfg)
        .initiate(vec![TransportKey::tgk(&[3; 16])], now, &mut rng)
        .unwrap()
}

/// The responder keeps the last PSK it checked a message with, made ready for the PRF:
/// peers whose PSKs differ, served in turn, each get their own (forged messages naming one
/// do not disturb the other), and a PSK the store changes is used at once, the old one
/// refused.
#[test]
fn the_kept_psk_follows_the_store() {
    let (a, b) = ([0xa1; 16], [0xb2; 16]);
    let store: std::collections::HashMap<Vec<u8>, SecretBytes> = [
        (b"sip:a@x".to_vec(), SecretBytes::from_slice(&a)),
        (b"sip:b@x".to_vec(), SecretBytes::from_slice(&b)),
    ]
    .into();
    let mut r = PskResponder::new(store, ResponderConfig::default());
    let mut forged = message_from(&a, "sip:a@x", 99, 0);
    *forged.last_mut().unwrap() ^= 1;
    let turns = [
        (a, "sip:a@x"),
        (b, "sip:b@x"),
        (a, "sip:a@x"),
        (b, "sip:b@x"),
    ];
    for (csb, (psk, id)) in (1..).zip(turns) {
        let rej = r.handle(&forged, NOW).unwrap_err();
        assert_eq!(rej.error, SessionError::AuthFailure);
        let wrong = if psk == a { b } else { a };
        let rej = r.handle(&message_from(&wrong, id, 50 + csb, 0), NOW);
        assert_eq!(rej.unwrap_err().error, SessionError::AuthFailure, "{id}");
        let ok = r.handle(&message_from(&psk, id, csb, 0), NOW).unwrap();
        assert_eq!(ok.csb_id, csb, "{id}");
    }

    let store = std::sync::Arc::new(Rotating(std::sync::Mutex::new(SecretBytes::from_slice(&a))));
    let mut r = PskResponder::new(store.clone(), ResponderConfig::default());
    r.handle(&message_from(&a, "sip:a@x", 1, 0), NOW).unwrap();
    *store.0.lock().unwrap() = SecretBytes::from_slice(&b);
    let rej = r
        .handle(&message_from(&a, "sip:a@x", 2, 1), NOW)
        .unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    r.handle(&message_from(&b, "sip:a@x", 3, 1), NOW).unwrap();
}

/// The SP payloads of a message keep their order however many there are (none and one
/// inline, more in a vector).
#[test]
fn policies_keep_their_order() {
    use super::responder::Policies;
    use crate::wire::{ProtType, SecurityPolicy};
    for n in 0..5u8 {
        let mut p = Policies::One(None);
        for k in 0..n {
            p.push(SecurityPolicy::new(k, ProtType::Srtp));
        }
        let nos: Vec<u8> = p.as_slice().iter().map(|s| s.policy_no).collect();
        assert_eq!(nos, (0..n).collect::<Vec<_>>());
        assert_eq!(matches!(p, Policies::Many(_)), n >= 2, "{n}");
    }
}

/// The settings `initiate` decodes and keeps export exactly what decoding the bundle again
/// does: every suite, with a second crypto session on another policy (decoded at export);
/// a new bundle whose message carries no policy (the defaults); an update that replaces
/// the policy; and an update whose message carries none, where the bundle keeps its own
/// policy, which the settings decoded from the message must not stand for.
#[test]
fn initiator_exports_from_kept_settings_match_plain_exports() {
    use crate::srtp::export::{export, policy_for};
    use crate::srtp::suite::SUITES;
    use crate::srtp::SrtpSuite::{AesCm128HmacSha1_32 as Sha32, AesCm128HmacSha1_80 as Sha80};
    let same = |i: &PskInitiator| {
        let plain = export(i.bundle().unwrap()).unwrap();
        assert_eq!(i.srtp().unwrap(), plain);
        plain.iter().map(|p| p.suite).collect::<Vec<_>>()
    };
    let mut rng = |b: &mut [u8]| b.fill(7);
    let mut send = |i: &mut PskInitiator, secs| {
        let tgk = TransportKey::tgk(&[3; 32]);
        i.initiate(vec![tgk], NOW + Duration::from_secs(secs), &mut rng)
            .unwrap()
    };
    let cs = |policy_no, ssrc| SrtpCs {
        policy_no,
        ssrc,
        roc: 0,
    };
    let sp = |suite, no| policy_for(suite).to_payload(no).unwrap();
    let with = |policies| PskConfig {
        crypto_sessions: vec![cs(1, 5), cs(2, 6)],
        policies,
        ..PskConfig::default()
    };
    for row in SUITES {
        let mut i = PskInitiator::new(&[1; 16], with(vec![sp(row.suite, 1), sp(Sha32, 2)]));
        send(&mut i, 0);
        assert_eq!(same(&i), [row.suite, Sha32]);
    }
    let mut i = PskInitiator::new(&[1; 16], with(vec![]));
    send(&mut i, 0);
    assert_eq!(same(&i), [Sha80, Sha80]);
    i.config_mut().policies = vec![sp(Sha32, 1)];
    send(&mut i, 1);
    assert_eq!(same(&i), [Sha32, Sha80]);
    i.config_mut().policies = vec![];
    send(&mut i, 2);
    assert_eq!(same(&i), [Sha32, Sha80]);
}
