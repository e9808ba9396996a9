//! The replay cache of RFC 3830 §5.4: remembers successfully authenticated messages while
//! their timestamps are still acceptable. Its memory is bounded; when it is full it refuses
//! new messages rather than forgetting old ones, so a replay can never slip through.

use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};

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
#[derive(Debug, Clone)]
pub struct ReplayCache {
    capacity: usize,
    seen: HashSet<MessageDigest>,
    by_expiry: BTreeSet<(u64, MessageDigest)>,
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
    /// A cache holding at most `capacity` messages (about 100 bytes each).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            seen: HashSet::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// Number of remembered messages.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The configured capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets entries that expired at or before `now`.
    pub fn expire(&mut self, now: u64) {
        while let Some(&(t, d)) = self.by_expiry.first() {
            if t > now {
                break;
            }
            self.by_expiry.pop_first();
            self.seen.remove(&d);
        }
    }

    /// Checks a message without recording it (cheap: run before the MAC check).
    pub fn check(&mut self, d: &MessageDigest, now: u64) -> ReplayVerdict {
        self.expire(now);
        if self.seen.contains(d) {
            ReplayVerdict::Replayed
        } else if self.seen.len() >= self.capacity {
            ReplayVerdict::Full
        } else {
            ReplayVerdict::Fresh
        }
    }

    /// Records an authenticated message until `expires`. Returns the verdict the insertion
    /// had: only `Fresh` means it was recorded.
    pub fn insert(&mut self, d: MessageDigest, expires: u64, now: u64) -> ReplayVerdict {
        match self.check(&d, now) {
            ReplayVerdict::Fresh => {
                self.seen.insert(d);
                self.by_expiry.insert((expires, d));
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
}
