//! One responder for every key-exchange mode: [`Responder`] owns the receive pipeline and
//! its state (replay cache, bundles, COUNTER values, limits, events); each mode supplies
//! only its hooks ([`Mode`]).
//!
//! The pipeline, cheapest checks first (RFC 3830 §5.3, §9.2), so that a flood of forged
//! messages costs little and never changes state:
//!
//! 1. size, then shape: the message parses, its data type and payloads are the mode's;
//! 2. header and algorithms (PRF, cipher, MAC, signature type, DH group, SRTP policies);
//! 3. the timestamp window ([`ResponderLimits::max_skew`], exact to the nanosecond; COUNTER
//!    values ordered per identity);
//! 4. the replay cache, and the peer's quotas;
//! 5. authentication: the MAC, or the signature (public-key operations only);
//! 6. the message is recorded (replay cache, COUNTER), then the mode recovers the keys
//!    (decryption, private-key or DH operations);
//! 7. the recovered keys and the bundle they make are checked ([`Weakness`], key count,
//!    SRTP export), the reply is built;
//! 8. the bundle is installed (evicting within the limits) and the reply returned.
//!
//! A rejected message changes nothing but the replay cache and COUNTER table (for
//! authentic ones), and is answered with an Error message when configured (RFC 3830
//! §5.1.2); answers to messages that did not authenticate stay within
//! [`ResponderLimits::error_replies_per_sec`].

mod config;
mod evict;
mod hooks;
mod limits;
mod reply;
mod result;
mod run;
mod snapshot;
mod table;
mod weak;
pub(crate) mod window;

pub use config::ResponderConfig;
pub(crate) use hooks::Sealed;
pub use hooks::{
    Authenticated, Claims, Env, Incoming, Mode, Outcome, Recovered, ReplyAuth, Updates,
};
pub use limits::{Eviction, Limit, ResponderEvent, ResponderLimits, EVENT_QUEUE_LEN};
pub(crate) use reply::{error_message, verification_message};
pub use result::{Accepted, Rejected};
pub use snapshot::{
    BindingBytes, BundleSnapshot, ReplaySnapshot, ResponderSnapshot, RESPONDER_SNAPSHOT_FORMAT,
};
pub(crate) use weak::check_outgoing;
pub use weak::{Leniencies, Leniency, Weakness, MIN_RAND_LEN};

use super::replay::ReplayCache;
use super::SessionError;
use crate::bundle::CryptoSessionBundle;
use crate::crypto::{CryptoProvider, Entropy, OsEntropy};
use crate::srtp::SrtpParams;
use core::time::Duration;
use limits::{ErrorBudget, Events};
use std::sync::Arc;
use table::{BundleTable, Counters};

/// The responder of a key-exchange mode: the state machine that takes I_MESSAGEs and
/// returns what to answer, with one receive pipeline for every mode. The modes are [`PskResponder`](crate::session::PskResponder),
/// [`PkResponder`](crate::session::PkResponder),
/// [`DhSignResponder`](crate::session::DhSignResponder),
/// [`DhHmacResponder`](crate::session::DhHmacResponder),
/// [`RsaRResponder`](crate::session::RsaRResponder) and, with feature `sakke`, the
/// MIKEY-SAKKE receiver `session::sakke::SakkeResponder`; each is constructed from its key
/// material and a [`ResponderConfig`], then optionally given a crypto provider
/// ([`with_provider`](Self::with_provider)) and a source of randomness
/// ([`with_entropy`](Self::with_entropy)).
///
/// The pipeline of [`handle`](Self::handle), cheapest checks first (RFC 3830 §5.3, §9.2),
/// so that a flood of forged messages costs little and never changes state: (1) size, then
/// shape: the message parses, its data type and payloads are the mode's; (2) header and
/// algorithms; (3) the timestamp window ([`ResponderLimits::max_skew`], exact to the
/// nanosecond; COUNTER values ordered per identity); (4) the replay cache and the peer's
/// quotas; (5) authentication: the MAC, or the signature (public-key operations only);
/// (6) the message is recorded, then the mode recovers the keys (decryption, private-key or
/// DH operations); (7) the recovered keys and their bundle are checked ([`Weakness`], key
/// count, SRTP export) and the reply built; (8) the bundle is installed within the limits.
pub struct Responder<M: Mode> {
    pub(crate) mode: M,
    pub(crate) cfg: ResponderConfig,
    pub(crate) provider: Arc<dyn CryptoProvider>,
    entropy: Box<dyn Entropy + Send>,
    pub(crate) replay: ReplayCache,
    pub(crate) bundles: BundleTable<M::Binding>,
    pub(crate) counters: Counters,
    events: Events,
    error_budget: ErrorBudget,
}

