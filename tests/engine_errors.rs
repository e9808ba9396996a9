//! The budget for Error messages answering messages that did not authenticate
//! ([`ResponderLimits::error_replies_per_sec`]), run against all five modes through the
//! public API: at its edge, one past it, one second later, and under a flood of forged
//! messages while an authentic peer is served and answered.

mod engine_common;

use core::time::Duration;
use engine_common::{modes, Case, NOW};
use mikey::session::{Limit, ResponderConfig, ResponderEvent, ResponderLimits, SessionError};
use mikey::wire::{DataType, Message};

const SECOND: Duration = Duration::from_secs(1);
const NS: Duration = Duration::from_nanos(1);

fn cfg(error_replies_per_sec: u32) -> ResponderConfig {
    ResponderConfig {
        limits: ResponderLimits {
            error_replies_per_sec,
            ..ResponderLimits::default()
        },
        ..engine_common::base_cfg()
    }
}

/// An authentic message from peer `n` stamped `t`, its MAC or signature broken.
fn forged(case: &mut Case, n: usize, t: Duration) -> Vec<u8> {
    let mut m = case.message(n, t);
    *m.last_mut().unwrap() ^= 0x01;
    m
}

/// Whether `m` (refused with `error`) was answered, checking the answer is an Error message.
fn answered(case: &mut Case, m: &[u8], now: Duration, error: &SessionError) -> bool {
    let r = case.refuse(m, now);
    assert_eq!(&r.error, error, "{}", case.name);
    r.response.is_some_and(|bytes| {
        let reply = Message::parse(&bytes).unwrap();
        assert_eq!(reply.header.data_type, DataType::Error, "{}", case.name);
        true
    })
}

fn budget_reports(case: &Case) -> usize {
    let limit = ResponderEvent::LimitReached {
        limit: Limit::ErrorReplies,
    };
    case.events().iter().filter(|e| **e == limit).count()
}

#[test]
fn forged_messages_are_answered_up_to_the_budget_and_again_a_second_later() {
    for per_sec in [0u32, 1, 3] {
        for (mut case, mut unbudgeted) in modes(cfg(per_sec)).into_iter().zip(modes(cfg(100))) {
            let name = format!("{} at {per_sec}/s", case.name);
            let m = forged(&mut case, 0, NOW);
            let auth = SessionError::AuthFailure;
            let first: Vec<bool> = (0..per_sec + 3)
                .map(|_| answered(&mut case, &m, NOW, &auth))
                .collect();
            let want: Vec<bool> = (0..per_sec + 3).map(|i| i < per_sec).collect();
            assert_eq!(first, want, "{name}: at the budget, one past it and beyond");
            assert_eq!(budget_reports(&case), 1, "{name}: reported once");
            let last = NOW + SECOND - NS;
            assert!(!answered(&mut case, &m, last, &auth), "{name}: same window");
            let next = NOW + SECOND;
            let again = (0..per_sec + 1).filter(|_| answered(&mut case, &m, next, &auth));
            assert_eq!(again.count(), per_sec as usize, "{name}: one second later");
            assert_eq!(budget_reports(&case), 2, "{name}: reported per window");
            // An authentic message is still accepted, and answered as it would be.
            let genuine = case.message(1, next);
            let got = case.accept(&genuine, next).unwrap();
            let other = unbudgeted.message(1, next);
            let want = unbudgeted.accept(&other, next).unwrap();
            assert_eq!(got.response.is_some(), want.response.is_some(), "{name}");
        }
    }
}

/// A flood of forged messages spends the budget, which every peer shares (a forged
/// message names whichever peer it likes); a second peer is still served, and its
/// authenticated Error message (a short TGK, refused after its MAC checked) still sent.
#[test]
fn a_forged_flood_spends_the_budget_not_the_answers_to_authentic_peers() {
    let mut case = engine_common::psk_case(cfg(2));
    let mut answers = 0;
    for i in 0..200u64 {
        let now = NOW + Duration::from_millis(i);
        let m = forged(&mut case, (i % 7) as usize, now);
        answers += usize::from(answered(&mut case, &m, now, &SessionError::AuthFailure));
        if i % 50 == 25 {
            let weak = engine_common::psk_reseal(&case.message(9, now), &[0x42; 16], |_, k| {
                k[0] = mikey::wire::KeyData::new(mikey::wire::KeyDataType::Tgk, vec![0x55; 8]);
            });
            let r = case.refuse(&weak, now);
            assert!(matches!(r.error, SessionError::WeakInput(_)), "{r}");
            assert!(r.response.is_some(), "an authenticated refusal is answered");
            let genuine = case.message(8, now);
            case.handle(&genuine, now).unwrap();
        }
    }
    assert_eq!(answers, 2, "200 forged messages within one second");
    assert_eq!(budget_reports(&case), 1);
}

/// The answers the DHHMAC and RSA-R responders give to messages they cannot parse (RFC
/// 4650 §4.1, RFC 4738 §3.5) count against the same budget.
#[test]
fn answers_to_unparsable_messages_count_against_the_budget() {
    for mut case in modes(cfg(2)) {
        let mut m = case.message(0, NOW);
        m.truncate(m.len() - 1);
        let sent: Vec<bool> = (0..4)
            .map(|_| case.refuse(&m, NOW).response.is_some())
            .collect();
        let want = match case.name {
            "dh-hmac" | "rsa-r" => vec![true, true, false, false],
            _ => vec![false; 4],
        };
        assert_eq!(sent, want, "{}", case.name);
        // The budget spent on them leaves none for a forged message in the same second.
        let f = forged(&mut case, 0, NOW);
        let auth = SessionError::AuthFailure;
        let left = want.iter().filter(|s| **s).count() < 2;
        assert_eq!(answered(&mut case, &f, NOW, &auth), left, "{}", case.name);
    }
}
