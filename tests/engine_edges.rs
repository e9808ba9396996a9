//! The responder engine's edges, one table run against all five modes through the public
//! API (issue: one responder engine): replay at both edges of the timestamp window (to the
//! nanosecond, with fractions of a second), a second peer served while a first one floods,
//! the bound on remembered COUNTER/ordered identities, and weak inputs on receipt.

mod engine_common;

use core::time::Duration;
use engine_common::{modes, Case, NOW};
use mikey::session::{
    Eviction, Leniency, Limit, ResponderConfig, ResponderEvent, ResponderLimits, SessionError,
    TimestampPolicy, Weakness,
};

const SKEW: Duration = Duration::from_secs(300);
const NS: Duration = Duration::from_nanos(1);

fn cfg(limits: ResponderLimits) -> ResponderConfig {
    ResponderConfig {
        limits,
        ..engine_common::base_cfg()
    }
}

fn small_limits() -> ResponderLimits {
    ResponderLimits {
        max_skew: SKEW,
        replay_capacity: 16,
        replay_per_peer: 4,
        bundles_per_peer: 3,
        max_bundles: 8,
        counter_identities: 3,
        ..ResponderLimits::default()
    }
}

/// Every clock value at which a message stamped `t` is still inside the window, at its
/// edges and around them, in the order a replaying attacker would try them.
fn clocks_in_window(t: Duration) -> Vec<Duration> {
    vec![
        t - SKEW,
        t - SKEW + NS,
        t - Duration::from_millis(500),
        t,
        t + Duration::from_millis(500),
        t + SKEW - NS,
        t + SKEW,
    ]
}

/// A message accepted once is refused at every clock value at which its timestamp would
/// still be accepted: accepted at the first edge, replayed up to the other, with another
/// peer's traffic in between (which is what lets a lazily expiring cache forget).
fn replay_across_the_window(case: &mut Case, t: Duration, accept_at: Duration) {
    let m = case.message(0, t);
    case.handle(&m, accept_at)
        .unwrap_or_else(|e| panic!("{}: accepted at {accept_at:?}: {e}", case.name));
    let mut other = 0;
    for now in clocks_in_window(t) {
        // Traffic from another peer at the same clock value first.
        other += 1;
        let fresh = case.message(1 + other % 2, now);
        case.handle(&fresh, now)
            .unwrap_or_else(|e| panic!("{}: another peer at {now:?}: {e}", case.name));
        let got = case.handle(&m, now);
        assert_eq!(
            got.err(),
            Some(SessionError::Replay),
            "{}: replay at {now:?} of a message stamped {t:?}",
            case.name
        );
    }
    // Past the window the timestamp check refuses it, whatever the cache holds.
    let late = t + SKEW + NS;
    assert_eq!(
        case.handle(&m, late).err(),
        Some(SessionError::InvalidTimestamp),
        "{}: replay one nanosecond past the window",
        case.name
    );
}

#[test]
fn a_message_is_accepted_once_at_both_edges_of_the_window() {
    // 0.375 s: exact in NTP's binary fraction, so the edges are exact too.
    let fraction = Duration::from_millis(375);
    for (t, accept) in [
        // Accepted at the earliest clock value that takes it, replayed up to the latest.
        (NOW, NOW - SKEW),
        // Accepted at the latest, replayed back down to the earliest.
        (NOW, NOW + SKEW),
        // A timestamp with a fraction of a second, accepted in the middle.
        (NOW + fraction, NOW + fraction),
    ] {
        for mut case in modes(cfg(small_limits())) {
            replay_across_the_window(&mut case, t, accept);
        }
    }
}

#[test]
fn the_window_edges_are_exact_to_the_nanosecond() {
    for mut case in modes(cfg(small_limits())) {
        let t = NOW + Duration::from_nanos(500_000_000);
        for (now, ok) in [
            (t - SKEW - Duration::from_micros(1), false),
            (t - SKEW, true),
            (t + SKEW, true),
            (t + SKEW + Duration::from_micros(1), false),
        ] {
            let m = case.message(0, t);
            let got = case.handle(&m, now);
            assert_eq!(
                got.is_ok(),
                ok,
                "{}: stamped {t:?}, clock {now:?}",
                case.name
            );
            if !ok {
                assert_eq!(got.err(), Some(SessionError::InvalidTimestamp));
            }
        }
    }
}

