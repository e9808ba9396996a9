//! Group keying for the simple one-to-many scenario (RFC 3830 §2.1 b, §8.1): one source
//! (the Initiator) streams to many receivers, and sends every member the same TGK over its
//! own unicast exchange, with the same CSB ID, the same RAND (§6.11: "the Initiator MUST
//! use the same RAND for all the members") and the same crypto sessions, so every member
//! derives the same TEKs and SRTP keys as the source.
//!
//! [`GroupController`] is sans-IO: it takes the current time and randomness from the caller
//! and returns the messages to send to each member; replies are fed back with
//! [`GroupController::handle_reply`] or [`GroupController::handle_reply_any`], and what
//! happened comes out of [`GroupController::poll`] as [`GroupEvent`]s.
//!
//! * Each group key is a TGK with an SPI/MKI key validity (RFC 3830 §6.13): 4 bytes, big
//!   endian, incremented for every new key. The first message to a member is an initial
//!   exchange (with the group RAND); later ones are CSB updates (§4.5: same CSB ID, new
//!   timestamp, no RAND).
//! * Membership changes move the group to a fresh TGK, sent only to the members at that
//!   time: a member who left cannot open it (forward secrecy), a newcomer never gets the
//!   keys that protected earlier traffic (backward secrecy). [`RekeyPolicy`] chooses
//!   between rekeying at once (the default) and batching changes.
//! * The previous key is kept so receivers can hold both while the source switches MKI
//!   ([`GroupController::srtp`]); [`GroupEvent::AllAcknowledged`] says when every member has
//!   verified the new key (RFC 3830 §5.2 verification messages, when V is requested).
//! * [`GroupController::snapshot`] / [`GroupController::restore`] let a controller restart
//!   without rekeying everyone, and [`GroupSnapshot::split`] spreads the members over
//!   several processes that all key their members for the same group key.
//!
//! RFC 3830 §8.1 warns that verification messages from every receiver load the source;
//! the controller's work is linear in the number of members (one exchange each).
//!
//! ```
//! use mikey::crypto::SecretBytes;
//! use mikey::session::group::{Credential, GroupConfig, GroupController, GroupEvent};
//! use mikey::session::{OsEntropy, PskResponder, ResponderConfig};
//! use mikey::wire::{SrtpCs, SrtpPolicy};
//! use core::time::Duration;
//!
//! let now = Duration::from_secs(1_800_000_000);
//! let cfg = GroupConfig {
//!     id_i: Some(mikey::wire::Id::nai("source@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x5eed, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
//!     ..GroupConfig::default()
//! };
//! let mut group = GroupController::new(cfg, &mut OsEntropy).unwrap();
//! let mut receivers = Vec::new();
//! for (name, psk) in [("alice@example.com", [1u8; 16]), ("bob@example.com", [2u8; 16])] {
//!     group.join(name, Credential::Psk(SecretBytes::from_slice(&psk)), now).unwrap();
//!     receivers.push(PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default()));
//! }
//! let messages = group.key_all(now, &mut OsEntropy).unwrap();
//! for ((member, msg), receiver) in messages.iter().zip(&mut receivers) {
//!     let accepted = receiver.handle(msg, now).unwrap();
//!     group.handle_reply(member, accepted.response.as_deref().unwrap(), now).unwrap();
//!     // The receiver derives the source's SRTP keys.
//!     assert_eq!(receiver.srtp(group.csb_id()).unwrap(), group.srtp().unwrap());
//! }
//! let mki = group.current_mki().unwrap();
//! assert!(group.poll(now).contains(&GroupEvent::AllAcknowledged { mki }));
//! assert_eq!(group.acknowledged(mki), (2, 2));
//! ```

use super::common::export;
use super::common::{check_response, ResponseCheck};
use super::common::{cipher_of, mac_of, prf_of};
use super::pk::{PkConfig, PkInitiator};
use super::psk::{build_i_message, IMessage, Plain};
use super::{Entropy, SessionError};
use crate::bundle::encode_keys;
use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::crypto::{
    CryptoProvider, KemacCipher, MacKey, MacKind, MessageKeys, PrfKey, RsaPrivate, RsaPublic,
    SecretBytes,
};
use crate::srtp::export::SrtpParams;
use crate::wire::{
    CacheType, CsIdMap, DataType, EncrAlg, Id, IdType, MacAlg, MessageView, Payload, PrfFunc,
    ProtType, SecurityPolicy, SrtpCs, SrtpIdMap, Timestamp, TsType,
};
use core::fmt;
use core::time::Duration;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use zeroize::Zeroize;

/// A member's identity: its ID data, sent as IDr in the messages to it (RFC 3830 §6.7) and
/// looked for in its replies ([`GroupController::handle_reply_any`]).
///
/// Shared text: the events and replies that name a member share its ID (a clone is a
/// reference count, not a copy).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberId(Arc<str>);

