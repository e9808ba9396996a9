//! The replay cache of RFC 3830 §5.4: remembers authenticated messages for as long as their
//! timestamps could still be accepted. Its memory is bounded in total and per peer; when
//! full it refuses new messages rather than forgetting old ones, so a replay never slips
//! through, and one peer cannot fill it for everyone.

use core::cmp::Reverse;
use sha2::{Digest, Sha256};
use std::collections::BinaryHeap;
use std::sync::Arc;

/// A 20-byte digest of an authenticated message (RFC 3830 §5.4 suggests "the hash of the
/// message is 20 bytes").
pub type MessageDigest = [u8; 20];

/// Entries by expiry, earliest on top.
type ByUntil = BinaryHeap<Reverse<(u64, MessageDigest)>>;

/// What makes an authenticated message unique, as its mode knows it.
#[derive(Clone, Copy, Debug)]
pub enum ReplayKey<'a> {
    /// A MAC over the message (HMAC: deterministic and unforgeable, so the tag names the
    /// message; one under 20 bytes falls back to the message's digest).
    Mac(&'a [u8]),
    /// The bytes a signature covers: their digest names the message, whatever form the
    /// signature itself takes.
    Signed(&'a [u8]),
}

impl ReplayKey<'_> {
    /// The digest to remember for `message`.
    pub fn digest(self, message: &[u8]) -> MessageDigest {
        match self {
            ReplayKey::Mac(t) => match t.get(..20) {
                Some(t) => {
                    let mut d = [0u8; 20];
                    d.copy_from_slice(t);
                    d
                }
                None => digest(message),
            },
            ReplayKey::Signed(span) => digest(span),
        }
    }
}

/// Digest of a message's bytes.
pub fn digest(message: &[u8]) -> MessageDigest {
    let h = Sha256::digest(message);
    let mut d = [0u8; 20];
    d.copy_from_slice(&h[..20]);
    d
}

/// The cache's answer for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// Not seen before.
    Fresh,
    /// Seen before: a replay.
    Replayed,
    /// Full of unexpired entries: the message must be refused.
    Full,
    /// Its peer already holds its share of the cache: the message must be refused.
    PeerFull,
}

struct Entry {
    /// Remembered up to this clock value (nanoseconds since the Unix epoch, inclusive).
    until: u64,
    peer: Arc<[u8]>,
}

/// Bounded replay cache. Each entry is kept up to the last clock value (nanoseconds,
/// inclusive) at which its message's timestamp is acceptable.
///
/// One hash map from digest to expiry; expired entries are swept out only when the cache is
/// full (in total or for a peer) and the earliest expiry has passed, so a check costs one
/// lookup and a flood against a full cache of live entries costs no sweep. A sweep looks at
/// every entry until one forgets less than a quarter of them; then the entries go into a
/// heap by expiry, kept from then on, and each sweep costs O(log n) per entry it forgets
/// (a cache full at every message with one entry expiring at a time no longer looks at
/// every entry for each message). The latest
/// expiry ever swept out is kept as a floor: a message whose entry would expire at or
/// before it is refused, so a clock set back cannot revive a forgotten message.
pub struct ReplayCache {
    capacity: usize,
    per_peer: usize,
    seen: super::FastMap<MessageDigest, Entry>,
    peers: super::PeerCounts,
    /// No entry expires before this time (a lower bound).
    earliest: u64,
    /// The latest expiry of an entry swept out.
    floor: u64,
    /// The entries by expiry, earliest first: built when a sweep forgets little, kept from
    /// then on.
    by_until: Option<Box<ByUntil>>,
}

impl core::fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReplayCache")
            .field("len", &self.seen.len())
            .field("capacity", &self.capacity)
            .field("per_peer", &self.per_peer)
            .field("peers", &self.peers.len())
            .finish()
    }
}

