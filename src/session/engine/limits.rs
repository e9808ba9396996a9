//! The limits every responder shares ([`ResponderLimits`]), and what a responder reports
//! when one is reached or a bundle goes ([`ResponderEvent`]).

use core::time::Duration;

/// The bounds on a responder's memory and on the messages it accepts, shared by every mode.
///
/// Every table is bounded, per peer and in total, so that a flood from one authenticated
/// peer costs bounded memory and never locks a second peer out (a peer is the identity a
/// message claims, IDi or its mode's equivalent; messages without one share the anonymous
/// peer). Reaching a limit refuses the message with
/// [`SessionError::LimitReached`](crate::session::SessionError::LimitReached) (or
/// [`ReplayCacheFull`](crate::session::SessionError::ReplayCacheFull)) and is reported as a
/// [`ResponderEvent`]; the budget of Error messages (`error_replies_per_sec`) only
/// withholds the answer to a message refused for another reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponderLimits {
    /// Largest allowed difference between an NTP timestamp and the local clock (RFC 3830
    /// §5.4; 5 minutes by default). A message is accepted at most once for every clock value
    /// at which its timestamp is within this skew.
    pub max_skew: Duration,
    /// Messages the replay cache remembers in total (RFC 3830 §5.4). When full, new
    /// messages are refused until entries expire: the cache never forgets a live entry.
    /// Expired entries are swept out when the cache is full, in bulk, or, for a cache full
    /// at every message, from a heap by expiry at O(log n) each.
    pub replay_capacity: usize,
    /// Messages the replay cache remembers for one peer. Smaller than `replay_capacity`, so
    /// one peer cannot fill the cache for everyone.
    pub replay_per_peer: usize,
    /// Crypto session bundles one peer holds. A peer's new bundle beyond it replaces that
    /// peer's least recently used bundle.
    pub bundles_per_peer: usize,
    /// Crypto session bundles held in total. When full, idle bundles expire first, then the
    /// least recently used of the bundles held by the peers holding the most is evicted to
    /// make room (when every peer holds one, the bundle idle longest). The first time the
    /// table gives a bundle up (here, beyond a peer's quota or idle too long) it sorts the
    /// bundles it holds, once; from then on giving one up costs O(log n) (BENCHMARKS.md,
    /// "A full bundle table and a full replay cache"; `cargo bench --bench full_table`).
    pub max_bundles: usize,
    /// A bundle not used for this long (no message for it, no
    /// [`touch`](crate::session::Responder::touch)) expires; `None` keeps bundles until they
    /// are evicted or removed.
    pub bundle_idle_lifetime: Option<Duration>,
    /// Identities whose last COUNTER (or, with `accept_any_time`, last timestamp) value is
    /// remembered (RFC 3830 §5.4). When full, new identities are refused: forgetting one
    /// would let its old messages be replayed.
    pub counter_identities: usize,
    /// Keys one bundle holds. Every crypto session gets SRTP parameters for every key, so a
    /// message that would leave a bundle with more keys is refused (one 64 KiB MIKEY-NULL
    /// message with 13,000 TGKs and 255 crypto sessions once took seconds to accept).
    pub max_keys: usize,
    /// Largest message accepted, in bytes; larger ones are refused before parsing.
    pub max_message_len: usize,
    /// Error messages sent per second, in total, in answer to messages that did not
    /// authenticate (RFC 3830 §5.1.2 leaves answering them optional): those messages may
    /// be forged, their source spoofed, and a flood of them should not make the responder
    /// a reflector. A window opens with the first such answer and lasts one second (a
    /// clock that goes back opens a new one). Beyond the budget the message is refused as
    /// before, without an Error message, and the first refusal of each window is reported
    /// as [`Limit::ErrorReplies`]. Answers to authenticated messages are not counted: they
    /// need the peer's key, and a replay of one is never answered. `0` answers none. The
    /// budget is not part of a snapshot: a restored responder starts a new window.
    pub error_replies_per_sec: u32,
}

impl Default for ResponderLimits {
    fn default() -> Self {
        Self {
            max_skew: Duration::from_secs(300),
            replay_capacity: 4096,
            replay_per_peer: 1024,
            bundles_per_peer: 64,
            max_bundles: 1024,
            bundle_idle_lifetime: Some(Duration::from_secs(24 * 3600)),
            counter_identities: 1024,
            max_keys: 64,
            max_message_len: 128 * 1024,
            error_replies_per_sec: 100,
        }
    }
}

/// Which limit of [`ResponderLimits`] refused a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`ResponderLimits::max_message_len`].
    MessageLen,
    /// [`ResponderLimits::replay_per_peer`].
    ReplayPerPeer,
    /// [`ResponderLimits::counter_identities`].
    CounterIdentities,
    /// [`ResponderLimits::max_keys`].
    KeysPerBundle,
    /// [`ResponderLimits::error_replies_per_sec`]: the message was refused without an
    /// Error message (reported once per window).
    ErrorReplies,
}

impl core::fmt::Display for Limit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Limit::MessageLen => "message longer than max_message_len",
            Limit::ReplayPerPeer => "this peer's replay cache entries are at replay_per_peer",
            Limit::CounterIdentities => "counter_identities COUNTER identities already remembered",
            Limit::KeysPerBundle => "the bundle would hold more than max_keys keys",
            Limit::ErrorReplies => "error_replies_per_sec Error messages already sent this second",
        })
    }
}

/// Why a bundle left the table on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Eviction {
    /// Idle for longer than [`ResponderLimits::bundle_idle_lifetime`].
    Expired,
    /// Its peer opened a bundle beyond [`ResponderLimits::bundles_per_peer`]: its least
    /// recently used one made room.
    PeerQuota,
    /// The table was at [`ResponderLimits::max_bundles`]: the least recently used bundle of
    /// the peers holding the most made room.
    TableFull,
}