impl MemberId {
    /// A member ID.
    pub fn new(id: impl Into<String>) -> Self {
        Self(Arc::from(id.into()))
    }

    /// The ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for MemberId {
    fn from(s: &str) -> Self {
        Self(Arc::from(s))
    }
}

impl From<String> for MemberId {
    fn from(s: String) -> Self {
        Self(Arc::from(s))
    }
}

impl Serialize for MemberId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MemberId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(MemberId::from)
    }
}

impl From<&MemberId> for MemberId {
    fn from(s: &MemberId) -> Self {
        s.clone()
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// How the source authenticates to a member and protects the TGK for it (RFC 3830 §3;
/// §8.1: "each message protected for that member", by a pre-shared key or a public key).
///
/// `Debug` never shows pre-shared key bytes; in a [`GroupSnapshot`] keys are hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Credential {
    /// A pre-shared key (RFC 3830 §3.1).
    Psk(#[serde(with = "secret_hex")] SecretBytes),
    /// The member's RSA public key (RFC 3830 §3.2, the public-key envelope): a DER
    /// `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7), e.g. from the member's certificate
    /// ([`spki_of_cert`](super::trust::spki_of_cert)) or from [`PinnedKeys`](super::PinnedKeys).
    /// Every message to the member is a public-key message with a fresh envelope key
    /// encrypted to this key and signed with the controller's key
    /// ([`GroupController::with_signing_key`]). Not secret: in a snapshot only this key is
    /// kept for the member.
    PublicKey {
        /// The member's public key, DER SPKI (hex in a snapshot).
        #[serde(with = "bytes_hex")]
        spki_der: Vec<u8>,
    },
}

/// When membership changes lead to a new group key.
///
/// A new TGK after a leave gives forward secrecy (the member who left cannot read what
/// follows), after a join backward secrecy (the newcomer cannot read what came before).
/// Rekeying costs one exchange per member, so large, busy groups may batch changes:
///
/// * [`RekeyPolicy::Immediate`] (default, the secure choice): every change makes
///   [`GroupController::rekey_due`] true, and the next [`GroupController::key_all`] moves to a
///   new key.
/// * [`RekeyPolicy::Batch`]: a rekey is due once `changes` changes are pending or the oldest
///   pending change is `max_delay` old. Until then members who left can still decrypt (their
///   old key stays in use: forward secrecy is delayed by up to `max_delay`), and members who
///   joined get no key at all (they wait; backward secrecy is kept).
///
/// ```
/// use mikey::session::group::{GroupConfig, RekeyPolicy};
/// use core::time::Duration;
///
/// // Rekey once 50 members joined or left, or a minute after the first of them.
/// let cfg = GroupConfig {
///     rekey: RekeyPolicy::Batch { changes: 50, max_delay: Duration::from_secs(60) },
///     ..GroupConfig::default()
/// };
/// assert_ne!(cfg.rekey, RekeyPolicy::default());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RekeyPolicy {
    /// Rekey on every join and leave.
    #[default]
    Immediate,
    /// Rekey after `changes` joins and leaves, or `max_delay` after the first pending one.
    Batch {
        /// Number of pending changes that makes a rekey due (0 counts as 1).
        changes: u32,
        /// Longest time a change waits for its rekey.
        max_delay: Duration,
    },
}

/// Group settings: the CSB every member receives (RFC 3830 §8.1: same CSB ID, CS IDs and
/// policies for all) and the controller's own behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupConfig {
    /// CSB ID; random when `None`.
    pub csb_id: Option<u32>,
    /// PRF (RFC 3830 §6.1).
    pub prf: PrfFunc,
    /// KEMAC encryption (NULL is refused: members have no secure transport of their own).
    pub encr: EncrAlg,
    /// KEMAC MAC (NULL is refused).
    pub mac: MacAlg,
    /// Ask every member for a verification message (RFC 3830 §5.2; see §8.1 on the load).
    /// Without it no acknowledgement, timeout or [`GroupEvent::AllAcknowledged`] exists.
    pub v: bool,
    /// The source's identity, sent as IDi.
    pub id_i: Option<Id<'static>>,
    /// ID type of the members' IDr payloads (NAI by default).
    pub member_id_type: IdType,
    /// The source's crypto sessions (SRTP-ID map, RFC 3830 §6.1.1). SSRCs must be set: all
    /// members must receive the same map.
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads, RFC 3830 §6.10), common to the group (§8.1).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// RAND length (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// TGK length in bytes (at least 16).
    pub tgk_len: u8,
    /// How long a member has to answer before [`GroupEvent::MemberTimedOut`].
    pub reply_timeout: Duration,
    /// When membership changes lead to a new key.
    pub rekey: RekeyPolicy,
    /// Also rekey when the current key is this old (periodic refresh).
    pub key_lifetime: Option<Duration>,
}

