//! Sans-IO key exchanges: initiators and responders that take bytes, the current time and
//! randomness from the caller and return bytes to send and what happened.
//!
//! * [`psk`]: the pre-shared key method (RFC 3830 §3.1), with verification and error
//!   messages, replay protection and CSB updates (§4.5).
//! * [`dh_sign`]: Diffie-Hellman with signatures (RFC 3830 §3.3), and [`dh_hmac`]:
//!   HMAC-authenticated Diffie-Hellman (RFC 4650), sharing [`dh`]'s settings and exchange.
//! * [`group`]: one source keying many receivers (RFC 3830 §2.1, §8.1) over PSK exchanges,
//!   with joins, leaves, rekeying, acknowledgements and snapshots.
//! * [`pk`]: the public-key envelope method (RFC 3830 §3.2), with envelope key caching
//!   (PSK updates, §4.5) and cheap-first checks (no private-key work for forged messages).
//! * [`rsa_r`]: the reverse RSA mode, MIKEY-RSA-R (RFC 4738): the responder supplies the
//!   keys, encrypted to the initiator's public key; unicast and group mode (CSB_ID).
//! * [`trust`]: who is trusted in the public-key modes ([`PinnedKeys`], [`ChainVerifier`]).
//!
//! Every responder is a [`Responder`] of its mode: one receive pipeline (cheapest checks
//! first, authentication before any private-key or DH operation), one set of limits
//! ([`ResponderLimits`]), the same results ([`Accepted`], [`Rejected`]) and events
//! ([`ResponderEvent`]).
//!
//! Time is a [`Duration`] since the Unix epoch ([`system_time`] reads the clock for callers
//! that want it); randomness comes from an [`Entropy`] ([`OsEntropy`] by default).

use core::time::Duration;

mod common;
pub mod dh;
pub mod dh_hmac;
pub mod dh_sign;
mod engine;
pub mod error;
pub mod group;
pub mod pk;
pub mod psk;
pub mod replay;
pub mod rsa_r;
#[cfg(feature = "sakke")]
pub mod sakke;
pub mod trust;

/// The crypto session bundle (moved below `session`, so the SRTP export does not depend on
/// the key exchanges; kept here under its old path).
pub use crate::bundle;
pub use crate::bundle::{BundleChange, CryptoSessionBundle, PolicySet, TransportKey};
pub use crate::crypto::{Entropy, OsEntropy};
pub use dh::{DhConfig, Established};
pub use dh_hmac::{DhHmac, DhHmacInitiator, DhHmacResponder};
pub use dh_sign::{DhSign, DhSignInitiator, DhSignResponder};
pub use engine::{
    Accepted, BindingBytes, BundleSnapshot, Eviction, Leniencies, Leniency, Limit, Mode, Rejected,
    ReplaySnapshot, Responder, ResponderConfig, ResponderEvent, ResponderLimits, ResponderSnapshot,
    Weakness, EVENT_QUEUE_LEN, MIN_RAND_LEN, RESPONDER_SNAPSHOT_FORMAT,
};
pub use error::SessionError;
pub use group::{
    Credential, GroupConfig, GroupController, GroupError, GroupEvent, GroupSnapshot, MemberId,
    MemberStatus, RekeyPolicy, Reply,
};
pub use pk::{cert_hash, open_pk_message, PkConfig, PkInitiator, PkOpened, PkResponder, PublicKey};
pub use psk::{
    open_psk_message, verify_psk_response, Opened, Psk, PskConfig, PskInitiator, PskResponder,
    PskStore, Verified,
};
pub use replay::ReplayCache;
pub use rsa_r::{
    RsaR, RsaRAccepted, RsaRConfig, RsaRGroup, RsaRInitiator, RsaRResponder, RsaRSettings,
};
pub use trust::{
    normalize_identity, spki_of_cert, ChainVerifier, PeerClaim, PeerVerifier, PinnedKeys,
};

/// The system clock as a duration since the Unix epoch (the one place this crate reads a
/// clock, for callers that want the default).
pub fn system_time() -> Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

/// Timestamps and RAND that shipping devices send outside RFC 3830 §5.4 and §6.11, which
/// a responder may accept (each use is reported as a [`Leniency`]). The clock skew itself
/// is [`ResponderLimits::max_skew`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimestampPolicy {
    /// Accept NTP timestamps that are not the current time (the Genetec client of the ONVIF
    /// examples sends such values). Off by default. Replay protection then orders each
    /// peer's timestamps like COUNTER values (RFC 3830 §5.4): a value is accepted once it
    /// exceeds the last one accepted from the same identity.
    pub accept_any_time: bool,
    /// Accept initial messages without RAND (the same Genetec client omits it). Off by
    /// default; only usable with TEKs, as TGK derivation needs RAND.
    pub allow_missing_rand: bool,
}

/// The hash map of the responders' tables (bundles by CSB ID, the replay cache): foldhash,
/// seeded at random per map, is several times cheaper than SipHash for these small keys.
/// Its weaker flooding resistance is acceptable here: only authenticated messages insert
/// entries, and every table is bounded by configuration.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// How many entries each peer holds in one of the responder's tables (its share of the
/// replay cache, its bundles), by the peer's name; a peer whose count falls to zero is
/// forgotten.
#[derive(Default)]
pub(crate) struct PeerCounts(FastMap<std::sync::Arc<[u8]>, usize>);

impl PeerCounts {
    /// The count of `peer` (0 when it holds nothing).
    #[inline]
    pub fn get(&self, peer: &[u8]) -> usize {
        self.0.get(peer).copied().unwrap_or(0)
    }

    /// `name` as these counts hold it: their `Arc`, else a new one, so that a table
    /// allocates each peer's name once however many entries the peer has.
    #[inline]
    pub fn name(&self, name: &[u8]) -> std::sync::Arc<[u8]> {
        match self.0.get_key_value(name) {
            Some((k, _)) => k.clone(),
            None => std::sync::Arc::from(name),
        }
    }

    /// Counts one more entry for `peer`.
    #[inline]
    pub fn add(&mut self, peer: std::sync::Arc<[u8]>) {
        *self.0.entry(peer).or_insert(0) += 1;
    }

    /// Counts one entry of `peer` off.
    #[inline]
    pub fn remove(&mut self, peer: &[u8]) {
        if let Some(n) = self.0.get_mut(peer) {
            *n -= 1;
            if *n == 0 {
                self.0.remove(peer);
            }
        }
    }

    /// Peers counted.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}
