//! Inputs too weak to key anything with, refused when built and when received
//! ([`Weakness`]), and what lenient responders accept from shipping devices instead, each
//! reported ([`Leniency`]).

use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::srtp::export::{message_policy, sessions, suite_for, DecodedPolicies};
use crate::srtp::SrtpSuite;
use crate::wire::{CsIdMap, SecurityPolicy};

/// The shortest RAND accepted: RFC 3830 §6.11 says it SHOULD be at least 128 bits (and
/// §4.1.1 assumes it).
pub const MIN_RAND_LEN: usize = 16;

/// Why an input was refused as too weak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Weakness {
    /// A TGK shorter than the master key of the SRTP suite derived from it.
    ShortTgk {
        /// Its length in bytes.
        len: usize,
        /// The suite's master key length.
        need: usize,
    },
    /// A RAND shorter than [`MIN_RAND_LEN`] bytes (RFC 3830 §6.11).
    ShortRand {
        /// Its length in bytes.
        len: usize,
    },
    /// An empty pre-shared key with a real MAC or encryption (only MIKEY-NULL, NULL/NULL,
    /// goes without a key).
    EmptyPsk,
    /// Two keys with the same SPI/MKI in one message or bundle: which one protects a packet
    /// with that MKI would be ambiguous.
    DuplicateMki,
}

impl core::fmt::Display for Weakness {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Weakness::ShortTgk { len, need } => {
                write!(
                    f,
                    "TGK of {len} bytes, the SRTP suite needs at least {need}"
                )
            }
            Weakness::ShortRand { len } => write!(
                f,
                "RAND of {len} bytes, at least {MIN_RAND_LEN} are required (RFC 3830 §6.11)"
            ),
            Weakness::EmptyPsk => f.write_str("empty pre-shared key with a real MAC or cipher"),
            Weakness::DuplicateMki => f.write_str("two keys with the same SPI/MKI"),
        }
    }
}

/// What a lenient responder (or one whose [`TimestampPolicy`](crate::session::TimestampPolicy)
/// allows it) accepted from a shipping device, reported with each accepted message (the
/// parser's own tolerances are [`Quirk`](crate::wire::Quirk)s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Leniency {
    /// A RAND shorter than 16 bytes.
    ShortRand = 1,
    /// An initial message without RAND (the ONVIF Genetec client; TEKs only).
    MissingRand = 2,
    /// A timestamp outside the clock window, accepted because it is not the time (the same
    /// client); replays are then refused by ordering timestamps per peer.
    NonClockTimestamp = 4,
}

impl Leniency {
    const ALL: [Leniency; 3] = [
        Leniency::ShortRand,
        Leniency::MissingRand,
        Leniency::NonClockTimestamp,
    ];

    /// A short description.
    pub const fn describe(self) -> &'static str {
        match self {
            Leniency::ShortRand => "RAND shorter than 16 bytes accepted",
            Leniency::MissingRand => "initial message without RAND accepted (TEKs only)",
            Leniency::NonClockTimestamp => "timestamp that is not the time accepted",
        }
    }
}

/// The set of [`Leniency`]s used for one message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Leniencies(u8);

impl Leniencies {
    /// Whether `l` was used.
    pub const fn contains(self, l: Leniency) -> bool {
        self.0 & l as u8 != 0
    }

    /// True when none was used.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Adds `l`.
    pub(crate) fn insert(&mut self, l: Leniency) {
        self.0 |= l as u8;
    }

    /// The leniencies used.
    pub fn iter(self) -> impl Iterator<Item = Leniency> {
        Leniency::ALL.into_iter().filter(move |l| self.contains(*l))
    }
}

/// No two keys with the same SPI/MKI.
pub(crate) fn check_distinct_mkis(keys: &[TransportKey]) -> Result<(), Weakness> {
    for (i, a) in keys.iter().enumerate() {
        if let Some(m) = a.mki() {
            if keys[i + 1..].iter().any(|b| b.mki() == Some(m)) {
                return Err(Weakness::DuplicateMki);
            }
        }
    }
    Ok(())
}