impl Default for GroupConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            v: true,
            id_i: None,
            member_id_type: IdType::Nai,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            rand_len: 16,
            tgk_len: 16,
            reply_timeout: Duration::from_secs(10),
            rekey: RekeyPolicy::Immediate,
            key_lifetime: None,
        }
    }
}

/// Something that happened in the group, delivered by [`GroupController::poll`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupEvent {
    /// A member's verification message checked (RFC 3830 §5.2): it holds key `mki`.
    MemberAcknowledged {
        /// The member.
        member: MemberId,
        /// The key it verified.
        mki: u32,
    },
    /// Every member (eligible for it) verified key `mki`: the source can switch to it.
    AllAcknowledged {
        /// The key.
        mki: u32,
    },
    /// A member answered with an Error message (RFC 3830 §5.1.2, §6.12), or its message
    /// could not be built. It does not hold key `mki`; [`GroupController::key_outstanding`]
    /// sends it again.
    MemberFailed {
        /// The member.
        member: MemberId,
        /// The key it was sent.
        mki: u32,
        /// [`SessionError::PeerError`] with the codes it sent, or the local error.
        error: SessionError,
        /// Whether the Error message carried a verifying V payload. An unauthenticated Error
        /// may be forged: the exchange stays open (a genuine verification still counts), and
        /// only the first one is reported.
        authenticated: bool,
    },
    /// A member did not verify key `mki` within the reply timeout. A late verification is
    /// still accepted.
    MemberTimedOut {
        /// The member.
        member: MemberId,
        /// The key it was sent.
        mki: u32,
    },
}

/// Which member a reply was for and what it said (the matching [`GroupEvent`] is also
/// queued for [`GroupController::poll`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The member.
    pub member: MemberId,
    /// The key of the exchange the reply answered.
    pub mki: u32,
    /// True for a verification message, false for an Error message.
    pub verified: bool,
}

/// What the controller knows about one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberStatus {
    /// The member accepted a message for the group CSB (later messages are updates).
    pub holds_csb: bool,
    /// Keys (MKIs) the member verified, the last two at most.
    pub held: Vec<u32>,
    /// The key of the exchange awaiting its reply, if any.
    pub awaiting: Option<u32>,
    /// That exchange timed out.
    pub timed_out: bool,
    /// Joined since the current key: gets the next one (backward secrecy).
    pub waiting_for_rekey: bool,
}

/// Group controller errors.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupError {
    /// The configuration cannot be used.
    InvalidConfig(String),
    /// A member with this ID is already in the group.
    DuplicateMember(MemberId),
    /// No member has this ID.
    UnknownMember(MemberId),
    /// The member's credential cannot be used.
    InvalidCredential(String),
    /// No group key yet (a part of a split group cannot create one).
    NoKey,
    /// 2^32 - 1 keys were used: the MKI cannot grow (start a new CSB).
    MkiExhausted,
    /// Membership and rekeying belong to the whole group, not to a part of a split snapshot.
    PartialGroup,
    /// The reply's member could not be found (no IDr, and no member's exchange verifies it).
    Unattributed,
    /// The member has no exchange awaiting a reply (a replayed or unexpected reply).
    NotAwaiting(MemberId),
    /// The reply does not verify for that member (forged, cross-member, replayed, stale):
    /// nothing changed.
    Rejected(SessionError),
    /// A snapshot that cannot be restored or merged.
    InvalidSnapshot(String),
}

impl fmt::Display for GroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidConfig(s) => write!(f, "invalid group configuration: {s}"),
            Self::DuplicateMember(m) => write!(f, "member {m} is already in the group"),
            Self::UnknownMember(m) => write!(f, "no member {m}"),
            Self::InvalidCredential(s) => write!(f, "invalid credential: {s}"),
            Self::NoKey => write!(f, "no group key yet"),
            Self::MkiExhausted => write!(f, "MKI space exhausted"),
            Self::PartialGroup => write!(f, "not allowed on a part of a split group"),
            Self::Unattributed => write!(f, "reply from no known member"),
            Self::NotAwaiting(m) => write!(f, "member {m} has no exchange awaiting a reply"),
            Self::Rejected(e) => write!(f, "reply rejected: {e}"),
            Self::InvalidSnapshot(s) => write!(f, "invalid group snapshot: {s}"),
        }
    }
}

impl std::error::Error for GroupError {}

mod controller;
mod fanout;
mod keys;
mod replies;
mod restore;
pub(crate) mod snapshot;
mod state;
#[cfg(test)]
mod tests;

use snapshot::{bytes_hex, hex, policy_from, secret_hex, unhex, SNAPSHOT_FORMAT};
pub use snapshot::{
    ConfigSnapshot, CsSnapshot, ExchangeSnapshot, GroupSnapshot, IdSnapshot, KeySnapshot,
    MemberSnapshot, PolicySnapshot,
};
pub use state::GroupController;
use state::*;