/// Something a responder did on its own that the application may want to log: a limit that
/// refused a message, or a bundle that went. Collected with
/// [`Responder::poll_event`](crate::session::Responder::poll_event); at most
/// [`EVENT_QUEUE_LEN`] are kept (the oldest go first, and are counted).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponderEvent {
    /// A message was refused because `limit` was reached (or, for
    /// [`Limit::ErrorReplies`], refused without an Error message).
    LimitReached {
        /// The limit.
        limit: Limit,
    },
    /// The replay cache was full: a message was refused (RFC 3830 §5.4).
    ReplayCacheFull,
    /// A bundle left the table.
    BundleEvicted {
        /// Its CSB ID.
        csb_id: u32,
        /// Why.
        reason: Eviction,
    },
    /// Events were dropped because the queue was full.
    EventsDropped {
        /// How many.
        count: u64,
    },
}

/// How many events a responder keeps until they are polled.
pub const EVENT_QUEUE_LEN: usize = 256;

/// The bounded queue of [`ResponderEvent`]s.
#[derive(Clone, Debug, Default)]
pub(crate) struct Events {
    queue: std::collections::VecDeque<ResponderEvent>,
    dropped: u64,
}

impl Events {
    pub fn push(&mut self, e: ResponderEvent) {
        if self.queue.len() >= EVENT_QUEUE_LEN {
            self.queue.pop_front();
            self.dropped += 1;
        }
        self.queue.push_back(e);
    }

    pub fn pop(&mut self) -> Option<ResponderEvent> {
        if self.dropped > 0 {
            let count = core::mem::take(&mut self.dropped);
            return Some(ResponderEvent::EventsDropped { count });
        }
        self.queue.pop_front()
    }
}

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// What is left of [`ResponderLimits::error_replies_per_sec`] in the current window.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorBudget {
    /// When the window opened, in nanoseconds; none before the first answer.
    opened: Option<u64>,
    /// Answers asked for in the window (one past the budget once it has been reported).
    asked: u64,
}

impl ErrorBudget {
    /// Whether an unauthenticated message refused at `now` may be answered with an Error
    /// message; counts it. The first answer withheld in a window is reported.
    pub fn spend(&mut self, per_sec: u32, now: Duration, events: &mut Events) -> bool {
        let now_ns = super::window::nanos(now);
        let open = self
            .opened
            .is_some_and(|o| now_ns >= o && now_ns - o < NANOS_PER_SEC);
        if !open {
            self.opened = Some(now_ns);
            self.asked = 0;
        }
        let budget = u64::from(per_sec);
        if self.asked < budget {
            self.asked += 1;
            return true;
        }
        if self.asked == budget {
            self.asked += 1;
            events.push(ResponderEvent::LimitReached {
                limit: Limit::ErrorReplies,
            });
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_queue_is_bounded_and_counts_what_it_drops() {
        let mut e = Events::default();
        for csb_id in 0..(EVENT_QUEUE_LEN as u32 + 3) {
            e.push(ResponderEvent::BundleEvicted {
                csb_id,
                reason: Eviction::Expired,
            });
        }
        assert_eq!(e.pop(), Some(ResponderEvent::EventsDropped { count: 3 }));
        assert_eq!(
            e.pop(),
            Some(ResponderEvent::BundleEvicted {
                csb_id: 3,
                reason: Eviction::Expired
            })
        );
        let rest = core::iter::from_fn(|| e.pop()).count();
        assert_eq!(rest, EVENT_QUEUE_LEN - 1);
    }

    /// The budget at its edges: `per_sec` answers, none one past it (reported once), a new
    /// window exactly one second after the first answer, and one when the clock goes back.
    #[test]
    fn the_error_budget_holds_for_one_second_and_reports_once() {
        let reported = |e: &mut Events| core::iter::from_fn(|| e.pop()).count();
        for per_sec in [0u32, 1, 3] {
            let (mut b, mut e) = (ErrorBudget::default(), Events::default());
            let t0 = 5 * NANOS_PER_SEC + 7;
            let spent =
                (0..per_sec + 5).filter(|_| b.spend(per_sec, Duration::from_nanos(t0), &mut e));
            assert_eq!(spent.count(), per_sec as usize, "{per_sec}/s");
            assert_eq!(reported(&mut e), 1, "{per_sec}/s: reported once");
            let last = t0 + NANOS_PER_SEC - 1;
            assert!(
                !b.spend(per_sec, Duration::from_nanos(last), &mut e),
                "{per_sec}/s"
            );
            assert_eq!(reported(&mut e), 0, "{per_sec}/s: the same window");
            let next = t0 + NANOS_PER_SEC;
            let spent =
                (0..per_sec + 1).filter(|_| b.spend(per_sec, Duration::from_nanos(next), &mut e));
            assert_eq!(spent.count(), per_sec as usize, "{per_sec}/s: a new window");
            assert_eq!(reported(&mut e), 1, "{per_sec}/s: reported again");
            let back = t0 - 1;
            assert_eq!(
                b.spend(per_sec, Duration::from_nanos(back), &mut e),
                per_sec > 0,
                "{per_sec}/s"
            );
        }
        // The largest budget does not overflow.
        let (mut b, mut e) = (ErrorBudget::default(), Events::default());
        b.asked = u64::from(u32::MAX) - 1;
        b.opened = Some(0);
        assert!(b.spend(u32::MAX, Duration::ZERO, &mut e));
        assert!(!b.spend(u32::MAX, Duration::ZERO, &mut e));
        assert!(!b.spend(u32::MAX, Duration::ZERO, &mut e));
        assert_eq!(reported(&mut e), 1);
    }
}
