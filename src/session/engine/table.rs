//! The responder's tables: crypto session bundles with their owners, bounded per peer and
//! in total, expiring when idle; and the last ordered timestamp of each identity.

use super::evict::EvictionIndex;
use super::limits::{Events, Eviction, Limit, ResponderEvent, ResponderLimits};
use crate::bundle::CryptoSessionBundle;
use crate::crypto::SecretBytes;
use crate::session::{FastMap, PeerCounts};
use crate::srtp::export::DecodedPolicies;
use std::sync::Arc;

/// The name a peer goes by in the tables: its identity (IDi or its mode's equivalent),
/// length-prefixed when it has at most 64 bytes, else `0xff` and its SHA-256 (so a table
/// entry never holds more than 65 bytes of name, and the two forms never collide).
#[derive(Clone, Copy)]
pub(crate) struct PeerName {
    buf: [u8; 65],
    len: u8,
}

impl PeerName {
    /// The name of `identity` (empty for messages without one: the anonymous peer).
    pub fn of(identity: &[u8]) -> Self {
        let mut buf = [0u8; 65];
        let len = match u8::try_from(identity.len()) {
            Ok(n) if n <= 64 => {
                buf[0] = n;
                buf[1..=identity.len()].copy_from_slice(identity);
                identity.len() + 1
            }
            _ => {
                use sha2::Digest;
                buf[0] = 0xff;
                buf[1..33].copy_from_slice(&sha2::Sha256::digest(identity));
                33
            }
        };
        Self {
            buf,
            len: len as u8,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

/// A bundle and whom it belongs to.
pub(crate) struct Entry<B> {
    pub bundle: CryptoSessionBundle,
    /// The peer that created it (its quota counts it).
    pub peer: Arc<[u8]>,
    /// What binds it to that peer (the PSK, the peer's key): updates must match. `None`
    /// for a bundle shared by a group (RSA-R group mode), which every member may refresh.
    pub binding: Option<B>,
    /// The key PSK update messages of this CSB are checked with: the PSK, or a cached
    /// envelope key (RFC 3830 §3.2, §4.5).
    pub update_key: Option<SecretBytes>,
    /// The last clock value (ns since the Unix epoch) a message used it.
    pub last_used: u64,
    /// Its policies as decoded when it was installed, for its exports.
    pub policies: DecodedPolicies,
}

/// Bundles by CSB ID, with how many each peer holds.
pub(crate) struct BundleTable<B> {
    entries: FastMap<u32, Entry<B>>,
    /// Bundles held per peer, for its quota (which of them goes first is the
    /// [`EvictionIndex`]'s business): a count, no list to allocate per peer.
    by_peer: PeerCounts,
    /// No bundle was last used before this (a lower bound, for the lazy idle sweep of a
    /// table without `index`).
    oldest_use: u64,
    /// The order bundles are given up in, built the first time one must be (see
    /// [`EvictionIndex`]); kept up to date from then on.
    index: Option<Box<EvictionIndex>>,
}

impl<B> Default for BundleTable<B> {
    fn default() -> Self {
        Self {
            entries: FastMap::default(),
            by_peer: PeerCounts::default(),
            oldest_use: u64::MAX,
            index: None,
        }
    }
}

impl<B> BundleTable<B> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn get(&self, csb_id: u32) -> Option<&Entry<B>> {
        self.entries.get(&csb_id)
    }

    pub fn get_mut(&mut self, csb_id: u32) -> Option<&mut Entry<B>> {
        self.entries.get_mut(&csb_id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&u32, &Entry<B>)> {
        self.entries.iter()
    }

    /// Bundles held by the peer named `peer`.
    pub fn peer_len(&self, peer: &[u8]) -> usize {
        self.by_peer.get(peer)
    }

    /// Marks a bundle as used at `now`.
    pub fn touch(&mut self, csb_id: u32, now: u64) -> bool {
        let Some(e) = self.entries.get_mut(&csb_id) else {
            return false;
        };
        let was = e.last_used;
        e.last_used = was.max(now);
        if let Some(ix) = self.index.as_mut().filter(|_| e.last_used != was) {
            ix.touch(&e.peer, (was, csb_id), (e.last_used, csb_id));
        }
        true
    }

    pub fn remove(&mut self, csb_id: u32) -> Option<Entry<B>> {
        let e = self.entries.remove(&csb_id)?;
        self.by_peer.remove(&e.peer);
        if let Some(ix) = self.index.as_mut() {
            ix.remove(&e.peer, (e.last_used, csb_id));
        }
        Some(e)
    }

    /// The index, built from the bundles held the first time it is asked for.
    fn index(&mut self) -> &mut EvictionIndex {
        let entries = &self.entries;
        self.index.get_or_insert_with(|| {
            let mut ix = EvictionIndex::default();
            for (&csb_id, e) in entries {
                ix.insert(&e.peer, (e.last_used, csb_id));
            }
            Box::new(ix)
        })
    }

    /// Removes every bundle idle for longer than `lifetime` at `now` (reported as
    /// [`Eviction::Expired`]), oldest first; runs only when one may have expired.
    pub fn expire(&mut self, now: u64, lifetime: Option<core::time::Duration>, ev: &mut Events) {
        let Some(life) = lifetime.map(super::window::nanos) else {
            return;
        };
        if now.saturating_sub(self.oldest_use) <= life {
            return;
        }
        // At most one pass per bundle held: each turn removes the oldest.
        for _ in 0..self.entries.len() {
            let stale = self
                .index()
                .oldest()
                .filter(|&(at, _)| now.saturating_sub(at) > life);
            let Some((_, csb_id)) = stale else {
                break;
            };
            self.remove(csb_id);
            ev.push(ResponderEvent::BundleEvicted {
                csb_id,
                reason: Eviction::Expired,
            });
        }
        self.oldest_use = self.index().oldest().map_or(u64::MAX, |(at, _)| at);
    }

    /// Installs `entry` as the bundle `csb_id`, making room first when it is new: beyond
    /// its peer's quota, that peer's least recently used bundle goes; with the table full,
    /// idle bundles expire, then [`EvictionIndex::victim`] goes.
    pub fn install(
        &mut self,
        csb_id: u32,
        entry: Entry<B>,
        limits: &ResponderLimits,
        ev: &mut Events,
    ) {
        let now = entry.last_used;
        if self.entries.contains_key(&csb_id) {
            self.remove(csb_id);
        } else {
            if self.peer_len(&entry.peer) >= limits.bundles_per_peer.max(1) {
                if let Some(old) = self.index().oldest_of(&entry.peer) {
                    self.evict(old, Eviction::PeerQuota, ev);
                }
            }
            if self.entries.len() >= limits.max_bundles.max(1) {
                self.expire(now, limits.bundle_idle_lifetime, ev);
            }
            // At most one turn per bundle held: each turn evicts one.
            for _ in 0..self.entries.len() {
                if self.entries.len() < limits.max_bundles.max(1) {
                    break;
                }
                match self.index().victim() {
                    Some(old) => self.evict(old, Eviction::TableFull, ev),
                    None => break,
                }
            }
        }
        if let Some(ix) = self.index.as_mut() {
            ix.insert(&entry.peer, (now, csb_id));
        }
        self.by_peer.add(entry.peer.clone());
        self.oldest_use = self.oldest_use.min(now);
        self.entries.insert(csb_id, entry);
    }

    fn evict(&mut self, csb_id: u32, reason: Eviction, ev: &mut Events) {
        if self.remove(csb_id).is_some() {
            ev.push(ResponderEvent::BundleEvicted { csb_id, reason });
        }
    }

    /// The shared name of `peer`, allocated once per peer.
    pub fn peer_key(&self, peer: &[u8]) -> Arc<[u8]> {
        self.by_peer.name(peer)
    }
}

/// The last ordered timestamp (COUNTER, or a non-clock timestamp accepted by policy) of
/// each identity (RFC 3830 §5.4), bounded: a new identity is refused when full, since
/// forgetting one would let its old messages be replayed.
#[derive(Default)]
pub(crate) struct Counters {
    last: FastMap<Arc<[u8]>, u64>,
}

impl Counters {
    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn last(&self, peer: &[u8]) -> Option<u64> {
        self.last.get(peer).copied()
    }

    /// Every identity's last value.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.last.iter().map(|(p, &v)| (&**p, v))
    }

    /// Whether `peer` may be recorded: known, or room for one more.
    pub fn admits(&self, peer: &[u8], cap: usize) -> Result<(), Limit> {
        if self.last.contains_key(peer) || self.last.len() < cap {
            Ok(())
        } else {
            Err(Limit::CounterIdentities)
        }
    }

    /// Records `value` as `peer`'s last (never lowering it).
    pub fn record(&mut self, peer: &[u8], value: u64) {
        match self.last.get_mut(peer) {
            Some(v) => *v = (*v).max(value),
            None => {
                self.last.insert(Arc::from(peer), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::PrfFunc;

    fn entry(peer: &str, at: u64) -> Entry<()> {
        Entry {
            bundle: CryptoSessionBundle::new(0, PrfFunc::Mikey1, Vec::new()),
            peer: Arc::from(PeerName::of(peer.as_bytes()).as_bytes()),
            binding: Some(()),
            update_key: None,
            last_used: at,
            policies: Default::default(),
        }
    }

    fn limits(per_peer: usize, total: usize) -> ResponderLimits {
        ResponderLimits {
            bundles_per_peer: per_peer,
            max_bundles: total,
            bundle_idle_lifetime: Some(core::time::Duration::from_nanos(100)),
            ..ResponderLimits::default()
        }
    }

    #[test]
    fn a_peer_beyond_its_quota_replaces_its_own_oldest_bundle() {
        let (mut t, mut ev) = (BundleTable::default(), Events::default());
        let l = limits(2, 10);
        t.install(1, entry("a", 1), &l, &mut ev);
        t.install(2, entry("a", 2), &l, &mut ev);
        t.install(3, entry("b", 3), &l, &mut ev);
        t.touch(1, 4);
        t.install(4, entry("a", 5), &l, &mut ev);
        assert!(t.get(2).is_none() && t.get(1).is_some() && t.get(3).is_some());
        assert_eq!(
            ev.pop(),
            Some(ResponderEvent::BundleEvicted {
                csb_id: 2,
                reason: Eviction::PeerQuota
            })
        );
    }

    #[test]
    fn a_full_table_takes_from_the_biggest_peer_after_expiring_idle_bundles() {
        let (mut t, mut ev) = (BundleTable::default(), Events::default());
        let l = limits(10, 3);
        t.install(1, entry("b", 10), &l, &mut ev);
        t.install(2, entry("a", 11), &l, &mut ev);
        t.install(3, entry("a", 12), &l, &mut ev);
        t.install(4, entry("c", 13), &l, &mut ev);
        assert!(t.get(2).is_none(), "a's oldest");
        assert!(t.get(1).is_some() && t.get(3).is_some() && t.get(4).is_some());
        // Far later: everything idle expires to make room, nothing else is evicted.
        t.install(5, entry("c", 1_000), &l, &mut ev);
        assert_eq!(t.len(), 1);
        let reasons: Vec<_> = core::iter::from_fn(|| ev.pop()).collect();
        assert_eq!(reasons.len(), 4);
    }

    #[test]
    fn a_table_that_never_gives_a_bundle_up_builds_no_index() {
        let (mut t, mut ev) = (BundleTable::default(), Events::default());
        let l = limits(2, 3);
        t.install(1, entry("a", 1), &l, &mut ev);
        t.install(2, entry("b", 2), &l, &mut ev);
        t.touch(1, 3);
        t.remove(2);
        t.expire(50, l.bundle_idle_lifetime, &mut ev);
        assert!(t.index.is_none(), "no bundle was given up");
        t.install(3, entry("a", 4), &l, &mut ev);
        t.install(4, entry("a", 5), &l, &mut ev);
        assert!(t.index.is_some(), "a's quota made it give one up");
        assert!(t.get(1).is_none());
    }

    #[test]
    fn peer_names_are_bounded_and_distinct() {
        let long = [7u8; 300];
        assert_eq!(PeerName::of(&long).as_bytes().len(), 33);
        assert_eq!(PeerName::of(b"").as_bytes(), &[0]);
        assert_ne!(
            PeerName::of(&[0xff; 32]).as_bytes(),
            PeerName::of(&long).as_bytes()
        );
    }

    #[test]
    fn counters_refuse_new_identities_when_full() {
        let mut c = Counters::default();
        c.record(b"a", 5);
        assert!(c.admits(b"a", 1).is_ok());
        assert_eq!(c.admits(b"b", 1), Err(Limit::CounterIdentities));
        c.record(b"a", 3);
        assert_eq!(c.last(b"a"), Some(5));
    }
}