impl<M: Mode> core::fmt::Debug for Responder<M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct(M::NAME)
            .field("cfg", &self.cfg)
            .field("provider", &self.provider.name())
            .field("bundles", &self.bundles.len())
            .field("replay", &self.replay.len())
            .field("counters", &self.counters.len())
            .finish()
    }
}

impl<M: Mode> Responder<M> {
    /// A responder of `mode` (the constructors of each mode call this).
    pub(crate) fn with_mode(mode: M, cfg: ResponderConfig) -> Self {
        Self {
            mode,
            replay: ReplayCache::new(cfg.limits.replay_capacity, cfg.limits.replay_per_peer),
            cfg,
            provider: crate::crypto::provider::default_provider_arc(),
            entropy: Box::new(OsEntropy),
            bundles: BundleTable::default(),
            counters: Counters::default(),
            events: Events::default(),
            error_budget: ErrorBudget::default(),
        }
    }

    /// Uses `provider` for the RSA and modular exponentiation work instead of the default
    /// ([`RustCryptoProvider`](crate::crypto::RustCryptoProvider)).
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// Takes randomness (fresh keys, RAND, DH exponents, RSA padding) from `entropy`
    /// instead of the operating system's ([`OsEntropy`]).
    pub fn with_entropy(mut self, entropy: impl Entropy + Send + 'static) -> Self {
        self.entropy = Box::new(entropy);
        self
    }

    /// The settings.
    pub fn config(&self) -> &ResponderConfig {
        &self.cfg
    }

    /// Replaces the SSRCs that fill crypto sessions whose SSRC is 0 in the next messages
    /// (RFC 3830 §6.1: the responder may fill in the SSRCs of its own streams). An entry 0
    /// leaves its crypto session unfilled. SDP applications take them from the answer's
    /// `a=ssrc` lines (RFC 5576), see [`crate::sdp::offer_answer`].
    pub fn set_local_ssrcs(&mut self, ssrcs: Vec<u32>) {
        self.cfg.local_ssrcs = ssrcs;
    }

    /// The bundle with this CSB ID.
    pub fn bundle(&self, csb_id: u32) -> Option<&CryptoSessionBundle> {
        self.bundles.get(csb_id).map(|e| &e.bundle)
    }

    /// The CSB IDs of every bundle held.
    pub fn csb_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.bundles.iter().map(|(&c, _)| c)
    }

    /// Forgets a bundle (e.g. when its session ends).
    pub fn remove_bundle(&mut self, csb_id: u32) -> bool {
        self.bundles.remove(csb_id).is_some()
    }

    /// Retires a key of a bundle by its SPI/MKI (see [`CryptoSessionBundle::remove_key`]).
    pub fn remove_key(&mut self, csb_id: u32, mki: &[u8]) -> bool {
        self.bundles
            .get_mut(csb_id)
            .is_some_and(|e| e.bundle.remove_key(mki))
    }

    /// Marks a bundle as in use at `now` (its media is flowing): idle bundles expire after
    /// [`ResponderLimits::bundle_idle_lifetime`] and are the first evicted.
    pub fn touch(&mut self, csb_id: u32, now: Duration) -> bool {
        self.bundles.touch(csb_id, window::nanos(now))
    }

    /// Removes the bundles idle for longer than their lifetime at `now` and forgets the
    /// replay cache entries that expired ([`handle`](Self::handle) does this as needed).
    pub fn expire(&mut self, now: Duration) {
        let ns = window::nanos(now);
        self.bundles
            .expire(ns, self.cfg.limits.bundle_idle_lifetime, &mut self.events);
        self.replay.expire(ns);
    }

    /// The replay cache (for monitoring its size).
    pub fn replay_cache(&self) -> &ReplayCache {
        &self.replay
    }

    /// The next event (a limit reached, a bundle evicted), oldest first.
    pub fn poll_event(&mut self) -> Option<ResponderEvent> {
        self.events.pop()
    }

    /// SRTP parameters of a bundle.
    pub fn srtp(&self, csb_id: u32) -> Result<Vec<SrtpParams>, SessionError> {
        let e = self
            .bundles
            .get(csb_id)
            .ok_or(SessionError::UnknownCsb(csb_id))?;
        Ok(crate::srtp::export::export_decoded(&e.bundle, &e.policies)?)
    }

    /// Processes an I_MESSAGE received at `now`: on success the bundle is installed and
    /// [`Accepted::response`] holds the answer to send, if any; a rejected message changes
    /// no bundle and may carry an Error message to send ([`Rejected::response`]).
    pub fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<Accepted, Rejected> {
        run::handle(self, bytes, now)
    }
}