impl ReplayCache {
    /// A cache holding at most `capacity` messages (about 80 bytes each), and at most
    /// `per_peer` of one peer.
    pub fn new(capacity: usize, per_peer: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            per_peer: per_peer.max(1),
            seen: super::FastMap::default(),
            peers: super::PeerCounts::default(),
            earliest: u64::MAX,
            floor: 0,
            by_until: None,
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

    /// Messages remembered for `peer`.
    pub fn peer_len(&self, peer: &[u8]) -> usize {
        self.peers.get(peer)
    }

    /// A message that would be remembered only until `until` may already have been
    /// forgotten (it expired at or before an entry that was swept out): refuse it.
    pub fn may_have_forgotten(&self, until: u64) -> bool {
        until <= self.floor
    }

    /// Forgets the messages whose entries expired before `now`.
    pub fn expire(&mut self, now: u64) {
        if now <= self.earliest {
            return;
        }
        match self.by_until.is_some() {
            true => self.sweep_in_order(now),
            false => self.sweep_all(now),
        }
    }

    /// Forgets `e` (swept out of `seen`): raises the floor, counts it off its peer.
    fn forget(peers: &mut super::PeerCounts, floor: &mut u64, e: &Entry) {
        *floor = (*floor).max(e.until);
        peers.remove(&e.peer);
    }

    /// The sweep without the heap: one look at every entry. When it forgets fewer than a
    /// quarter of them, sweeps are not paying for themselves (a busy cache, full at every
    /// message, with one entry expiring at a time): the heap is built for the next ones.
    fn sweep_all(&mut self, now: u64) {
        let (looked, mut earliest) = (self.seen.len(), u64::MAX);
        let (peers, floor) = (&mut self.peers, &mut self.floor);
        self.seen.retain(|_, e| {
            if e.until >= now {
                earliest = earliest.min(e.until);
                return true;
            }
            Self::forget(peers, floor, e);
            false
        });
        self.earliest = earliest;
        if (looked - self.seen.len()) * 4 < looked {
            let heap = self.seen.iter().map(|(d, e)| Reverse((e.until, *d)));
            self.by_until = Some(Box::new(heap.collect()));
        }
    }

    /// The sweep with the heap: O(log n) for each entry forgotten.
    fn sweep_in_order(&mut self, now: u64) {
        let Some(heap) = self.by_until.as_mut() else {
            return;
        };
        while let Some(&Reverse((until, d))) = heap.peek() {
            if until >= now {
                break;
            }
            heap.pop();
            if let Some(e) = self.seen.remove(&d) {
                Self::forget(&mut self.peers, &mut self.floor, &e);
            }
        }
        self.earliest = heap.peek().map_or(u64::MAX, |&Reverse((until, _))| until);
    }

    /// Remembers `d` until `until` for `peer`. The caller has made sure it may: `d` is not
    /// remembered yet and there is room ([`check`](Self::check) found it
    /// [`Fresh`](ReplayVerdict::Fresh) with nothing changed in the cache since, or a
    /// snapshot's entry was checked against the capacity). Returns the peer's name as the
    /// cache holds it, for the caller's own tables to share (the responder's bundle table:
    /// one allocation per peer, not one per table).
    pub(crate) fn record(&mut self, d: MessageDigest, peer: &[u8], until: u64) -> Arc<[u8]> {
        let peer = self.peers.name(peer);
        self.peers.add(peer.clone());
        self.seen.insert(
            d,
            Entry {
                until,
                peer: peer.clone(),
            },
        );
        self.earliest = self.earliest.min(until);
        if let Some(heap) = self.by_until.as_mut() {
            heap.push(Reverse((until, d)));
        }
        peer
    }

    /// Checks a message's digest without recording it.
    pub fn check(&mut self, d: &MessageDigest, peer: &[u8], now: u64) -> ReplayVerdict {
        if let Some(e) = self.seen.get(d) {
            if e.until >= now {
                return ReplayVerdict::Replayed;
            }
            // Expired: its timestamp is refused anyway (and the floor covers it).
            self.expire(now);
        }
        let full = |c: &Self| c.seen.len() >= c.capacity;
        let peer_full = |c: &Self| c.peer_len(peer) >= c.per_peer;
        if full(self) || peer_full(self) {
            self.expire(now);
        }
        if full(self) {
            ReplayVerdict::Full
        } else if peer_full(self) {
            ReplayVerdict::PeerFull
        } else {
            ReplayVerdict::Fresh
        }
    }

    /// Every entry (digest, peer, remembered until) and the floor, for a snapshot.
    pub(crate) fn entries(&self) -> (impl Iterator<Item = (&MessageDigest, &[u8], u64)>, u64) {
        let it = self.seen.iter().map(|(d, e)| (d, &*e.peer, e.until));
        (it, self.floor)
    }

    /// Puts back an entry of a snapshot (when there is room for it).
    pub(crate) fn restore_entry(&mut self, d: MessageDigest, peer: &[u8], until: u64) {
        if self.seen.len() >= self.capacity || self.seen.contains_key(&d) {
            return;
        }
        self.record(d, peer, until);
    }

    /// Raises the floor (see [`may_have_forgotten`](Self::may_have_forgotten)).
    pub(crate) fn raise_floor(&mut self, floor: u64) {
        self.floor = self.floor.max(floor);
    }

    /// Records an authenticated message of `peer` that stays relevant until `until`.
    pub fn insert(&mut self, d: MessageDigest, peer: &[u8], until: u64, now: u64) -> ReplayVerdict {
        match self.check(&d, peer, now) {
            ReplayVerdict::Fresh => {
                self.record(d, peer, until);
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
        let mut c = ReplayCache::new(2, 2);
        let (a, b, x) = (digest(b"a"), digest(b"b"), digest(b"x"));
        assert_eq!(c.insert(a, b"p", 10, 0), ReplayVerdict::Fresh);
        assert_eq!(c.check(&a, b"p", 5), ReplayVerdict::Replayed);
        assert_eq!(c.check(&a, b"p", 10), ReplayVerdict::Replayed, "inclusive");
        assert_eq!(c.insert(b, b"q", 20, 5), ReplayVerdict::Fresh);
        assert_eq!(c.check(&x, b"p", 6), ReplayVerdict::Full);
        assert_eq!(c.check(&a, b"p", 6), ReplayVerdict::Replayed);
        assert_eq!(
            c.check(&x, b"p", 11),
            ReplayVerdict::Fresh,
            "a expired at 10"
        );
        assert_eq!(c.len(), 1);
        assert!(c.may_have_forgotten(10) && !c.may_have_forgotten(11));
    }

    #[test]
    fn one_peer_cannot_fill_the_cache() {
        let mut c = ReplayCache::new(4, 2);
        for (k, want) in [(0u8, true), (1, true), (2, false)] {
            let v = c.insert(digest(&[k]), b"flood", 100, 0);
            assert_eq!(v == ReplayVerdict::Fresh, want, "{k}");
        }
        assert_eq!(
            c.insert(digest(b"x"), b"flood", 100, 0),
            ReplayVerdict::PeerFull
        );
        assert_eq!(
            c.insert(digest(b"y"), b"other", 100, 0),
            ReplayVerdict::Fresh
        );
        assert_eq!(c.peer_len(b"flood"), 2);
        // The flooder's entries expire: its share comes back.
        assert_eq!(
            c.insert(digest(b"x"), b"flood", 200, 101),
            ReplayVerdict::Fresh
        );
        assert_eq!(c.peer_len(b"flood"), 1);
    }

    #[test]
    fn a_cache_full_at_every_message_sweeps_in_expiry_order() {
        // Bulk expiry (most entries gone at the first sweep): no heap.
        let mut c = ReplayCache::new(8, 8);
        for k in 0..8u8 {
            assert_eq!(c.insert(digest(&[k]), b"p", 10, 0), ReplayVerdict::Fresh);
        }
        assert_eq!(c.insert(digest(b"x"), b"p", 30, 11), ReplayVerdict::Fresh);
        assert!(c.by_until.is_none() && c.len() == 1);
        // Full, one entry expiring at each message: the first sweep builds the heap.
        let mut c = ReplayCache::new(8, 8);
        for k in 0..8u64 {
            assert_eq!(
                c.insert(digest(&[k as u8]), b"p", 8 + k, k),
                ReplayVerdict::Fresh
            );
        }
        for k in 8..40u64 {
            let v = c.insert(digest(&k.to_be_bytes()), b"p", 8 + k, k + 1);
            assert_eq!(v, ReplayVerdict::Fresh, "{k}");
            assert_eq!(c.len(), 8);
        }
        assert!(c.by_until.as_ref().is_some_and(|h| h.len() == 8));
        assert!(c.may_have_forgotten(39) && !c.may_have_forgotten(40));
    }

    proptest::proptest! {
        /// Same verdicts as a model that forgets expired entries at once: the lazy sweep
        /// changes when memory is reclaimed, never an answer.
        #[test]
        fn lazy_expiry_matches_an_eager_model(
            cap in 1usize..6,
            per_peer in 1usize..6,
            ops in proptest::collection::vec(
                (0u8..8, 0u8..3, 0u64..4, 1u64..6, proptest::bool::ANY), 1..80),
            heap_from_start in proptest::bool::ANY,
        ) {
            let mut c = ReplayCache::new(cap, per_peer);
            if heap_from_start {
                // Every sweep in expiry order (a cache starts without the heap and builds
                // it when a sweep forgets little; an empty heap is the one it would build).
                c.by_until = Some(Box::default());
            }
            let mut model: Vec<(MessageDigest, u8, u64)> = Vec::new();
            let mut now = 0u64;
            for (id, peer, step, life, insert) in ops {
                now += step;
                let d = digest(&[id]);
                model.retain(|(_, _, t)| *t >= now);
                let want = if model.iter().any(|(x, _, _)| *x == d) {
                    ReplayVerdict::Replayed
                } else if model.len() >= cap {
                    ReplayVerdict::Full
                } else if model.iter().filter(|(_, p, _)| *p == peer).count() >= per_peer {
                    ReplayVerdict::PeerFull
                } else {
                    ReplayVerdict::Fresh
                };
                let got = if insert {
                    let v = c.insert(d, &[peer], now + life, now);
                    if v == ReplayVerdict::Fresh {
                        model.push((d, peer, now + life));
                    }
                    v
                } else {
                    c.check(&d, &[peer], now)
                };
                proptest::prop_assert_eq!(got, want);
                proptest::prop_assert!(c.len() <= cap);
            }
        }
    }
}
