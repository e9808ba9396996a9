//! The replay cache of RFC 3830 §5.4: remembers successfully authenticated messages while
//! their timestamps are still acceptable. Its memory is bounded; when it is full it refuses
//! new messages rather than forgetting old ones, so a replay can never slip through.

use sha2::{Digest, Sha256};

/// A 20-byte digest of an authenticated message (RFC 3830 §5.4 suggests "the hash of the
/// message is 20 bytes").
pub type MessageDigest = [u8; 20];

/// The replay key of an authenticated message: its MAC (or signature) when it has one of
/// at least 20 bytes — unique per authentic message and free to obtain — else a digest of
/// its bytes. Only authenticated messages are ever inserted, so a forger who copies an old
/// MAC only gets the "replay" answer its message deserves anyway.
pub fn replay_key(message: &[u8], tag: &[u8]) -> MessageDigest {
    match tag.get(..20) {
        Some(t) => {
            let mut d = [0u8; 20];
            d.copy_from_slice(t);
            d
        }
        None => digest(message),
    }
}

/// Digest of a message's bytes.
pub fn digest(message: &[u8]) -> MessageDigest {
    let h = Sha256::digest(message);
    let mut d = [0u8; 20];
    d.copy_from_slice(&h[..20]);
    d
}

/// Bounded replay cache. Each entry expires at a time (seconds, in the caller's clock)
/// after which the message's timestamp would be rejected anyway.
///
/// One hash map from digest to expiry time; expired entries are swept out only when the
/// cache is full and the earliest expiry has passed, so a check costs one lookup and a flood
/// against a full cache of live entries costs no sweep at all.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    capacity: usize,
    seen: super::FastMap<MessageDigest, u64>,
    /// No entry expires before this time (a lower bound: the earliest expiry is at or after
    /// it).
    earliest: u64,
}

/// The cache could not record a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// Not seen before.
    Fresh,
    /// Seen before: a replay.
    Replayed,
    /// Full of unexpired entries: the message must be refused.
    Full,
}

impl ReplayCache {
    /// A cache holding at most `capacity` messages (about 40 bytes each).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            seen: super::FastMap::default(),
            earliest: u64::MAX,
        }
    }

    /// Number of remembered messages (expired ones included until they are swept out).
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The configured bound.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets the messages whose entries expired at or before `now`.
    pub fn expire(&mut self, now: u64) {
        if now < self.earliest {
            return;
        }
        let mut earliest = u64::MAX;
        self.seen.retain(|_, t| {
            let keep = *t > now;
            if keep {
                earliest = earliest.min(*t);
            }
            keep
        });
        self.earliest = earliest;
    }

    /// Checks a message's digest without recording it.
    pub fn check(&mut self, d: &MessageDigest, now: u64) -> ReplayVerdict {
        match self.seen.get(d) {
            Some(&t) if t > now => ReplayVerdict::Replayed,
            // An expired entry of the same digest: its timestamp is too old to accept
            // anyway, and the slot is reused by `insert`.
            Some(_) => ReplayVerdict::Fresh,
            None if self.seen.len() < self.capacity => ReplayVerdict::Fresh,
            None => {
                self.expire(now);
                if self.seen.len() < self.capacity {
                    ReplayVerdict::Fresh
                } else {
                    ReplayVerdict::Full
                }
            }
        }
    }

    /// Records an authenticated message that stays relevant until `expires`.
    pub fn insert(&mut self, d: MessageDigest, expires: u64, now: u64) -> ReplayVerdict {
        match self.check(&d, now) {
            ReplayVerdict::Fresh => {
                self.seen.insert(d, expires);
                self.earliest = self.earliest.min(expires);
                ReplayVerdict::Fresh
            }
            v => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_expires_and_refuses_when_full() {
        let mut c = ReplayCache::new(2);
        let (a, b, x) = (digest(b"a"), digest(b"b"), digest(b"x"));
        assert_eq!(c.insert(a, 10, 0), ReplayVerdict::Fresh);
        assert_eq!(c.check(&a, 5), ReplayVerdict::Replayed);
        assert_eq!(c.insert(b, 20, 5), ReplayVerdict::Fresh);
        assert_eq!(c.check(&x, 6), ReplayVerdict::Full);
        assert_eq!(
            c.check(&a, 6),
            ReplayVerdict::Replayed,
            "full cache still reports replays"
        );
        assert_eq!(c.check(&x, 10), ReplayVerdict::Fresh, "a expired at 10");
        assert_eq!(c.len(), 1);
    }

    proptest::proptest! {
        /// Same verdicts as a model that forgets expired entries at once: the lazy sweep
        /// changes when memory is reclaimed, never an answer.
        #[test]
        fn lazy_expiry_matches_an_eager_model(
            cap in 1usize..6,
            ops in proptest::collection::vec((0u8..8, 0u64..4, 1u64..6, proptest::bool::ANY), 1..80),
        ) {
            let mut c = ReplayCache::new(cap);
            let mut model: Vec<(MessageDigest, u64)> = Vec::new();
            let mut now = 0u64;
            for (id, step, life, insert) in ops {
                now += step;
                let d = digest(&[id]);
                model.retain(|(_, t)| *t > now);
                let want = if model.iter().any(|(x, _)| *x == d) {
                    ReplayVerdict::Replayed
                } else if model.len() >= cap {
                    ReplayVerdict::Full
                } else {
                    ReplayVerdict::Fresh
                };
                let got = if insert {
                    let v = c.insert(d, now + life, now);
                    if v == ReplayVerdict::Fresh {
                        model.push((d, now + life));
                    }
                    v
                } else {
                    c.check(&d, now)
                };
                proptest::prop_assert_eq!(got, want);
                proptest::prop_assert!(c.len() <= cap);
            }
        }
    }
}