/// Every TGK of `keys` is at least as long as the master key of `suite` (RFC 3830
/// §4.1.3 stretches any TGK; a short one only looks strong). The responder runs it for the
/// suite of each crypto session while checking that the bundle exports
/// ([`check_suites`](crate::srtp::export::check_suites)).
pub(crate) fn check_tgk_fits(keys: &[TransportKey], suite: SrtpSuite) -> Result<(), Weakness> {
    match shortest_tgk(keys) {
        Some(len) if len < suite.master_key_len() => Err(Weakness::ShortTgk {
            len,
            need: suite.master_key_len(),
        }),
        _ => Ok(()),
    }
}

fn shortest_tgk(keys: &[TransportKey]) -> Option<usize> {
    keys.iter()
        .filter(|k| k.is_tgk())
        .map(|k| k.key.len())
        .min()
}

/// What an initiator is about to send, checked as a responder will check it: the RAND of
/// an initial message (for an update of `existing`, none is sent), distinct MKIs, TGKs as
/// long as the suites of the crypto sessions need. Returns what it decoded of the first
/// crypto session's policy, as far as it holds for the bundle the message makes
/// ([`DecodedPolicies::of_message`]), for the initiator's exports.
pub(crate) fn check_outgoing(
    rand: &[u8],
    keys: &[TransportKey],
    cs_map: &CsIdMap<'_>,
    policies: &[SecurityPolicy<'_>],
    existing: Option<&CryptoSessionBundle>,
) -> Result<DecodedPolicies, Weakness> {
    if existing.is_none() && rand.len() < MIN_RAND_LEN {
        return Err(Weakness::ShortRand { len: rand.len() });
    }
    check_distinct_mkis(keys)?;
    let decoded = DecodedPolicies::of_message(cs_map, policies, existing);
    tgk_lengths(keys, cs_map, policies, &decoded)?;
    Ok(decoded)
}

/// Every TGK in `keys` fits the suite of each SRTP crypto session of `cs_map` (policies
/// that do not map onto a suite are left to the export check); the suite of a policy
/// `known` holds is not decoded again.
fn tgk_lengths(
    keys: &[TransportKey],
    cs_map: &CsIdMap<'_>,
    all: &[SecurityPolicy<'_>],
    known: &DecodedPolicies,
) -> Result<(), Weakness> {
    if shortest_tgk(keys).is_none() {
        return Ok(());
    }
    let fits = |no: u8| {
        let suite = match known.suite(no) {
            Some(suite) => Ok(suite),
            None => {
                let policy = message_policy(all, no).map(|p| p.srtp());
                suite_for(&policy.unwrap_or_default(), false).map(|(suite, _)| suite)
            }
        };
        suite.map_or(Ok(()), |suite| check_tgk_fits(keys, suite))
    };
    match cs_map {
        CsIdMap::SrtpId(_) | CsIdMap::GenericId(_) => {
            sessions(cs_map).try_for_each(|(_, no, _, _)| fits(no))
        }
        _ => fits(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_mkis_are_found() {
        let k = |m: u8| TransportKey::tgk(&[1; 16]).with_mki(&[m]);
        assert!(check_distinct_mkis(&[k(1), k(2)]).is_ok());
        assert_eq!(
            check_distinct_mkis(&[k(1), k(2), k(1)]),
            Err(Weakness::DuplicateMki)
        );
        // Keys without MKI replace each other (RFC 3830 §4.5): not a duplicate.
        let plain = TransportKey::tgk(&[1; 16]);
        assert!(check_distinct_mkis(&[plain.clone(), plain]).is_ok());
    }

    #[test]
    fn leniencies_are_listed() {
        let mut l = Leniencies::default();
        assert!(l.is_empty());
        l.insert(Leniency::MissingRand);
        l.insert(Leniency::NonClockTimestamp);
        assert_eq!(
            l.iter().collect::<Vec<_>>(),
            vec![Leniency::MissingRand, Leniency::NonClockTimestamp]
        );
    }
}
