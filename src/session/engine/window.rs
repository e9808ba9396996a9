//! The timestamp window of RFC 3830 §5.4, in exact arithmetic.
//!
//! A clock timestamp (NTP-UTC, NTP, NTP-UTC-32) is accepted at clock value `now` when
//! `|ts - now| <= max_skew`. Both are compared exactly — the timestamp in units of 2^-32 s,
//! the clock in nanoseconds, both scaled to 2^-32 ns — so no rounding of either side opens
//! a gap. The message must then stay in the replay cache for every clock value at which it
//! would still be accepted: [`Verdict::keep_until`] is the last such value in nanoseconds
//! since the Unix epoch (rounded down: at `keep_until + 1 ns` the timestamp is refused).
//!
//! COUNTER timestamps (and, when the policy accepts timestamps that are not the time,
//! clock timestamps too) are ordered per peer instead: a value is accepted once it is
//! greater than the last one accepted from the same identity, so a replay is refused for as
//! long as the identity is remembered.

use super::super::{SessionError, TimestampPolicy};
use crate::wire::timestamp::NTP_UNIX_OFFSET;
use crate::wire::{Timestamp, TsType};
use core::time::Duration;

/// 2^32, the NTP fraction's scale.
const FRAC: u128 = 1 << 32;
/// Nanoseconds per second.
const NANO: u128 = 1_000_000_000;

/// How a timestamp was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The message must be remembered until this clock value (nanoseconds since the Unix
    /// epoch, inclusive).
    pub keep_until: u64,
    /// The value is ordered per peer (COUNTER, or a non-clock timestamp accepted by policy):
    /// it must exceed the peer's last value, which is then recorded.
    pub ordered: Option<u64>,
}

/// A clock value in nanoseconds since the Unix epoch (saturating far in the future).
pub(crate) fn nanos(now: Duration) -> u64 {
    u64::try_from(now.as_nanos()).unwrap_or(u64::MAX)
}

/// A clock timestamp in units of 2^-32 ns since the NTP epoch, with the era rule of
/// RFC 4330 §3 (values whose top bit is clear are in era 1, from 2036).
fn ts_units(ts: &Timestamp) -> Option<u128> {
    let (secs, frac) = match ts.ts_type {
        TsType::NtpUtc | TsType::Ntp => (ts.value >> 32, ts.value & 0xffff_ffff),
        TsType::NtpUtc32 => (ts.value & 0xffff_ffff, 0),
        _ => return None,
    };
    let secs = if secs & 0x8000_0000 == 0 {
        secs + (1 << 32)
    } else {
        secs
    };
    Some(u128::from(secs) * NANO * FRAC + u128::from(frac) * NANO)
}

/// Checks `ts` at clock value `now` (RFC 3830 §5.4). `last` is the last ordered value
/// accepted from the same peer, when one is remembered.
pub(crate) fn check(
    ts: &Timestamp,
    now: Duration,
    max_skew: Duration,
    policy: &TimestampPolicy,
    last: Option<u64>,
) -> Result<Verdict, SessionError> {
    let now_ns = nanos(now);
    let ordered = |value: u64| {
        if last.is_some_and(|l| value <= l) {
            return Err(SessionError::InvalidTimestamp);
        }
        Ok(Verdict {
            keep_until: now_ns.saturating_add(nanos(max_skew)),
            ordered: Some(value),
        })
    };
    match ts.ts_type {
        TsType::Counter => ordered(ts.value),
        TsType::NtpUtc | TsType::Ntp | TsType::NtpUtc32 if policy.accept_any_time => {
            ordered(ts.value)
        }
        TsType::NtpUtc | TsType::Ntp | TsType::NtpUtc32 => {
            let t = ts_units(ts).ok_or_else(|| SessionError::InvalidTimestamp)?;
            let now_units = (u128::from(now_ns) + u128::from(NTP_UNIX_OFFSET) * NANO) * FRAC;
            let skew = max_skew.as_nanos().saturating_mul(FRAC);
            if t.abs_diff(now_units) > skew {
                return Err(SessionError::InvalidTimestamp);
            }
            // The last accepted clock value: (t + skew) / 2^32 ns since the NTP epoch.
            let last_ns = (t + skew) / FRAC;
            let unix = last_ns.saturating_sub(u128::from(NTP_UNIX_OFFSET) * NANO);
            Ok(Verdict {
                keep_until: u64::try_from(unix).unwrap_or(u64::MAX),
                ordered: None,
            })
        }
        TsType::Unknown(_) => Err(SessionError::InvalidTimestamp),
    }
}

