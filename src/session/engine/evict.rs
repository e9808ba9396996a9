//! The order in which a bundle table gives bundles up, kept sorted so that giving one up
//! costs O(log n) however many bundles and peers the table holds.
//!
//! A table builds it the first time it must give a bundle up (a peer beyond its quota, the
//! table full, a bundle expired): a responder that never fills its table (one exchange, a
//! group member) pays nothing for it. Without it a full table looked at every peer (and at
//! the bundles of the biggest ones) for each new bundle, and an idle sweep at every bundle:
//! a cost linear in the table that any authenticated peer could make every message pay
//! (BENCHMARKS.md, "A full bundle table and a full replay cache").

use crate::session::FastMap;
use core::cmp::Reverse;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A bundle's place in the idle order: when it was last used (ns), then its CSB ID, which
/// makes every place distinct.
pub(crate) type Idle = (u64, u32);

/// A peer's place among the peers: most bundles first, then its least recently used bundle.
type Holder = (Reverse<usize>, Idle);

/// Every bundle in idle order, in total and per peer, and the peers by how many they hold.
#[derive(Default)]
pub(crate) struct EvictionIndex {
    idle: BTreeSet<Idle>,
    per_peer: FastMap<Arc<[u8]>, BTreeSet<Idle>>,
    holders: BTreeSet<Holder>,
}

/// Where a peer holding `set` stands among the holders.
fn holder(set: &BTreeSet<Idle>) -> Option<Holder> {
    set.first().map(|&i| (Reverse(set.len()), i))
}

/// Changes a peer's bundles (`set`) with `change`, moving the peer to its new place among
/// the `holders`.
fn regroup(
    holders: &mut BTreeSet<Holder>,
    set: &mut BTreeSet<Idle>,
    change: impl FnOnce(&mut BTreeSet<Idle>),
) {
    if let Some(h) = holder(set) {
        holders.remove(&h);
    }
    change(set);
    if let Some(h) = holder(set) {
        holders.insert(h);
    }
}

impl EvictionIndex {
    /// Adds the bundle at `at` held by `peer`.
    pub fn insert(&mut self, peer: &Arc<[u8]>, at: Idle) {
        self.idle.insert(at);
        let set = self.per_peer.entry(peer.clone()).or_default();
        regroup(&mut self.holders, set, |set| {
            set.insert(at);
        });
    }

    /// Removes the bundle at `at` held by `peer`.
    pub fn remove(&mut self, peer: &[u8], at: Idle) {
        self.idle.remove(&at);
        let Some(set) = self.per_peer.get_mut(peer) else {
            return;
        };
        regroup(&mut self.holders, set, |set| {
            set.remove(&at);
        });
        if set.is_empty() {
            self.per_peer.remove(peer);
        }
    }

    /// Moves `peer`'s bundle from `from` to `to` (it was used again).
    pub fn touch(&mut self, peer: &[u8], from: Idle, to: Idle) {
        self.idle.remove(&from);
        self.idle.insert(to);
        if let Some(set) = self.per_peer.get_mut(peer) {
            regroup(&mut self.holders, set, |set| {
                set.remove(&from);
                set.insert(to);
            });
        }
    }

    /// The bundle idle longest.
    pub fn oldest(&self) -> Option<Idle> {
        self.idle.first().copied()
    }

    /// `peer`'s bundle idle longest.
    pub fn oldest_of(&self, peer: &[u8]) -> Option<u32> {
        self.per_peer.get(peer)?.first().map(|&(_, csb_id)| csb_id)
    }

