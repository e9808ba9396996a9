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
