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
//! Time is a [`Duration`] since the Unix epoch ([`system_time`] reads the clock for callers
//! that want it); randomness comes from an [`Entropy`] ([`OsEntropy`] by default).

use core::time::Duration;

mod common;
pub mod dh;
pub mod dh_hmac;
pub mod dh_sign;
pub mod error;
pub mod group;
pub mod pk;
pub mod psk;
pub mod replay;
pub mod rsa_r;
pub mod trust;

/// The crypto session bundle (moved below `session`, so the SRTP export does not depend on
/// the key exchanges; kept here under its old path).
pub use crate::bundle;
pub use crate::bundle::{BundleChange, CryptoSessionBundle, PolicySet, TransportKey};
pub use crate::crypto::{Entropy, OsEntropy};
pub use dh::{DhConfig, DhResponderConfig, Established};
pub use dh_hmac::{DhHmacInitiator, DhHmacResponder};
pub use dh_sign::{DhSignInitiator, DhSignResponder};
pub use error::SessionError;
pub use group::{
    Credential, GroupConfig, GroupController, GroupError, GroupEvent, GroupSnapshot, MemberId,
    MemberStatus, RekeyPolicy, Reply,
};
pub use pk::{cert_hash, open_pk_message, PkConfig, PkInitiator, PkOpened, PkResponder};
pub use psk::{
    open_psk_message, Accepted, Opened, PskConfig, PskInitiator, PskResponder, PskStore, Rejected,
    ResponderConfig, Verified,
};
pub use replay::ReplayCache;
pub use rsa_r::{
    RsaRAccepted, RsaRConfig, RsaRGroup, RsaRInitiator, RsaRResponder, RsaRResponderConfig,
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

/// How a responder judges timestamps (RFC 3830 §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampPolicy {
    /// Largest allowed difference between an NTP timestamp and the local clock.
    pub max_skew: Duration,
    /// Accept NTP timestamps that are not the current time (the Genetec client of the ONVIF
    /// examples sends such values). Off by default; replay protection then relies on the
    /// replay cache alone, for `max_skew` after reception.
    pub accept_any_time: bool,
    /// Accept initial messages without RAND (the same Genetec client omits it). Off by
    /// default; only usable with TEKs, as TGK derivation needs RAND.
    pub allow_missing_rand: bool,
}

impl Default for TimestampPolicy {
    fn default() -> Self {
        Self {
            max_skew: Duration::from_secs(300),
            accept_any_time: false,
            allow_missing_rand: false,
        }
    }
}

/// The hash map of the responders' tables (bundles by CSB ID, the replay cache): foldhash,
/// seeded at random per map, is several times cheaper than SipHash for these small keys.
/// Its weaker flooding resistance is acceptable here: only authenticated messages insert
/// entries, and every table is bounded by configuration.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