#[test]
fn a_flooding_peer_never_locks_out_a_second_one() {
    let limits = small_limits();
    for mut case in modes(cfg(limits)) {
        let mut refused = 0;
        // Peer 0 floods: fresh, authentic messages, far more than its quotas.
        for i in 0..12u32 {
            let now = NOW + Duration::from_millis(u64::from(i));
            let m = case.message(0, now);
            match case.handle(&m, now) {
                Ok(_) => {}
                Err(SessionError::LimitReached(Limit::ReplayPerPeer)) => refused += 1,
                Err(e) => panic!("{}: flood message {i}: {e}", case.name),
            }
            assert!(case.bundle_count() <= limits.max_bundles, "{}", case.name);
            assert!(
                case.bundle_count() <= limits.bundles_per_peer,
                "{}",
                case.name
            );
        }
        assert_eq!(refused, 12 - limits.replay_per_peer, "{}", case.name);
        // Peer 1 is served in the middle of the flood.
        let m = case.message(1, NOW + SKEW / 2);
        case.handle(&m, NOW + SKEW / 2)
            .unwrap_or_else(|e| panic!("{}: second peer: {e}", case.name));
        let events = case.events();
        assert!(
            events.contains(&ResponderEvent::LimitReached {
                limit: Limit::ReplayPerPeer
            }),
            "{}: {events:?}",
            case.name
        );
        assert!(
            events.iter().any(|e| matches!(
                e,
                ResponderEvent::BundleEvicted {
                    reason: Eviction::PeerQuota,
                    ..
                }
            )),
            "{}: {events:?}",
            case.name
        );
    }
}