    /// The bundle a full table gives up: the least recently used of those held by the peers
    /// holding the most, the lowest CSB ID among equally idle ones.
    pub fn victim(&self) -> Option<u32> {
        self.holders.first().map(|&(_, (_, csb_id))| csb_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(name: &str) -> Arc<[u8]> {
        Arc::from(name.as_bytes())
    }

    #[test]
    fn the_biggest_peer_gives_up_its_oldest_and_ties_go_to_the_oldest() {
        let mut ix = EvictionIndex::default();
        let (a, b) = (peer("a"), peer("b"));
        ix.insert(&a, (5, 1));
        ix.insert(&b, (1, 2));
        assert_eq!(ix.victim(), Some(2), "one each: the oldest");
        ix.insert(&a, (9, 3));
        assert_eq!(ix.victim(), Some(1), "a holds two: its oldest");
        ix.touch(b"a", (5, 1), (10, 1));
        assert_eq!(ix.victim(), Some(3));
        assert_eq!(ix.oldest(), Some((1, 2)));
        assert_eq!(ix.oldest_of(b"a"), Some(3));
        ix.remove(b"a", (9, 3));
        assert_eq!(ix.victim(), Some(2), "one each again");
        ix.remove(b"b", (1, 2));
        ix.remove(b"a", (10, 1));
        assert_eq!((ix.victim(), ix.oldest()), (None, None));
        assert!(ix.per_peer.is_empty() && ix.holders.is_empty());
    }

    #[test]
    fn equally_idle_bundles_go_lowest_csb_id_first() {
        let mut ix = EvictionIndex::default();
        ix.insert(&peer("a"), (7, 9));
        ix.insert(&peer("b"), (7, 4));
        assert_eq!(ix.victim(), Some(4));
    }

    /// The table (`BundleTable`, which builds and keeps this index) against a plain model
    /// that looks at every bundle: the same bundles, the same events in the same order,
    /// after every operation, for random limits, peers, clocks (also going back) and
    /// operations.
    mod model {
        use crate::bundle::CryptoSessionBundle;
        use crate::session::engine::limits::{Events, Eviction, ResponderEvent, ResponderLimits};
        use crate::session::engine::table::{BundleTable, Entry};
        use crate::wire::PrfFunc;
        use core::time::Duration;
        use proptest::prelude::*;
        use std::collections::BTreeMap;
        use std::sync::Arc;

        #[derive(Clone, Debug)]
        enum Op {
            Install { peer: u8, csb: u32, t: u64 },
            Touch { csb: u32, t: u64 },
            Remove { csb: u32 },
            Expire { t: u64 },
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                4 => (0u8..5, 0u32..12, 0u64..200).prop_map(|(peer, csb, t)| Op::Install { peer, csb, t }),
                2 => (0u32..12, 0u64..200).prop_map(|(csb, t)| Op::Touch { csb, t }),
                1 => (0u32..12).prop_map(|csb| Op::Remove { csb }),
                1 => (0u64..200).prop_map(|t| Op::Expire { t }),
            ]
        }

        /// CSB ID → (peer, last used).
        type Model = BTreeMap<u32, (u8, u64)>;

        fn oldest(m: &Model, of: impl Fn(u8) -> bool) -> Option<u32> {
            m.iter()
                .filter(|(_, (p, _))| of(*p))
                .min_by_key(|(&c, &(_, t))| (t, c))
                .map(|(&c, _)| c)
        }

        fn expire(m: &mut Model, now: u64, life: Option<u64>, ev: &mut Vec<ResponderEvent>) {
            let Some(life) = life else { return };
            while let Some(c) = oldest(m, |_| true).filter(|c| now.saturating_sub(m[c].1) > life) {
                m.remove(&c);
                ev.push(ResponderEvent::BundleEvicted {
                    csb_id: c,
                    reason: Eviction::Expired,
                });
            }
        }

        fn install(
            m: &mut Model,
            l: &ResponderLimits,
            life: Option<u64>,
            peer: u8,
            csb: u32,
            t: u64,
            ev: &mut Vec<ResponderEvent>,
        ) {
            if m.remove(&csb).is_none() {
                let held = |m: &Model, p: u8| m.values().filter(|(q, _)| *q == p).count();
                if held(m, peer) >= l.bundles_per_peer {
                    let c = oldest(m, |p| p == peer).expect("the peer holds some");
                    m.remove(&c);
                    ev.push(ResponderEvent::BundleEvicted {
                        csb_id: c,
                        reason: Eviction::PeerQuota,
                    });
                }
                if m.len() >= l.max_bundles {
                    expire(m, t, life, ev);
                }
                while m.len() >= l.max_bundles {
                    let most = (0..5).map(|p| held(m, p)).max().unwrap_or(0);
                    let c = oldest(m, |p| held(m, p) == most).expect("full");
                    m.remove(&c);
                    ev.push(ResponderEvent::BundleEvicted {
                        csb_id: c,
                        reason: Eviction::TableFull,
                    });
                }
            }
            m.insert(csb, (peer, t));
        }

        fn entry(peer: u8, t: u64) -> Entry<()> {
            Entry {
                bundle: CryptoSessionBundle::new(0, PrfFunc::Mikey1, Vec::new()),
                peer: Arc::from(&[peer][..]),
                binding: Some(()),
                update_key: None,
                last_used: t,
                policies: Default::default(),
            }
        }

        proptest! {
            #[test]
            fn the_indexed_table_gives_up_what_a_full_look_would(
                per_peer in 1usize..4,
                max in 1usize..7,
                life in proptest::option::of(0u64..100),
                ops in proptest::collection::vec(op(), 1..60),
            ) {
                let l = ResponderLimits {
                    bundles_per_peer: per_peer,
                    max_bundles: max,
                    bundle_idle_lifetime: life.map(Duration::from_nanos),
                    ..ResponderLimits::default()
                };
                let (mut table, mut events) = (BundleTable::<()>::default(), Events::default());
                let mut model = Model::new();
                for op in ops {
                    let mut want = Vec::new();
                    match op {
                        Op::Install { peer, csb, t } => {
                            table.install(csb, entry(peer, t), &l, &mut events);
                            install(&mut model, &l, life, peer, csb, t, &mut want);
                        }
                        Op::Touch { csb, t } => {
                            let known = model.get_mut(&csb).map(|(_, last)| *last = (*last).max(t));
                            prop_assert_eq!(table.touch(csb, t), known.is_some());
                        }
                        Op::Remove { csb } => {
                            prop_assert_eq!(table.remove(csb).is_some(), model.remove(&csb).is_some());
                        }
                        Op::Expire { t } => {
                            table.expire(t, l.bundle_idle_lifetime, &mut events);
                            expire(&mut model, t, life, &mut want);
                        }
                    }
                    let got: Vec<_> = core::iter::from_fn(|| events.pop()).collect();
                    prop_assert_eq!(got, want);
                    let held: Model = table.iter().map(|(&c, e)| (c, (e.peer[0], e.last_used))).collect();
                    prop_assert_eq!(&held, &model);
                    for p in 0..5u8 {
                        let n = model.values().filter(|(q, _)| *q == p).count();
                        prop_assert_eq!(table.peer_len(&[p]), n);
                    }
                }
            }
        }
    }
}