/// Whether `ts` is accepted at `now` (the window test alone, for the property tests).
#[cfg(test)]
fn accepted(ts: &Timestamp, now: Duration, skew: Duration) -> bool {
    check(ts, now, skew, &TimestampPolicy::default(), None).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKEW: Duration = Duration::from_secs(300);

    fn at(secs: u64, nanos: u32) -> Duration {
        Duration::new(secs, nanos)
    }

    /// The window's edges, to the nanosecond, and `keep_until` exactly at the upper edge.
    #[test]
    fn both_edges_hold_to_the_nanosecond() {
        // A timestamp with a fraction: 1_800_000_000.5 s.
        let ts = Timestamp::from_unix(at(1_800_000_000, 500_000_000));
        let v = check(&ts, at(1_800_000_000, 0), SKEW, &Default::default(), None).unwrap();
        let upper = at(1_800_000_300, 500_000_000);
        assert!(accepted(&ts, upper, SKEW));
        assert!(!accepted(&ts, upper + Duration::from_nanos(1), SKEW));
        assert_eq!(v.keep_until, nanos(upper));
        let lower = at(1_799_999_700, 500_000_000);
        assert!(accepted(&ts, lower, SKEW));
        assert!(!accepted(&ts, lower - Duration::from_nanos(1), SKEW));
    }

    #[test]
    fn ntp_utc_32_and_ntp_use_the_same_window() {
        let secs = 1_800_000_000 + NTP_UNIX_OFFSET;
        for ts in [
            Timestamp {
                ts_type: TsType::NtpUtc32,
                value: secs & 0xffff_ffff,
            },
            Timestamp {
                ts_type: TsType::Ntp,
                value: (secs & 0xffff_ffff) << 32,
            },
        ] {
            let v = check(&ts, at(1_800_000_000, 0), SKEW, &Default::default(), None).unwrap();
            assert_eq!(v.keep_until, nanos(at(1_800_000_300, 0)));
            assert!(accepted(&ts, at(1_800_000_300, 0), SKEW));
            assert!(!accepted(&ts, at(1_800_000_300, 1), SKEW));
        }
    }

    #[test]
    fn counters_and_non_clock_timestamps_are_ordered_per_peer() {
        let c = Timestamp::counter(7);
        let p = TimestampPolicy::default();
        assert_eq!(
            check(&c, at(5, 0), SKEW, &p, None).unwrap().ordered,
            Some(7)
        );
        assert!(check(&c, at(5, 0), SKEW, &p, Some(7)).is_err());
        assert!(check(&c, at(5, 0), SKEW, &p, Some(6)).is_ok());
        let any = TimestampPolicy {
            accept_any_time: true,
            ..p
        };
        let genetec = Timestamp::ntp_utc(0x01d3_8e19_cef9_5c3d);
        assert!(check(&genetec, at(1_800_000_000, 0), SKEW, &p, None).is_err());
        let v = check(&genetec, at(1_800_000_000, 0), SKEW, &any, None).unwrap();
        assert_eq!(v.ordered, Some(genetec.value));
        assert!(check(
            &genetec,
            at(1_800_000_000, 0),
            SKEW,
            &any,
            Some(genetec.value)
        )
        .is_err());
    }

    proptest::proptest! {
        /// For every timestamp and clock: accepted exactly when within the skew (compared
        /// in exact rational arithmetic), and every accepting clock value is at or before
        /// `keep_until`.
        #[test]
        fn keep_until_covers_every_accepting_clock(
            secs in 1_700_000_000u64..1_900_000_000,
            frac in proptest::num::u32::ANY,
            off_ns in -400_000_000_000i64..400_000_000_000,
            skew_ms in 0u64..600_000,
        ) {
            let skew = Duration::from_millis(skew_ms);
            let ts = Timestamp::ntp_utc(((secs + NTP_UNIX_OFFSET) << 32) | u64::from(frac));
            // ts exactly, in 2^-32 ns since the Unix epoch.
            let ts_exact = ((i128::from(secs) * 1_000_000_000) << 32)
                + i128::from(frac) * 1_000_000_000;
            let now_ns = (i128::from(secs) * 1_000_000_000 + i128::from(off_ns)).max(0);
            let now = Duration::from_nanos(now_ns as u64);
            let diff = (ts_exact - (now_ns << 32)).abs();
            let want = diff <= (i128::from(skew_ms) * 1_000_000) << 32;
            let got = check(&ts, now, skew, &TimestampPolicy::default(), None);
            proptest::prop_assert_eq!(got.is_ok(), want);
            if let Ok(v) = got {
                proptest::prop_assert!(nanos(now) <= v.keep_until);
                let after = Duration::from_nanos(v.keep_until + 1);
                proptest::prop_assert!(!accepted(&ts, after, skew));
            }
        }
    }
}