#[test]
fn the_table_of_bundles_is_bounded_in_total_and_evicts_the_biggest_peer() {
    let limits = ResponderLimits {
        replay_per_peer: 64,
        replay_capacity: 256,
        bundles_per_peer: 4,
        max_bundles: 6,
        ..small_limits()
    };
    for mut case in modes(cfg(limits)) {
        for i in 0..8u64 {
            let peer = (i % 4) as usize;
            let now = NOW + Duration::from_millis(i);
            let m = case.message(peer, now);
            case.handle(&m, now)
                .unwrap_or_else(|e| panic!("{}: peer {peer}: {e}", case.name));
            assert!(case.bundle_count() <= limits.max_bundles, "{}", case.name);
        }
        assert_eq!(case.bundle_count(), limits.max_bundles, "{}", case.name);
        let evicted = case
            .events()
            .into_iter()
            .filter(|e| {
                matches!(
                    e,
                    ResponderEvent::BundleEvicted {
                        reason: Eviction::TableFull,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(evicted, 2, "{}", case.name);
    }
}

#[test]
fn a_full_table_of_peers_with_one_bundle_each_evicts_the_least_recently_used() {
    // Every peer holds one bundle, so every peer is "the peer holding the most": the
    // bundle that goes is the one idle longest, not whichever the table's order names.
    let limits = ResponderLimits {
        bundles_per_peer: 2,
        max_bundles: 3,
        bundle_idle_lifetime: None,
        ..small_limits()
    };
    for mut case in modes(cfg(limits)) {
        let mut held = std::collections::VecDeque::new();
        for peer in 0..7usize {
            let now = NOW + Duration::from_millis(peer as u64);
            let m = case.message(peer, now);
            let csb = case
                .handle(&m, now)
                .unwrap_or_else(|e| panic!("{}: peer {peer}: {e}", case.name));
            held.push_back(csb);
            if held.len() > limits.max_bundles {
                let oldest = held.pop_front().unwrap();
                let evicted = ResponderEvent::BundleEvicted {
                    csb_id: oldest,
                    reason: Eviction::TableFull,
                };
                assert!(
                    case.events().contains(&evicted),
                    "{}: peer {peer} should have evicted {oldest:#x}: {:?}",
                    case.name,
                    case.events()
                );
            }
            assert!(case.bundle_count() <= limits.max_bundles, "{}", case.name);
        }
        // The three newest are still there.
        for csb in held {
            assert!(case.remove(csb), "{}: {csb:#x} was evicted", case.name);
        }
    }
}

#[test]
fn idle_bundles_expire_and_the_caller_can_remove_one() {
    let limits = ResponderLimits {
        bundle_idle_lifetime: Some(Duration::from_secs(60)),
        ..small_limits()
    };
    for mut case in modes(cfg(limits)) {
        let m = case.message(0, NOW);
        let csb = case.handle(&m, NOW).unwrap();
        let m = case.message(1, NOW);
        let kept = case.handle(&m, NOW).unwrap();
        assert!(case.remove(kept), "{}", case.name);
        assert!(!case.remove(kept), "{}: removed twice", case.name);
        // One second past the idle lifetime, the next message expires the first bundle.
        let later = NOW + Duration::from_secs(61);
        let m = case.message(2, later);
        case.handle(&m, later).unwrap();
        assert!(
            case.events().contains(&ResponderEvent::BundleEvicted {
                csb_id: csb,
                reason: Eviction::Expired
            }),
            "{}",
            case.name
        );
        assert_eq!(case.bundle_count(), 1, "{}", case.name);
    }
}

#[test]
fn remembered_identities_are_bounded_and_known_ones_still_served() {
    // Timestamps that are not the clock are ordered per identity, like COUNTER values
    // (RFC 3830 §5.4): the table of last values is what `counter_identities` bounds.
    let limits = small_limits();
    let c = ResponderConfig {
        timestamps: TimestampPolicy {
            accept_any_time: true,
            ..TimestampPolicy::default()
        },
        ..cfg(limits)
    };
    for mut case in modes(c) {
        let n = limits.counter_identities;
        for peer in 0..n {
            let t = NOW + Duration::from_secs(peer as u64);
            let m = case.message(peer, t);
            case.handle(&m, NOW)
                .unwrap_or_else(|e| panic!("{}: identity {peer}: {e}", case.name));
        }
        // One identity past the bound is refused, and says why.
        let m = case.message(n, NOW + Duration::from_secs(100));
        assert_eq!(
            case.handle(&m, NOW).err(),
            Some(SessionError::LimitReached(Limit::CounterIdentities)),
            "{}",
            case.name
        );
        assert!(case.events().contains(&ResponderEvent::LimitReached {
            limit: Limit::CounterIdentities
        }));
        // A known identity still is served, forwards only.
        let m = case.message(0, NOW + Duration::from_secs(200));
        case.handle(&m, NOW)
            .unwrap_or_else(|e| panic!("{}: known identity: {e}", case.name));
        let m = case.message(0, NOW + Duration::from_secs(150));
        assert_eq!(
            case.handle(&m, NOW).err(),
            Some(SessionError::InvalidTimestamp),
            "{}: an older value of a known identity",
            case.name
        );
    }
}

#[test]
fn a_short_rand_is_refused_strictly_and_reported_when_lenient() {
    for strict in [true, false] {
        let c = ResponderConfig {
            lenient: !strict,
            ..cfg(small_limits())
        };
        for mut case in modes(c) {
            let m = case.message(0, NOW);
            let short = engine_common::with_rand(&m, &[7; 15]);
            let got = case.handle(&short, NOW);
            if strict {
                assert_eq!(
                    got.err(),
                    Some(SessionError::WeakInput(Weakness::ShortRand { len: 15 })),
                    "{}",
                    case.name
                );
            } else {
                // Lenient: the weakness is let through to authentication (which the
                // altered message fails), never silently.
                let e = got.err().unwrap_or_else(|| panic!("{}", case.name));
                assert!(
                    !matches!(e, SessionError::WeakInput(_)),
                    "{}: {e}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn a_lenient_responder_reports_the_short_rand_it_accepts() {
    let c = ResponderConfig {
        lenient: true,
        ..cfg(small_limits())
    };
    let mut case = engine_common::psk_with_rand(c, vec![9; 8]);
    let m = case.message(0, NOW);
    let a = case.accept(&m, NOW).unwrap();
    assert!(a.leniencies.contains(Leniency::ShortRand));
}

#[test]
fn weak_keys_on_receipt_are_refused_with_what_is_weak() {
    use mikey::wire::{KeyData, KeyDataType, KeyValidity};
    use std::borrow::Cow;
    let mki = |k: &mut KeyData<'static>, v: u8| k.kv = KeyValidity::Spi(Cow::Owned(vec![v]));
    type Weaken = Box<dyn Fn(&mut Vec<KeyData<'static>>)>;
    let cases: [(&str, Weaken); 2] = [
        (
            "duplicate MKI",
            Box::new(move |keys: &mut Vec<KeyData<'static>>| {
                mki(&mut keys[0], 1);
                let mut twin = keys[0].clone();
                twin.key = Cow::Owned(vec![0x55; 16]);
                keys.push(twin);
            }),
        ),
        (
            "short TGK",
            Box::new(|keys: &mut Vec<KeyData<'static>>| {
                keys[0] = KeyData::new(KeyDataType::Tgk, vec![0x55; 8]);
            }),
        ),
    ];
    for (what, f) in cases {
        for lenient in [false, true] {
            let c = ResponderConfig {
                lenient,
                ..cfg(small_limits())
            };
            let mut case = engine_common::psk_case(c);
            let m = case.message(0, NOW);
            let weak = engine_common::psk_reseal(&m, &[0x42; 16], |_, keys| f(keys));
            let got = case.handle(&weak, NOW);
            assert!(
                matches!(got, Err(SessionError::WeakInput(_))),
                "{what} (lenient: {lenient}): {got:?}"
            );
            assert_eq!(case.bundle_count(), 0, "{what}");
        }
    }
}

#[test]
fn weak_keys_in_a_public_key_message_are_refused_on_receipt() {
    use mikey::crypto::RustCryptoProvider;
    use mikey::wire::{KeyData, KeyDataType, KeyValidity};
    use std::borrow::Cow;
    use std::sync::Arc;
    let (initiator, responder) = engine_common::pk_keys();
    let short = |keys: &mut Vec<KeyData<'static>>| {
        keys[0] = KeyData::new(KeyDataType::Tgk, vec![0x55; 8]);
    };
    let twin = |keys: &mut Vec<KeyData<'static>>| {
        keys[0].kv = KeyValidity::Spi(Cow::Owned(vec![7]));
        let mut k = keys[0].clone();
        k.key = Cow::Owned(vec![0x55; 16]);
        keys.push(k);
    };
    type Weaken<'a> = &'a dyn Fn(&mut Vec<KeyData<'static>>);
    let cases: [(&str, Option<Weaken>); 3] = [
        ("nothing changed", None),
        ("ShortTgk", Some(&short)),
        ("DuplicateMki", Some(&twin)),
    ];
    for (what, f) in cases {
        let p = Arc::new(RustCryptoProvider);
        let mut case = engine_common::pk_case(cfg(small_limits()), p);
        let m = case.message(0, NOW);
        let resealed = engine_common::pk_reseal(&m, &*responder, &*initiator, |keys| {
            if let Some(f) = f {
                f(keys)
            }
        });
        let got = case.handle(&resealed, NOW);
        match f {
            // The helper itself: what it seals, the responder opens.
            None => assert!(got.is_ok(), "{what}: {got:?}"),
            Some(_) => {
                let Err(SessionError::WeakInput(w)) = got else {
                    panic!("{what}: {got:?}");
                };
                assert!(format!("{w:?}").starts_with(what), "{what}: {w:?}");
                assert_eq!(case.bundle_count(), 0, "{what}");
            }
        }
    }
}

#[test]
fn a_resealed_message_with_nothing_changed_is_accepted() {
    // The reseal helper itself: what it seals, the responder opens.
    let mut case = engine_common::psk_case(cfg(small_limits()));
    let m = case.message(0, NOW);
    let same = engine_common::psk_reseal(&m, &[0x42; 16], |_, _| {});
    case.handle(&same, NOW).unwrap();
}

#[test]
fn the_group_controller_serves_a_member_while_another_floods_it_with_forged_replies() {
    use mikey::crypto::SecretBytes;
    use mikey::session::{
        Credential, GroupConfig, GroupController, GroupError, MemberId, OsEntropy, PskResponder,
    };
    use mikey::wire::{Id, SrtpCs, SrtpPolicy};
    let cfg = GroupConfig {
        id_i: Some(Id::uri("sip:source@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..GroupConfig::default()
    };
    let mut g = GroupController::new(cfg, &mut OsEntropy).unwrap();
    let mut members = Vec::new();
    for i in 0..10u8 {
        let name = format!("m{i}@example.com");
        let psk = SecretBytes::from_slice(&[i + 1; 16]);
        g.join(MemberId::new(&name), Credential::Psk(psk.clone()), NOW)
            .unwrap();
        let rc = ResponderConfig {
            id_r: Some(Id::nai(&name)),
            ..ResponderConfig::default()
        };
        members.push((MemberId::new(&name), PskResponder::new(psk, rc)));
    }
    let msgs = g.key_all(NOW, &mut OsEntropy).unwrap();
    let mut replies = Vec::new();
    for (member, m) in msgs {
        let (_, rx) = members.iter_mut().find(|(n, _)| *n == member).unwrap();
        replies.push((member, rx.handle(&m, NOW).unwrap().response.unwrap()));
    }
    // Member 0's reply, forged a thousand ways (each bit of its MAC): the reply names its
    // member (IDr), one MAC is checked and fails; nothing changes.
    let (m0, r0) = &replies[0];
    for i in 0..1000usize {
        let mut forged = r0.clone();
        let at = forged.len() - 1 - (i / 8) % 20;
        forged[at] ^= 1 << (i % 8);
        let got = g.handle_reply_any(&forged, NOW);
        assert!(
            matches!(got, Err(GroupError::Unattributed | GroupError::Rejected(_))),
            "{got:?}"
        );
    }
    // Member 1 is served in the middle of the flood, and member 0's genuine reply too.
    let (m1, r1) = &replies[1];
    assert_eq!(&g.handle_reply_any(r1, NOW).unwrap().member, m1);
    assert_eq!(&g.handle_reply_any(r0, NOW).unwrap().member, m0);
    // Replayed, at the same clock or later in the window: the exchange is closed.
    for now in [NOW, NOW + SKEW] {
        assert!(g.handle_reply_any(r0, now).is_err());
    }
    let mki = g.current_mki().unwrap();
    assert_eq!(g.acknowledged(mki), (2, 10));
}

#[test]
fn forged_and_replayed_messages_cost_no_private_key_or_dh_operation() {
    use mikey::crypto::{CountingProvider, RustCryptoProvider};
    use std::sync::Arc;
    let counting = Arc::new(CountingProvider::new(RustCryptoProvider));
    for mut case in engine_common::private_key_modes(cfg(small_limits()), counting.clone()) {
        let before = counting.private_ops();
        let m = case.message(0, NOW);
        // Every bit of the message flipped (a byte in eight, to keep the test quick: each
        // bit position of the byte is still flipped somewhere).
        for bit in (0..m.len() * 8).step_by(9) {
            let mut f = m.clone();
            f[bit / 8] ^= 1 << (bit % 8);
            assert!(case.handle(&f, NOW).is_err(), "{}: bit {bit}", case.name);
        }
        assert_eq!(counting.private_ops(), before, "{}: forged", case.name);
        case.handle(&m, NOW).unwrap();
        let paid = counting.private_ops();
        assert!(
            paid > before,
            "{}: the genuine message is counted",
            case.name
        );
        for now in [NOW, NOW + SKEW] {
            assert_eq!(case.handle(&m, now).err(), Some(SessionError::Replay));
        }
        assert_eq!(counting.private_ops(), paid, "{}: replayed", case.name);
    }
}

#[test]
fn a_restarted_responder_keeps_its_keys_and_its_replay_protection() {
    let limits = ResponderLimits {
        replay_per_peer: 64,
        replay_capacity: 256,
        bundles_per_peer: 8,
        ..small_limits()
    };
    let c = ResponderConfig {
        timestamps: TimestampPolicy {
            accept_any_time: true,
            ..TimestampPolicy::default()
        },
        ..cfg(limits)
    };
    for mut case in modes(c) {
        let m0 = case.message(0, NOW);
        let csb0 = case.handle(&m0, NOW).unwrap();
        // A non-clock timestamp: ordered per identity, in the COUNTER table.
        let m1 = case.message(1, NOW + Duration::from_secs(3600));
        let csb1 = case.handle(&m1, NOW).unwrap();
        let keys = (case.srtp(csb0), case.srtp(csb1));
        let json = case.restart();
        assert!(!json.is_empty());
        assert_eq!((case.srtp(csb0), case.srtp(csb1)), keys, "{}", case.name);
        assert_eq!(case.bundle_count(), 2, "{}", case.name);
        // Replays stay replays; an older value of an ordered identity stays refused.
        assert_eq!(case.handle(&m0, NOW).err(), Some(SessionError::Replay));
        assert_eq!(case.handle(&m1, NOW).err(), Some(SessionError::Replay));
        let older = case.message(1, NOW + Duration::from_secs(1800));
        assert_eq!(
            case.handle(&older, NOW).err(),
            Some(SessionError::InvalidTimestamp),
            "{}",
            case.name
        );
        // And new messages are served.
        let m2 = case.message(2, NOW);
        case.handle(&m2, NOW).unwrap();
    }
}

#[test]
fn a_snapshot_of_another_mode_or_a_malformed_one_is_refused() {
    use mikey::crypto::SecretBytes;
    use mikey::session::{DhHmacResponder, PskResponder};
    let mut case = engine_common::psk_case(cfg(small_limits()));
    let m = case.message(0, NOW);
    case.handle(&m, NOW).unwrap();
    let psk = || SecretBytes::from_slice(&[0x42; 16]);
    let r = PskResponder::new(psk(), cfg(small_limits()));
    let r2 = PskResponder::new(psk(), cfg(small_limits()));
    let mut snap = {
        let mut r = r2;
        r.handle(&m, NOW).unwrap();
        r.snapshot().unwrap()
    };
    assert_eq!(snap.bundles.len(), 1);
    let shown = format!("{snap:?}");
    assert!(!shown.contains("4242"), "Debug shows no key: {shown}");
    let other = DhHmacResponder::new(psk(), cfg(small_limits()));
    assert!(other.restore(snap.clone()).is_err(), "another mode");
    snap.bundles[0].bundle.truncate(10);
    assert!(r.restore(snap).is_err(), "a truncated bundle");
}
