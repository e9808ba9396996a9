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
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x5eed, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
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
use crate::crypto::{CryptoProvider, KemacCipher, MessageKeys, RsaPrivate, RsaPublic, SecretBytes};
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

// ---------------------------------------------------------------------------------------
// Per-member messages and replies

/// The controller's signing key for public-key members (RFC 3830 §3.2 SIGNi), shared by
/// every member's initiator.
#[derive(Clone)]
struct Signer {
    provider: Arc<dyn CryptoProvider>,
    key: Arc<dyn RsaPrivate>,
    certs: Vec<Vec<u8>>,
}

/// The group-wide parts of every exchange.
struct Ctx<'a> {
    cfg: &'a GroupConfig,
    csb_id: u32,
    rand: &'a [u8],
    signer: Option<&'a Signer>,
}

impl Ctx<'_> {
    /// The CSB as the member holds it before a message (no keys).
    fn bundle(&self, keys: Vec<TransportKey>) -> CryptoSessionBundle {
        CryptoSessionBundle {
            csb_id: self.csb_id,
            prf: self.cfg.prf,
            rand: self.rand.to_vec(),
            cs_map: CsIdMap::SrtpId(SrtpIdMap::from_entries(&self.cfg.crypto_sessions)),
            policies: self.cfg.policies.clone(),
            keys,
            gstreamer_auth_key_len: false,
        }
    }

    /// A public-key message (RFC 3830 §3.2) carrying `keys` to `member`: an initial one
    /// (with the group RAND) when the member does not hold the CSB, else an update (§4.5).
    /// `public` is the parsed key of its [`Credential::PublicKey`]. Returns the message and
    /// what checks its reply; the initiator that built it is dropped.
    fn pk_message(
        &self,
        public: Option<&Arc<dyn RsaPublic>>,
        member: &MemberId,
        holds_csb: bool,
        keys: Vec<TransportKey>,
        now: Duration,
        rng: &mut dyn Entropy,
    ) -> Result<(Vec<u8>, Option<PendingReply>), SessionError> {
        let signer = self.signer.ok_or_else(|| {
            SessionError::WrongState(
                "public-key member without a signing key (GroupController::with_signing_key)",
            )
        })?;
        let public = public.ok_or_else(|| SessionError::WrongState("member key not parsed"))?;
        let cfg = PkConfig {
            csb_id: Some(self.csb_id),
            prf: self.cfg.prf,
            encr: self.cfg.encr,
            mac: self.cfg.mac,
            v: self.cfg.v,
            id_i: self.cfg.id_i.clone(),
            certs: signer.certs.clone(),
            id_r: Some(Id {
                id_type: self.cfg.member_id_type,
                data: Cow::Owned(member.as_str().as_bytes().to_vec()),
            }),
            crypto_sessions: self.cfg.crypto_sessions.clone(),
            policies: self.cfg.policies.clone(),
            ts_type: TsType::NtpUtc,
            rand_len: self.cfg.rand_len,
            rand: Some(self.rand.to_vec()),
            // Every message carries a fresh envelope key (RFC 3830 §4.5): see
            // GroupController::with_signing_key for why nothing is cached.
            cache: CacheType::NoCache,
            ..PkConfig::default()
        };
        // `Arc`s of keys are keys (crypto::provider's blanket impls): shared, not copied.
        let key = Box::new(signer.key.clone());
        let public = Box::new(public.clone());
        let mut ini = if holds_csb {
            PkInitiator::resume(key, public, cfg, self.bundle(Vec::new()), None)
        } else {
            PkInitiator::new(key, public, cfg)
        };
        let mut fill = |b: &mut [u8]| rng.fill(b);
        let bytes = ini.initiate(keys, now, &mut fill)?;
        let reply = ini
            .pending_reply()
            .map(|(t, auth)| PendingReply { t, auth });
        Ok((bytes, reply))
    }
}

/// The auth key of a PSK member's messages (RFC 3830 §4.1.4: from the PSK, the CSB ID and
/// the group RAND, the same for every message of the CSB), which checks its replies' V
/// payload (§5.2). An unusable PRF or MAC (refused by [`validate`]) gives an empty key, so
/// no reply verifies.
fn psk_auth_key(cfg: &GroupConfig, csb_id: u32, rand: &[u8], psk: &SecretBytes) -> SecretBytes {
    match (prf_of(cfg.prf), mac_of(cfg.mac, true)) {
        (Ok(prf), Ok(mac)) => {
            MessageKeys::derive(prf, psk.as_bytes(), csb_id, rand, KemacCipher::Null, mac).auth
        }
        _ => SecretBytes::from_slice(&[]),
    }
}

// ---------------------------------------------------------------------------------------
// State

struct GroupKey {
    mki: u32,
    tgk: SecretBytes,
    created_at: Duration,
}

impl GroupKey {
    fn transport(&self) -> TransportKey {
        TransportKey::tgk(self.tgk.as_bytes()).with_mki(&self.mki.to_be_bytes())
    }
}

/// What a member's verification or Error message is checked against (RFC 3830 §5.2): the
/// timestamp of the message it answers and the auth key of that message. Everything else
/// the check needs (CSB ID, IDi, IDr = the member's ID, crypto sessions, MAC algorithm) is
/// the group's.
struct PendingReply {
    t: Timestamp,
    /// Zeroized on drop.
    auth: SecretBytes,
}

struct Exchange {
    mki: u32,
    initial: bool,
    sent_at: Duration,
    expects_verification: bool,
    timed_out: bool,
    unauth_error_reported: bool,
    /// `None` for an exchange restored without its timestamp: no reply verifies.
    reply: Option<PendingReply>,
}

struct Member {
    credential: Credential,
    /// The parsed key of a [`Credential::PublicKey`].
    public: Option<Arc<dyn RsaPublic>>,
    holds_csb: bool,
    held: Vec<u32>,
    min_mki: u32,
    exchange: Option<Exchange>,
}

impl Member {
    fn is_pk(&self) -> bool {
        matches!(self.credential, Credential::PublicKey { .. })
    }
}

/// Checks `member`'s reply (RFC 3830 §5.2: V over the message, IDi, IDr and T; an Error
/// message is `PeerError`) against its exchange in flight; changes nothing.
fn check_reply(
    cfg: &GroupConfig,
    csb_id: u32,
    cs_map: &CsIdMap<'static>,
    member: &MemberId,
    m: &Member,
    view: &MessageView<'_>,
) -> Result<(), SessionError> {
    let Some(p) = m.exchange.as_ref().and_then(|e| e.reply.as_ref()) else {
        return Err(SessionError::WrongState("no message awaiting a response"));
    };
    check_response(
        view,
        &ResponseCheck {
            csb_id,
            t: p.t,
            ver_type: if m.is_pk() {
                DataType::PkResp
            } else {
                DataType::PskResp
            },
            auth_key: p.auth.as_bytes(),
            mac: cfg.mac,
            id_i: cfg.id_i.as_ref().map_or(&[], |i| &i.data),
            id_r: member.as_str().as_bytes(),
            cs_map,
        },
    )
    // Group SSRCs are all set (validate): a member fills in none.
    .map(|_| ())
}

/// Records that a member holds `mki` (keeping the two most recent); true when new.
fn hold(held: &mut Vec<u32>, mki: u32) -> bool {
    if held.contains(&mki) {
        return false;
    }
    held.push(mki);
    held.sort_unstable();
    while held.len() > 2 {
        held.remove(0);
    }
    true
}

/// The source side of group keying (RFC 3830 §8.1): one CSB, one RAND, one crypto session
/// map and policy set, a current and a previous TGK, and one exchange per member.
///
/// `Debug` shows the CSB ID, the MKIs and the member count, never keys.
pub struct GroupController {
    cfg: GroupConfig,
    csb_id: u32,
    rand: Vec<u8>,
    current: Option<GroupKey>,
    previous: Option<GroupKey>,
    last_mki: u32,
    last_t: Duration,
    pending_changes: u32,
    first_change_at: Option<Duration>,
    all_acked_reported: Option<u32>,
    partial: bool,
    /// Member ID -> slot in `slots` (ID order for iteration; used at the API edge only).
    members: BTreeMap<MemberId, u32>,
    /// The members' state, by slot; `None` for a free slot (listed in `free`).
    slots: Vec<Option<Member>>,
    free: Vec<u32>,
    /// The group's crypto session map (RFC 3830 §6.1.1), as every message carries it.
    cs_map: CsIdMap<'static>,
    /// Members holding the current key, and members eligible for it.
    acked_current: usize,
    eligible_current: usize,
    events: Vec<GroupEvent>,
    /// The source's signing key for public-key members (not in snapshots).
    signer: Option<Signer>,
}

impl fmt::Debug for GroupController {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupController")
            .field("csb_id", &format_args!("{:#010x}", self.csb_id))
            .field("current_mki", &self.current.as_ref().map(|k| k.mki))
            .field("previous_mki", &self.previous.as_ref().map(|k| k.mki))
            .field("members", &self.members.len())
            .field("pending_changes", &self.pending_changes)
            .field("partial", &self.partial)
            .field("signing_key", &self.signer.as_ref().map(|s| &s.key))
            .finish()
    }
}

/// Checks a credential; parses a member's public key (RFC 3830 §3.2) with the signer's
/// provider.
fn check_credential(
    credential: &Credential,
    signer: Option<&Signer>,
) -> Result<Option<Arc<dyn RsaPublic>>, GroupError> {
    let bad = |s: String| GroupError::InvalidCredential(s);
    match credential {
        Credential::Psk(p) if p.len() < 16 => {
            Err(bad("pre-shared key shorter than 16 bytes".into()))
        }
        Credential::Psk(_) => Ok(None),
        Credential::PublicKey { spki_der } => {
            let signer = signer.ok_or_else(|| {
                bad(
                    "public-key member without a signing key (GroupController::with_signing_key)"
                        .into(),
                )
            })?;
            let key = signer
                .provider
                .rsa_public_from_der(spki_der)
                .map_err(|e| bad(format!("member public key: {e}")))?;
            // Room for a 16-byte envelope key in PKCS#1 v1.5 (RFC 8017 §7.2.1).
            if key.modulus_len() < super::pk::MIN_ENVELOPE_KEY_LEN + 11 {
                return Err(bad("member public key too small".into()));
            }
            Ok(Some(Arc::from(key)))
        }
    }
}

fn invalid(s: impl Into<String>) -> GroupError {
    GroupError::InvalidConfig(s.into())
}

fn validate(cfg: &GroupConfig) -> Result<(), GroupError> {
    if cfg.crypto_sessions.is_empty() || cfg.crypto_sessions.len() > 255 {
        return Err(invalid("between 1 and 255 crypto sessions are needed"));
    }
    if cfg.crypto_sessions.iter().any(|c| c.ssrc == 0) {
        return Err(invalid(
            "SSRC 0: the source's SSRCs must be set so every member gets the same map",
        ));
    }
    if cfg.rand_len < 16 {
        return Err(invalid("RAND shorter than 16 bytes (RFC 3830 §6.11)"));
    }
    if cfg.tgk_len < 16 {
        return Err(invalid("TGK shorter than 16 bytes"));
    }
    prf_of(cfg.prf).map_err(|e| invalid(e.to_string()))?;
    cipher_of(cfg.encr, false).map_err(|e| invalid(e.to_string()))?;
    mac_of(cfg.mac, false).map_err(|e| invalid(e.to_string()))?;
    if let Some(sp) = cfg.policies.iter().find(|p| p.prot_type != ProtType::Srtp) {
        return Err(invalid(format!(
            "security protocol {} (only SRTP)",
            sp.prot_type.to_wire()
        )));
    }
    let ctx = Ctx {
        cfg,
        csb_id: 0,
        rand: &[0; 16],
        signer: None,
    };
    let probe = ctx.bundle(vec![TransportKey::tgk(&vec![0; cfg.tgk_len as usize])]);
    export(&probe).map_err(|e| invalid(e.to_string()))?;
    Ok(())
}

impl GroupController {
    /// A group with a fresh RAND (and CSB ID unless configured), no member and no key yet:
    /// the first [`key_all`](Self::key_all) creates key MKI 1.
    pub fn new(cfg: GroupConfig, rng: &mut impl Entropy) -> Result<Self, GroupError> {
        validate(&cfg)?;
        let csb_id = match cfg.csb_id {
            Some(c) => c,
            None => {
                let mut b = [0u8; 4];
                rng.fill(&mut b);
                u32::from_be_bytes(b)
            }
        };
        let mut rand = vec![0u8; cfg.rand_len as usize];
        rng.fill(&mut rand);
        let cs_map = CsIdMap::SrtpId(SrtpIdMap::from_entries(&cfg.crypto_sessions));
        Ok(Self {
            cfg,
            csb_id,
            rand,
            current: None,
            previous: None,
            last_mki: 0,
            last_t: Duration::ZERO,
            pending_changes: 0,
            first_change_at: None,
            all_acked_reported: None,
            partial: false,
            members: BTreeMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            cs_map,
            acked_current: 0,
            eligible_current: 0,
            events: Vec::new(),
            signer: None,
        })
    }

    /// Sets the source's RSA signing key for members with a [`Credential::PublicKey`]
    /// (RFC 3830 §3.2): every message to them is signed with `key` (SIGNi, RSA PKCS#1 v1.5
    /// with SHA-256, §5.2, §6.5) and carries `certs` (DER X.509, leaf first, one CERT payload
    /// each, §6.7; may be empty when members pin the key for [`GroupConfig::id_i`]).
    /// `provider` parses the members' public keys. Needed before the first public-key member
    /// joins; the key is not part of [`snapshot`](Self::snapshot): pass it again with
    /// [`restore_with_signing_key`](Self::restore_with_signing_key).
    ///
    /// **Updates to public-key members** are public-key messages with a fresh envelope key
    /// each time (RFC 3830 §4.5: same CSB ID, new timestamp, no RAND, a new envelope key),
    /// sent with the cache indicator "No cache" (RFC 3830 Table 6.3), rather than PSK updates
    /// keyed with a cached envelope key (§3.2). Why: the controller then holds no long-term
    /// per-member secret (a snapshot keeps only the member's public key, plus the reply key
    /// of an exchange in flight), a member that restarts and loses its cache still opens the
    /// next update with its private key alone, and every update is signed by the source.
    /// The cost is one RSA signature per public-key member and message on the source (and
    /// one RSA decryption on the member), still linear in the members.
    pub fn with_signing_key(
        mut self,
        provider: Arc<dyn CryptoProvider>,
        key: Arc<dyn RsaPrivate>,
        certs: Vec<Vec<u8>>,
    ) -> Self {
        self.signer = Some(Signer {
            provider,
            key,
            certs,
        });
        self
    }

    /// Whether a signing key for public-key members is set.
    pub fn has_signing_key(&self) -> bool {
        self.signer.is_some()
    }

    /// The group's CSB ID (the same for every member, RFC 3830 §8.1).
    pub fn csb_id(&self) -> u32 {
        self.csb_id
    }

    /// The group's RAND (the same for every member, RFC 3830 §6.11).
    pub fn rand(&self) -> &[u8] {
        &self.rand
    }

    /// The settings.
    pub fn config(&self) -> &GroupConfig {
        &self.cfg
    }

    /// MKI of the current group key.
    pub fn current_mki(&self) -> Option<u32> {
        self.current.as_ref().map(|k| k.mki)
    }

    /// MKI of the previous group key (kept for the switch-over).
    pub fn previous_mki(&self) -> Option<u32> {
        self.previous.as_ref().map(|k| k.mki)
    }

    /// Number of members.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// The members, in ID order.
    pub fn members(&self) -> impl Iterator<Item = &MemberId> + '_ {
        self.members.keys()
    }

    /// Adds a member's state in a free slot (the ID is not in the group).
    fn insert(&mut self, member: MemberId, m: Member) {
        let slot = match self.free.pop() {
            Some(f) => {
                self.slots[f as usize] = Some(m);
                f
            }
            None => {
                self.slots.push(Some(m));
                (self.slots.len() - 1) as u32
            }
        };
        self.members.insert(member, slot);
    }

    /// A member's state.
    fn member(&self, member: &MemberId) -> Option<&Member> {
        let slot = *self.members.get(member)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// The members in ID order, with their state.
    fn iter_members(&self) -> impl Iterator<Item = (&MemberId, &Member)> + '_ {
        self.members.iter().filter_map(|(id, &slot)| {
            self.slots
                .get(slot as usize)
                .and_then(Option::as_ref)
                .map(|m| (id, m))
        })
    }

    /// True when this controller is a part of a split snapshot ([`GroupSnapshot::split`]).
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// What the controller knows about a member.
    pub fn member_status(&self, member: &MemberId) -> Option<MemberStatus> {
        let cur = self.current_mki();
        self.member(member).map(|m| MemberStatus {
            holds_csb: m.holds_csb,
            held: m.held.clone(),
            awaiting: m.exchange.as_ref().map(|e| e.mki),
            timed_out: m.exchange.as_ref().is_some_and(|e| e.timed_out),
            waiting_for_rekey: cur.is_none_or(|c| m.min_mki > c),
        })
    }

    fn note_change(&mut self, now: Duration) {
        if self.current.is_some() {
            self.pending_changes = self.pending_changes.saturating_add(1);
            self.first_change_at.get_or_insert(now);
        }
    }

    /// Adds a member. It gets no key until the next new group key (backward secrecy, RFC
    /// 3830 §8.1 practice): with [`RekeyPolicy::Immediate`] the next
    /// [`key_all`](Self::key_all) creates one.
    pub fn join(
        &mut self,
        member: impl Into<MemberId>,
        credential: Credential,
        now: Duration,
    ) -> Result<(), GroupError> {
        if self.partial {
            return Err(GroupError::PartialGroup);
        }
        let member = member.into();
        if member.0.is_empty() || member.0.len() > u16::MAX as usize {
            return Err(GroupError::InvalidCredential(
                "member ID must be 1 to 65535 bytes (it is sent as IDr)".into(),
            ));
        }
        let public = check_credential(&credential, self.signer.as_ref())?;
        if self.members.contains_key(&member) {
            return Err(GroupError::DuplicateMember(member));
        }
        let m = Member {
            credential,
            public,
            holds_csb: false,
            held: Vec::new(),
            min_mki: self.last_mki.saturating_add(1),
            exchange: None,
        };
        self.insert(member, m);
        self.note_change(now);
        Ok(())
    }

    /// Removes a member: it gets no further message, and the next new group key is sent only
    /// to the others (forward secrecy). The member still holds the current key until the
    /// source stops using it.
    pub fn leave(&mut self, member: &MemberId, now: Duration) -> Result<(), GroupError> {
        if self.partial {
            return Err(GroupError::PartialGroup);
        }
        let slot = self
            .members
            .remove(member)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        let m = self
            .slots
            .get_mut(slot as usize)
            .and_then(Option::take)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        self.free.push(slot);
        if let Some(cur) = self.current_mki() {
            if m.min_mki <= cur {
                self.eligible_current = self.eligible_current.saturating_sub(1);
            }
            if m.held.contains(&cur) {
                self.acked_current = self.acked_current.saturating_sub(1);
            }
        }
        self.note_change(now);
        self.check_all_acked();
        Ok(())
    }

    /// Joins and leaves since the current key was created.
    pub fn pending_changes(&self) -> u32 {
        self.pending_changes
    }

    /// Whether the next [`key_all`](Self::key_all) creates a new key: no key yet, the
    /// [`RekeyPolicy`] says the pending changes are due, or the key is older than
    /// [`GroupConfig::key_lifetime`]. Always false for a part of a split group.
    pub fn rekey_due(&self, now: Duration) -> bool {
        if self.partial {
            return false;
        }
        let Some(k) = &self.current else {
            return true;
        };
        if self
            .cfg
            .key_lifetime
            .is_some_and(|l| now.saturating_sub(k.created_at) >= l)
        {
            return true;
        }
        if self.pending_changes == 0 {
            return false;
        }
        match self.cfg.rekey {
            RekeyPolicy::Immediate => true,
            RekeyPolicy::Batch { changes, max_delay } => {
                self.pending_changes >= changes.max(1)
                    || self
                        .first_change_at
                        .is_some_and(|f| now.saturating_sub(f) >= max_delay)
            }
        }
    }

    /// Moves to a fresh TGK now, whatever the policy; returns its MKI. The current key
    /// becomes the previous one. Send it with [`key_all`](Self::key_all).
    pub fn rekey(&mut self, now: Duration, rng: &mut impl Entropy) -> Result<u32, GroupError> {
        if self.partial {
            return Err(GroupError::PartialGroup);
        }
        self.rotate(now, rng)
    }

    fn rotate(&mut self, now: Duration, rng: &mut dyn Entropy) -> Result<u32, GroupError> {
        let mki = self
            .last_mki
            .checked_add(1)
            .ok_or(GroupError::MkiExhausted)?;
        let mut tgk = SecretBytes::zeroed(self.cfg.tgk_len as usize);
        rng.fill(tgk.as_mut_bytes());
        self.previous = self.current.take();
        self.current = Some(GroupKey {
            mki,
            tgk,
            created_at: now,
        });
        self.last_mki = mki;
        self.pending_changes = 0;
        self.first_change_at = None;
        // Every member joined before this key: all are eligible, none holds it yet.
        self.eligible_current = self.members.len();
        self.acked_current = 0;
        Ok(mki)
    }

    /// A timestamp strictly after every earlier one: messages to a member never reuse a T,
    /// so the KEMAC keystream (derived from the PSK, CSB ID and RAND, all fixed, and T) is
    /// never reused (RFC 3830 §4.2.3, §4.5 "MUST use a new timestamp").
    fn next_t(&mut self, now: Duration) -> Duration {
        let t = now.max(self.last_t + Duration::from_micros(1));
        self.last_t = t;
        t
    }

    /// One message per member for the current group key, creating a new key first when
    /// [`rekey_due`](Self::rekey_due). Members that do not hold the CSB yet get an initial
    /// message with the group RAND, the others an update (RFC 3830 §4.5: same CSB ID, no
    /// RAND). Members who joined after the current key get nothing until the next one.
    /// A message that cannot be built is reported as [`GroupEvent::MemberFailed`].
    pub fn key_all(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        self.fan_out(now, rng, false)
    }

    /// Like [`key_all`](Self::key_all), but only for members that neither hold the current
    /// key nor have an exchange for it in flight (new, failed or timed-out members).
    pub fn key_outstanding(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        self.fan_out(now, rng, true)
    }

    fn fan_out(
        &mut self,
        now: Duration,
        rng: &mut dyn Entropy,
        outstanding_only: bool,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        if self.rekey_due(now) {
            self.rotate(now, rng)?;
        }
        let t = self.next_t(now);
        let key = self.current.as_ref().ok_or(GroupError::NoKey)?;
        let (mki, tk) = (key.mki, key.transport());
        // The same key data for every member (RFC 3830 §8.1: same TGK and MKI), encoded once
        // and encrypted for each member; NTP-UTC timestamp (§6.6), new for every fan-out.
        let plain = encode_keys(std::slice::from_ref(&tk), None);
        let ts = Timestamp::ntp_utc(Timestamp::from_unix(t).value);
        let ctx = Ctx {
            cfg: &self.cfg,
            csb_id: self.csb_id,
            rand: &self.rand,
            signer: self.signer.as_ref(),
        };
        let id_i = self.cfg.id_i.as_ref().map(|i| (i.id_type, &*i.data));
        let mut out = Vec::new();
        for (id, &slot) in &self.members {
            let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
                continue;
            };
            if m.min_mki > mki {
                continue;
            }
            if outstanding_only
                && (m.held.contains(&mki)
                    || m.exchange
                        .as_ref()
                        .is_some_and(|e| e.mki == mki && e.expects_verification && !e.timed_out))
            {
                continue;
            }
            let built = match &m.credential {
                // The PSK message (RFC 3830 §3.1), built from the group's settings in place:
                // an initial message with the group RAND, or an update without (§4.5).
                Credential::Psk(psk) => build_i_message(
                    &IMessage {
                        csb_id: self.csb_id,
                        prf: self.cfg.prf,
                        encr: self.cfg.encr,
                        mac: self.cfg.mac,
                        v: self.cfg.v,
                        rand: &self.rand,
                        send_rand: !m.holds_csb,
                        id_i,
                        id_r: Some((self.cfg.member_id_type, id.as_str().as_bytes())),
                        policies: &self.cfg.policies,
                        cs_map: &self.cs_map,
                    },
                    psk.as_bytes(),
                    ts,
                    Plain::Encoded(plain.as_bytes()),
                )
                .map(|(bytes, auth)| (bytes, Some(PendingReply { t: ts, auth }))),
                Credential::PublicKey { .. } => {
                    ctx.pk_message(m.public.as_ref(), id, m.holds_csb, vec![tk.clone()], t, rng)
                }
            };
            match built {
                Ok((bytes, reply)) => {
                    m.exchange = Some(Exchange {
                        mki,
                        initial: !m.holds_csb,
                        sent_at: now,
                        expects_verification: self.cfg.v,
                        timed_out: false,
                        unauth_error_reported: false,
                        reply,
                    });
                    if !self.cfg.v {
                        // No verification asked for: the member is taken to hold it.
                        m.holds_csb = true;
                        if hold(&mut m.held, mki) {
                            self.acked_current += 1;
                        }
                    }
                    out.push((id.clone(), bytes));
                }
                Err(error) => self.events.push(GroupEvent::MemberFailed {
                    member: id.clone(),
                    mki,
                    error,
                    authenticated: false,
                }),
            }
        }
        Ok(out)
    }

    /// Handles `member`'s reply: a verification message (RFC 3830 §5.2) that checks makes
    /// it hold the key ([`GroupEvent::MemberAcknowledged`], then
    /// [`GroupEvent::AllAcknowledged`] when it was the last); an Error message is reported
    /// as [`GroupEvent::MemberFailed`]. A reply that does not verify for this member
    /// (another member's, replayed, forged, or for an earlier message) is rejected with
    /// [`GroupError::Rejected`] or [`GroupError::NotAwaiting`] and changes nothing.
    pub fn handle_reply(
        &mut self,
        member: &MemberId,
        bytes: &[u8],
        now: Duration,
    ) -> Result<Reply, GroupError> {
        // Replies carry the timestamp of the message they answer; `now` is not needed to
        // check them (kept for timing policies).
        let _ = now;
        let view =
            MessageView::parse(bytes).map_err(|e| GroupError::Rejected(SessionError::Parse(e)))?;
        let slot = *self
            .members
            .get(member)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        self.handle_view(slot as usize, member, &view)
    }

    /// [`handle_reply`](Self::handle_reply) for the member in `slot`, the reply parsed.
    fn handle_view(
        &mut self,
        slot: usize,
        member: &MemberId,
        view: &MessageView<'_>,
    ) -> Result<Reply, GroupError> {
        let is_error = view.header().data_type == DataType::Error;
        // Whether an Error message is authenticated (carries V, RFC 3830 §5.1.2) matters only
        // for Error messages (only they yield `PeerError`): a verification message is not
        // walked an extra time here, the check below does it.
        let has_v = is_error && view.payloads().any(|p| matches!(p, Payload::V(_)));
        let m = self
            .slots
            .get(slot)
            .and_then(Option::as_ref)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        let ex = m
            .exchange
            .as_ref()
            .ok_or_else(|| GroupError::NotAwaiting(member.clone()))?;
        if is_error && !has_v && ex.unauth_error_reported {
            return Err(GroupError::Rejected(SessionError::Replay));
        }
        let result = check_reply(&self.cfg, self.csb_id, &self.cs_map, member, m, view);
        self.apply(slot, member, has_v, result)
    }

    /// Records the outcome of a reply checked for the member in `slot`.
    fn apply(
        &mut self,
        slot: usize,
        member: &MemberId,
        authenticated: bool,
        result: Result<(), SessionError>,
    ) -> Result<Reply, GroupError> {
        let cur = self.current_mki();
        let v = self.cfg.v;
        let m = self
            .slots
            .get_mut(slot)
            .and_then(Option::as_mut)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        let Some(ex) = m.exchange.as_mut() else {
            return Err(GroupError::NotAwaiting(member.clone()));
        };
        let mki = ex.mki;
        match result {
            Ok(()) => {
                m.exchange = None;
                m.holds_csb = true;
                if hold(&mut m.held, mki) && Some(mki) == cur {
                    self.acked_current += 1;
                }
                self.events.push(GroupEvent::MemberAcknowledged {
                    member: member.clone(),
                    mki,
                });
                self.check_all_acked();
                Ok(Reply {
                    member: member.clone(),
                    mki,
                    verified: true,
                })
            }
            Err(error @ SessionError::PeerError(_)) => {
                if authenticated {
                    m.exchange = None;
                    if !v {
                        // Taken to hold the key when sent; it says it does not.
                        if let Some(i) = m.held.iter().position(|&k| k == mki) {
                            m.held.remove(i);
                            if Some(mki) == cur {
                                self.acked_current = self.acked_current.saturating_sub(1);
                            }
                        }
                    }
                } else {
                    ex.unauth_error_reported = true;
                }
                self.events.push(GroupEvent::MemberFailed {
                    member: member.clone(),
                    mki,
                    error,
                    authenticated,
                });
                Ok(Reply {
                    member: member.clone(),
                    mki,
                    verified: false,
                })
            }
            Err(e) => Err(GroupError::Rejected(e)),
        }
    }

    /// Handles a reply whose member is not known from the transport: the member is the one
    /// named by the reply's IDr payload (RFC 3830 §6.7) when present and known; otherwise
    /// every member awaiting a reply is tried (one MAC check each, so linear in those
    /// members). An unauthenticated Error message without IDr cannot be attributed.
    pub fn handle_reply_any(&mut self, bytes: &[u8], now: Duration) -> Result<Reply, GroupError> {
        let _ = now;
        let view =
            MessageView::parse(bytes).map_err(|e| GroupError::Rejected(SessionError::Parse(e)))?;
        let id_r = view.payloads().find_map(|p| match p {
            Payload::Id(id) => id.text().map(MemberId::from),
            _ => None,
        });
        if let Some((id, slot)) = id_r.and_then(|id| self.members.get(&id).map(|&slot| (id, slot)))
        {
            return self.handle_view(slot as usize, &id, &view);
        }
        let has_v = view.payloads().any(|p| matches!(p, Payload::V(_)));
        if !has_v {
            return Err(GroupError::Unattributed);
        }
        let mut found = None;
        for (id, &slot) in &self.members {
            let Some(m) = self.slots.get(slot as usize).and_then(Option::as_ref) else {
                continue;
            };
            if m.exchange.is_none() {
                continue;
            }
            match check_reply(&self.cfg, self.csb_id, &self.cs_map, id, m, &view) {
                Ok(()) => {
                    found = Some((id.clone(), slot, Ok(())));
                    break;
                }
                Err(e @ SessionError::PeerError(_)) => {
                    found = Some((id.clone(), slot, Err(e)));
                    break;
                }
                Err(_) => {}
            }
        }
        match found {
            Some((id, slot, result)) => self.apply(slot as usize, &id, true, result),
            None => Err(GroupError::Unattributed),
        }
    }

    fn check_all_acked(&mut self) {
        let Some(mki) = self.current_mki() else {
            return;
        };
        if self.cfg.v
            && self.all_acked_reported != Some(mki)
            && self.eligible_current > 0
            && self.acked_current >= self.eligible_current
        {
            self.all_acked_reported = Some(mki);
            self.events.push(GroupEvent::AllAcknowledged { mki });
        }
    }

    /// Reports members whose reply is overdue ([`GroupEvent::MemberTimedOut`], once per
    /// exchange) and returns every event since the last call. Linear in the members.
    pub fn poll(&mut self, now: Duration) -> Vec<GroupEvent> {
        let timeout = self.cfg.reply_timeout;
        for (id, &slot) in &self.members {
            let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
                continue;
            };
            if let Some(ex) = m.exchange.as_mut() {
                if ex.expects_verification
                    && !ex.timed_out
                    && now.saturating_sub(ex.sent_at) >= timeout
                {
                    ex.timed_out = true;
                    self.events.push(GroupEvent::MemberTimedOut {
                        member: id.clone(),
                        mki: ex.mki,
                    });
                }
            }
        }
        std::mem::take(&mut self.events)
    }

    /// When the next reply becomes overdue (for the caller's timer), if any is awaited.
    pub fn next_timeout(&self) -> Option<Duration> {
        self.slots
            .iter()
            .flatten()
            .filter_map(|m| m.exchange.as_ref())
            .filter(|e| e.expects_verification && !e.timed_out)
            .map(|e| e.sent_at.saturating_add(self.cfg.reply_timeout))
            .min()
    }

    /// `(acked, total)` for key `mki`: members holding it (verified, or sent when V is not
    /// requested), and members eligible for it (in the group when it was created).
    pub fn acknowledged(&self, mki: u32) -> (usize, usize) {
        if Some(mki) == self.current_mki() {
            return (self.acked_current, self.eligible_current);
        }
        if Some(mki) != self.previous_mki() {
            return (0, 0);
        }
        self.slots
            .iter()
            .flatten()
            .filter(|m| m.min_mki <= mki)
            .fold((0, 0), |(a, t), m| {
                (a + usize::from(m.held.contains(&mki)), t + 1)
            })
    }

    /// Sets the rollover counter sent for crypto session `cs_id` (1-based, RFC 3830 §6.1.1)
    /// in later messages, so members that join late start from the source's current ROC.
    pub fn set_roc(&mut self, cs_id: u8, roc: u32) -> Result<(), GroupError> {
        let cs = (cs_id as usize)
            .checked_sub(1)
            .and_then(|i| self.cfg.crypto_sessions.get_mut(i))
            .ok_or_else(|| invalid(format!("no crypto session {cs_id}")))?;
        cs.roc = roc;
        self.cs_map = CsIdMap::SrtpId(SrtpIdMap::from_entries(&self.cfg.crypto_sessions));
        Ok(())
    }

    /// SRTP parameters of the source for the previous key (if any) and the current key,
    /// each with its MKI (RFC 3830 §4.1.3, §6.10.1): receivers can hold both while the
    /// source switches to the new MKI after [`GroupEvent::AllAcknowledged`]. Each member
    /// derives the same parameters for the keys it holds.
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, GroupError> {
        let keys: Vec<TransportKey> = self
            .previous
            .iter()
            .chain(self.current.iter())
            .map(GroupKey::transport)
            .collect();
        if keys.is_empty() {
            return Err(GroupError::NoKey);
        }
        self.export(keys)
    }

    /// SRTP parameters for one key (current or previous).
    pub fn srtp_for(&self, mki: u32) -> Result<Vec<SrtpParams>, GroupError> {
        let key = self
            .current
            .iter()
            .chain(self.previous.iter())
            .find(|k| k.mki == mki)
            .ok_or(GroupError::NoKey)?;
        self.export(vec![key.transport()])
    }

    fn export(&self, keys: Vec<TransportKey>) -> Result<Vec<SrtpParams>, GroupError> {
        let ctx = Ctx {
            cfg: &self.cfg,
            csb_id: self.csb_id,
            rand: &self.rand,
            signer: None,
        };
        export(&ctx.bundle(keys)).map_err(|e| invalid(e.to_string()))
    }

    fn recount(&mut self) {
        let cur = self.current_mki();
        self.eligible_current = 0;
        self.acked_current = 0;
        if let Some(c) = cur {
            for m in self.slots.iter().flatten() {
                self.eligible_current += usize::from(m.min_mki <= c);
                self.acked_current += usize::from(m.held.contains(&c));
            }
        }
    }

    /// The whole state as a plain serde structure, to restart with
    /// [`restore`](Self::restore) without rekeying anyone.
    ///
    /// **The snapshot contains secrets**: every member's credential and the current and
    /// previous TGKs (hex in JSON). Store it encrypted or not at all; the in-memory
    /// [`SecretBytes`] are zeroized on drop but the serialized text is the caller's.
    /// Events not yet taken with [`poll`](Self::poll) are not part of it.
    pub fn snapshot(&self) -> GroupSnapshot {
        let cfg = &self.cfg;
        GroupSnapshot {
            format: SNAPSHOT_FORMAT,
            csb_id: self.csb_id,
            rand: hex(&self.rand),
            config: ConfigSnapshot {
                prf: cfg.prf.to_wire(),
                encr: cfg.encr.to_wire(),
                mac: cfg.mac.to_wire(),
                v: cfg.v,
                id_i: cfg.id_i.as_ref().map(|i| IdSnapshot {
                    id_type: i.id_type.to_wire(),
                    data: hex(&i.data),
                }),
                member_id_type: cfg.member_id_type.to_wire(),
                crypto_sessions: cfg
                    .crypto_sessions
                    .iter()
                    .map(|c| CsSnapshot {
                        policy_no: c.policy_no,
                        ssrc: c.ssrc,
                        roc: c.roc,
                    })
                    .collect(),
                policies: cfg
                    .policies
                    .iter()
                    .map(|p| PolicySnapshot {
                        policy_no: p.policy_no,
                        prot_type: p.prot_type.to_wire(),
                        params: hex(p.param_bytes()),
                    })
                    .collect(),
                rand_len: cfg.rand_len,
                tgk_len: cfg.tgk_len,
                reply_timeout: cfg.reply_timeout,
                rekey: cfg.rekey,
                key_lifetime: cfg.key_lifetime,
            },
            current: self.current.as_ref().map(KeySnapshot::of),
            previous: self.previous.as_ref().map(KeySnapshot::of),
            last_mki: self.last_mki,
            last_timestamp: self.last_t,
            pending_changes: self.pending_changes,
            first_change_at: self.first_change_at,
            all_acknowledged_reported: self.all_acked_reported,
            partial: self.partial,
            members: self
                .iter_members()
                .map(|(id, m)| MemberSnapshot {
                    id: id.clone(),
                    credential: m.credential.clone(),
                    holds_csb: m.holds_csb,
                    held: m.held.clone(),
                    min_mki: m.min_mki,
                    exchange: m.exchange.as_ref().map(|e| ExchangeSnapshot {
                        mki: e.mki,
                        initial: e.initial,
                        sent_at: e.sent_at,
                        timestamp: e.reply.as_ref().map(|r| r.t.value),
                        // PSK members' reply keys are derived again from the PSK.
                        reply_key: e
                            .reply
                            .as_ref()
                            .filter(|_| m.is_pk())
                            .map(|r| r.auth.clone()),
                        expects_verification: e.expects_verification,
                        timed_out: e.timed_out,
                        unauth_error_reported: e.unauth_error_reported,
                    }),
                })
                .collect(),
        }
    }

    /// A controller from a snapshot (of a whole group, or of one part of
    /// [`GroupSnapshot::split`]): same CSB, RAND, keys, counters and per-member state, so
    /// members keep getting updates and replies to messages in flight still verify.
    ///
    /// A snapshot with public-key members needs the signing key, which is never in it:
    /// use [`restore_with_signing_key`](Self::restore_with_signing_key) (this returns
    /// [`GroupError::InvalidSnapshot`] for it).
    pub fn restore(snapshot: GroupSnapshot) -> Result<Self, GroupError> {
        Self::restore_inner(snapshot, None)
    }

    /// [`restore`](Self::restore) for a group with public-key members (RFC 3830 §3.2): the
    /// caller passes the signing key, certificates and provider again, as for
    /// [`with_signing_key`](Self::with_signing_key) (a snapshot holds no signing key).
    /// Public-key exchanges in flight resume: their replies verify with the reply key kept
    /// in [`ExchangeSnapshot::reply_key`].
    pub fn restore_with_signing_key(
        snapshot: GroupSnapshot,
        provider: Arc<dyn CryptoProvider>,
        key: Arc<dyn RsaPrivate>,
        certs: Vec<Vec<u8>>,
    ) -> Result<Self, GroupError> {
        Self::restore_inner(
            snapshot,
            Some(Signer {
                provider,
                key,
                certs,
            }),
        )
    }

    fn restore_inner(snapshot: GroupSnapshot, signer: Option<Signer>) -> Result<Self, GroupError> {
        let bad = |s: &str| GroupError::InvalidSnapshot(s.to_owned());
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(bad("unknown format version"));
        }
        let c = &snapshot.config;
        let cfg = GroupConfig {
            csb_id: Some(snapshot.csb_id),
            prf: PrfFunc::from_wire(c.prf),
            encr: EncrAlg::from_wire(c.encr),
            mac: MacAlg::from_wire(c.mac),
            v: c.v,
            id_i: match &c.id_i {
                Some(i) => Some(Id {
                    id_type: IdType::from_wire(i.id_type),
                    data: Cow::Owned(unhex(&i.data).ok_or_else(|| bad("IDi is not hex"))?),
                }),
                None => None,
            },
            member_id_type: IdType::from_wire(c.member_id_type),
            crypto_sessions: c
                .crypto_sessions
                .iter()
                .map(|c| SrtpCs {
                    policy_no: c.policy_no,
                    ssrc: c.ssrc,
                    roc: c.roc,
                })
                .collect(),
            policies: c
                .policies
                .iter()
                .map(|p| {
                    policy_from(p.policy_no, p.prot_type, &p.params)
                        .ok_or_else(|| bad("malformed policy parameters"))
                })
                .collect::<Result<_, _>>()?,
            rand_len: c.rand_len,
            tgk_len: c.tgk_len,
            reply_timeout: c.reply_timeout,
            rekey: c.rekey,
            key_lifetime: c.key_lifetime,
        };
        validate(&cfg).map_err(|e| GroupError::InvalidSnapshot(e.to_string()))?;
        let rand = unhex(&snapshot.rand).ok_or_else(|| bad("RAND is not hex"))?;
        if rand.len() < 16 || rand.len() > 255 {
            return Err(bad("RAND length"));
        }
        let key = |k: &Option<KeySnapshot>| -> Result<Option<GroupKey>, GroupError> {
            match k {
                Some(k) if k.tgk.len() != cfg.tgk_len as usize => Err(bad("TGK length")),
                Some(k) if k.mki == 0 || k.mki > snapshot.last_mki => Err(bad("MKI")),
                Some(k) => Ok(Some(GroupKey {
                    mki: k.mki,
                    tgk: k.tgk.clone(),
                    created_at: k.created_at,
                })),
                None => Ok(None),
            }
        };
        let current = key(&snapshot.current)?;
        let previous = key(&snapshot.previous)?;
        match (&current, &previous) {
            (None, Some(_)) => return Err(bad("previous key without a current one")),
            (Some(c), Some(p)) if p.mki >= c.mki => return Err(bad("previous MKI not older")),
            _ => {}
        }
        let cs_map = CsIdMap::SrtpId(SrtpIdMap::from_entries(&cfg.crypto_sessions));
        let mut g = GroupController {
            cfg,
            csb_id: snapshot.csb_id,
            rand,
            current,
            previous,
            last_mki: snapshot.last_mki,
            last_t: snapshot.last_timestamp,
            pending_changes: snapshot.pending_changes,
            first_change_at: snapshot.first_change_at,
            all_acked_reported: snapshot.all_acknowledged_reported,
            partial: snapshot.partial,
            members: BTreeMap::new(),
            slots: Vec::with_capacity(snapshot.members.len()),
            free: Vec::new(),
            cs_map,
            acked_current: 0,
            eligible_current: 0,
            events: Vec::new(),
            signer,
        };
        for ms in &snapshot.members {
            if ms.id.0.is_empty() || ms.held.len() > 2 {
                return Err(bad("member entry"));
            }
            let public = check_credential(&ms.credential, g.signer.as_ref())
                .map_err(|e| GroupError::InvalidSnapshot(format!("member {}: {e}", ms.id)))?;
            let exchange = match &ms.exchange {
                Some(e) => {
                    let pending = e.timestamp.map(Timestamp::ntp_utc);
                    // What checks the reply: for a PSK member the auth key derived again
                    // from its PSK (RFC 3830 §4.1.4), for a public-key member the key of the
                    // message's envelope key, kept in the snapshot (§3.2, §5.2).
                    let reply = match &ms.credential {
                        Credential::Psk(psk) => pending.map(|t| PendingReply {
                            t,
                            auth: psk_auth_key(&g.cfg, g.csb_id, &g.rand, psk),
                        }),
                        Credential::PublicKey { .. } => {
                            if pending.is_some() && e.reply_key.is_none() {
                                return Err(bad("public-key exchange without its reply key"));
                            }
                            pending
                                .zip(e.reply_key.clone())
                                .map(|(t, auth)| PendingReply { t, auth })
                        }
                    };
                    Some(Exchange {
                        mki: e.mki,
                        initial: e.initial,
                        sent_at: e.sent_at,
                        expects_verification: e.expects_verification,
                        timed_out: e.timed_out,
                        unauth_error_reported: e.unauth_error_reported,
                        reply,
                    })
                }
                None => None,
            };
            let member = Member {
                credential: ms.credential.clone(),
                public,
                holds_csb: ms.holds_csb,
                held: ms.held.clone(),
                min_mki: ms.min_mki,
                exchange,
            };
            if g.members.contains_key(&ms.id) {
                return Err(GroupError::InvalidSnapshot(format!(
                    "member {} twice",
                    ms.id
                )));
            }
            g.insert(ms.id.clone(), member);
        }
        g.recount();
        Ok(g)
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots

const SNAPSHOT_FORMAT: u32 = 1;

/// A [`GroupController`]'s whole state as plain data (serde), from
/// [`GroupController::snapshot`]. Byte strings are hex.
///
/// **Contains secrets** (member credentials, current and previous TGK). `Debug` shows their
/// lengths only; serialized forms show them in full.
///
/// ```
/// use mikey::crypto::SecretBytes;
/// use mikey::session::group::{Credential, GroupConfig, GroupController, GroupSnapshot};
/// use mikey::session::OsEntropy;
/// use mikey::wire::SrtpCs;
/// use core::time::Duration;
///
/// let now = Duration::from_secs(1_800_000_000);
/// let cfg = GroupConfig {
///     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x5eed, roc: 0 }],
///     ..GroupConfig::default()
/// };
/// let mut group = GroupController::new(cfg, &mut OsEntropy).unwrap();
/// for i in 0..4u8 {
///     group.join(format!("rx{i}@example.com"), Credential::Psk(SecretBytes::from_slice(&[i; 16])), now).unwrap();
/// }
/// group.key_all(now, &mut OsEntropy).unwrap();
///
/// // Restart from JSON (which holds every PSK and the TGKs: keep it secret).
/// let json = serde_json::to_string(&group.snapshot()).unwrap();
/// let restored = GroupController::restore(serde_json::from_str(&json).unwrap()).unwrap();
/// assert_eq!(restored.current_mki(), Some(1));
/// assert_eq!(restored.srtp().unwrap(), group.srtp().unwrap());
///
/// // Two processes, two members each, the same group key.
/// let parts: Vec<GroupSnapshot> = group.snapshot().split(2);
/// let mut a = GroupController::restore(parts[0].clone()).unwrap();
/// assert_eq!(a.member_count(), 2);
/// assert_eq!(a.key_all(now, &mut OsEntropy).unwrap().len(), 2);
/// assert_eq!(a.current_mki(), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSnapshot {
    /// Snapshot format version (1).
    pub format: u32,
    /// CSB ID.
    pub csb_id: u32,
    /// RAND (hex).
    pub rand: String,
    /// Group settings.
    pub config: ConfigSnapshot,
    /// Current key.
    pub current: Option<KeySnapshot>,
    /// Previous key.
    pub previous: Option<KeySnapshot>,
    /// Highest MKI used.
    pub last_mki: u32,
    /// Last timestamp used in a message (timestamps only grow).
    pub last_timestamp: Duration,
    /// Joins and leaves since the current key.
    pub pending_changes: u32,
    /// Time of the oldest pending change.
    pub first_change_at: Option<Duration>,
    /// Key for which [`GroupEvent::AllAcknowledged`] was reported.
    pub all_acknowledged_reported: Option<u32>,
    /// A part of a split group (no joins, leaves or new keys).
    pub partial: bool,
    /// Members in ID order.
    pub members: Vec<MemberSnapshot>,
}

/// [`GroupConfig`] as plain data (codes as their wire values, byte strings hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSnapshot {
    /// PRF code.
    pub prf: u8,
    /// KEMAC encryption code.
    pub encr: u8,
    /// KEMAC MAC code.
    pub mac: u8,
    /// Verification requested.
    pub v: bool,
    /// IDi.
    pub id_i: Option<IdSnapshot>,
    /// ID type code of members' IDr.
    pub member_id_type: u8,
    /// Crypto sessions.
    pub crypto_sessions: Vec<CsSnapshot>,
    /// Security policies.
    pub policies: Vec<PolicySnapshot>,
    /// RAND length.
    pub rand_len: u8,
    /// TGK length.
    pub tgk_len: u8,
    /// Reply timeout.
    pub reply_timeout: Duration,
    /// Rekey policy.
    pub rekey: RekeyPolicy,
    /// Key lifetime.
    pub key_lifetime: Option<Duration>,
}

/// An ID payload's type and data (hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdSnapshot {
    /// ID type code.
    pub id_type: u8,
    /// ID data (hex).
    pub data: String,
}

/// One crypto session (RFC 3830 §6.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsSnapshot {
    /// Policy number.
    pub policy_no: u8,
    /// SSRC.
    pub ssrc: u32,
    /// ROC.
    pub roc: u32,
}

/// One security policy (RFC 3830 §6.10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySnapshot {
    /// Policy number.
    pub policy_no: u8,
    /// Protocol type code.
    pub prot_type: u8,
    /// Parameter TLVs (hex).
    pub params: String,
}

/// A group key. **Secret.**
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySnapshot {
    /// MKI (SPI).
    pub mki: u32,
    /// The TGK (hex when serialized; `Debug` shows only its length).
    #[serde(with = "secret_hex")]
    pub tgk: SecretBytes,
    /// When it was created.
    pub created_at: Duration,
}

impl KeySnapshot {
    fn of(k: &GroupKey) -> Self {
        Self {
            mki: k.mki,
            tgk: k.tgk.clone(),
            created_at: k.created_at,
        }
    }
}

/// One member. **Contains its credential.**
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSnapshot {
    /// ID.
    pub id: MemberId,
    /// Credential.
    pub credential: Credential,
    /// Accepted a message for the CSB.
    pub holds_csb: bool,
    /// Keys (MKIs) it holds.
    pub held: Vec<u32>,
    /// First key it may receive.
    pub min_mki: u32,
    /// Exchange awaiting a reply.
    pub exchange: Option<ExchangeSnapshot>,
}

/// An exchange awaiting its reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeSnapshot {
    /// Key sent.
    pub mki: u32,
    /// Initial exchange (with RAND) rather than an update.
    pub initial: bool,
    /// When it was sent.
    pub sent_at: Duration,
    /// The message's NTP-UTC timestamp value (RFC 3830 §6.6), which the reply echoes.
    pub timestamp: Option<u64>,
    /// A verification message is expected.
    pub expects_verification: bool,
    /// Reported as timed out.
    pub timed_out: bool,
    /// An unauthenticated Error message was reported.
    pub unauth_error_reported: bool,
    /// Public-key members (RFC 3830 §3.2): the key that checks the reply's V payload
    /// (`auth_key`, derived from the message's envelope key, §4.1.4, §5.2), so the exchange
    /// resumes after a restore. **Secret** (hex when serialized; absent for PSK members,
    /// whose key is derived again from the PSK).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_secret_hex"
    )]
    pub reply_key: Option<SecretBytes>,
}

impl GroupSnapshot {
    /// Splits the members into `n` parts (at least one; round robin in ID order), each with
    /// the whole group state, so `n` processes can [`GroupController::restore`] one part
    /// each and key their members for the same group key. Parts cannot change membership
    /// or create keys ([`GroupError::PartialGroup`]): that stays with the whole group, which
    /// takes the parts' member states back with [`merge`](Self::merge).
    pub fn split(&self, n: usize) -> Vec<GroupSnapshot> {
        let n = n.max(1);
        let mut parts: Vec<GroupSnapshot> = (0..n).map(|_| self.part(Vec::new())).collect();
        for (i, m) in self.members.iter().enumerate() {
            parts[i % n].members.push(m.clone());
        }
        parts
    }

    /// A part holding only the given members (unknown IDs are ignored).
    pub fn subset(&self, members: &[MemberId]) -> GroupSnapshot {
        let wanted: std::collections::BTreeSet<&MemberId> = members.iter().collect();
        self.part(
            self.members
                .iter()
                .filter(|m| wanted.contains(&m.id))
                .cloned()
                .collect(),
        )
    }

    fn part(&self, members: Vec<MemberSnapshot>) -> GroupSnapshot {
        GroupSnapshot {
            format: self.format,
            csb_id: self.csb_id,
            rand: self.rand.clone(),
            config: self.config.clone(),
            current: self.current.clone(),
            previous: self.previous.clone(),
            last_mki: self.last_mki,
            last_timestamp: self.last_timestamp,
            pending_changes: self.pending_changes,
            first_change_at: self.first_change_at,
            all_acknowledged_reported: self.all_acknowledged_reported,
            partial: true,
            members,
        }
    }

    /// Takes back the member states of a part (from [`split`](Self::split) or
    /// [`subset`](Self::subset), after its controller keyed them): same group and same
    /// current key required; members the part holds replace this snapshot's entries
    /// (members that left in the meantime are skipped).
    pub fn merge(&mut self, part: &GroupSnapshot) -> Result<(), GroupError> {
        let same_key = |a: &Option<KeySnapshot>, b: &Option<KeySnapshot>| {
            a.as_ref().map(|k| k.mki) == b.as_ref().map(|k| k.mki)
        };
        if part.csb_id != self.csb_id
            || part.rand != self.rand
            || !same_key(&part.current, &self.current)
        {
            return Err(GroupError::InvalidSnapshot(
                "part of another group or of another key".into(),
            ));
        }
        let index: BTreeMap<MemberId, usize> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        for m in &part.members {
            if let Some(&i) = index.get(&m.id) {
                self.members[i] = m.clone();
            }
        }
        self.last_timestamp = self.last_timestamp.max(part.last_timestamp);
        Ok(())
    }
}

fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    b.chunks(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect()
}

/// A security policy from its parameter TLVs (hex).
fn policy_from(policy_no: u8, prot_type: u8, params: &str) -> Option<SecurityPolicy<'static>> {
    let raw = unhex(params)?;
    let mut sp = SecurityPolicy::new(policy_no, ProtType::from_wire(prot_type));
    let mut rest = raw.as_slice();
    while let [t, l, r @ ..] = rest {
        let value = r.get(..*l as usize)?;
        sp.push(*t, value);
        rest = &r[*l as usize..];
    }
    rest.is_empty().then_some(sp)
}

/// Serde for secret bytes as hex, zeroizing the intermediate text.
mod secret_hex {
    use super::{hex, unhex, SecretBytes, Zeroize};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &SecretBytes, s: S) -> Result<S::Ok, S::Error> {
        let mut text = hex(v.as_bytes());
        let r = s.serialize_str(&text);
        text.zeroize();
        r
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretBytes, D::Error> {
        let mut text = String::deserialize(d)?;
        let r = unhex(&text);
        text.zeroize();
        r.map(SecretBytes::from)
            .ok_or_else(|| D::Error::custom("secret is not hex"))
    }
}

/// Serde for optional secret bytes as hex.
mod opt_secret_hex {
    use super::SecretBytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<SecretBytes>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(k) => super::secret_hex::serialize(k, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretBytes>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::secret_hex")] SecretBytes);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

/// Serde for public bytes as hex.
mod bytes_hex {
    use super::{hex, unhex};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        unhex(&text).ok_or_else(|| D::Error::custom("not hex"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{PskResponder, ResponderConfig};
    use crate::wire::SrtpPolicy;

    const NOW: Duration = Duration::from_secs(1_800_000_000);

    fn rng() -> impl FnMut(&mut [u8]) {
        let mut n = 1u8;
        move |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_mul(31).wrapping_add(17);
                *x = n;
            }
        }
    }

    fn cfg() -> GroupConfig {
        GroupConfig {
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: 0xabc,
                roc: 0,
            }],
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
            ..GroupConfig::default()
        }
    }

    fn psk(i: u8) -> Credential {
        Credential::Psk(SecretBytes::from_slice(&[i; 16]))
    }

    #[test]
    fn config_is_checked() {
        let mut r = rng();
        assert!(GroupController::new(GroupConfig::default(), &mut r).is_err());
        let mut c = cfg();
        c.crypto_sessions[0].ssrc = 0;
        assert!(GroupController::new(c, &mut r).is_err());
        let mut c = cfg();
        c.encr = EncrAlg::Null;
        assert!(GroupController::new(c, &mut r).is_err());
        let mut c = cfg();
        c.rand_len = 8;
        assert!(GroupController::new(c, &mut r).is_err());
    }

    #[test]
    fn join_leave_and_policy() {
        let mut r = rng();
        let mut g = GroupController::new(cfg(), &mut r).unwrap();
        assert!(g.rekey_due(NOW), "no key yet");
        g.join("a", psk(1), NOW).unwrap();
        assert_eq!(g.pending_changes(), 0, "no key to protect yet");
        assert_eq!(
            g.join("a", psk(1), NOW),
            Err(GroupError::DuplicateMember("a".into()))
        );
        assert!(matches!(
            g.join("b", Credential::Psk(SecretBytes::from_slice(&[1; 4])), NOW),
            Err(GroupError::InvalidCredential(_))
        ));
        assert_eq!(g.key_all(NOW, &mut r).unwrap().len(), 1);
        assert_eq!(g.current_mki(), Some(1));
        assert!(!g.rekey_due(NOW));
        g.join("b", psk(2), NOW).unwrap();
        assert_eq!(g.pending_changes(), 1);
        assert!(g.rekey_due(NOW));
        assert_eq!(
            g.leave(&"zz".into(), NOW),
            Err(GroupError::UnknownMember("zz".into()))
        );
        let _ = g.key_all(NOW, &mut r).unwrap();
        assert_eq!((g.previous_mki(), g.current_mki()), (Some(1), Some(2)));
        assert_eq!(g.srtp().unwrap().len(), 2);
        assert_eq!(
            g.srtp_for(1).unwrap()[0].mki.as_deref(),
            Some(&[0, 0, 0, 1][..])
        );
        assert!(g.srtp_for(7).is_err());
    }

    #[test]
    fn batch_policy_waits() {
        let mut r = rng();
        let mut c = cfg();
        c.rekey = RekeyPolicy::Batch {
            changes: 3,
            max_delay: Duration::from_secs(60),
        };
        let mut g = GroupController::new(c, &mut r).unwrap();
        g.join("a", psk(1), NOW).unwrap();
        g.key_all(NOW, &mut r).unwrap();
        g.join("b", psk(2), NOW).unwrap();
        assert!(!g.rekey_due(NOW));
        // The newcomer gets nothing until the next key.
        let out = g.key_all(NOW, &mut r).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "a".into());
        assert!(g.member_status(&"b".into()).unwrap().waiting_for_rekey);
        assert!(g.rekey_due(NOW + Duration::from_secs(60)));
        g.join("c", psk(3), NOW).unwrap();
        g.leave(&"c".into(), NOW).unwrap();
        assert_eq!(g.pending_changes(), 3);
        assert!(g.rekey_due(NOW));
        assert_eq!(g.key_all(NOW, &mut r).unwrap().len(), 2);
        assert_eq!(g.current_mki(), Some(2));
    }

    #[test]
    fn timestamps_never_repeat() {
        let mut r = rng();
        let mut g = GroupController::new(cfg(), &mut r).unwrap();
        g.join("a", psk(1), NOW).unwrap();
        let a = g.key_all(NOW, &mut r).unwrap();
        let b = g.key_all(NOW, &mut r).unwrap();
        let t = |m: &[u8]| {
            MessageView::parse(m)
                .unwrap()
                .payloads()
                .find_map(|p| if let Payload::T(t) = p { Some(t) } else { None })
                .unwrap()
        };
        assert!(t(&b[0].1).value > t(&a[0].1).value);
    }

    #[test]
    fn debug_hides_secrets() {
        let mut r = rng();
        let mut g = GroupController::new(cfg(), &mut r).unwrap();
        g.join("a", psk(0xee), NOW).unwrap();
        g.key_all(NOW, &mut r).unwrap();
        let s = g.snapshot();
        let d = format!("{s:?} {g:?}");
        assert!(!d.contains("eeee") && !d.contains("238, 238"), "{d}");
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(&"ee".repeat(16)), "snapshot carries the PSK");
    }

    #[test]
    fn without_verification() {
        let mut r = rng();
        let mut c = cfg();
        c.v = false;
        let mut g = GroupController::new(c, &mut r).unwrap();
        g.join("a", psk(1), NOW).unwrap();
        let out = g.key_all(NOW, &mut r).unwrap();
        let mut resp = PskResponder::new(
            SecretBytes::from_slice(&[1; 16]),
            ResponderConfig::default(),
        );
        let acc = resp.handle(&out[0].1, NOW).unwrap();
        assert!(acc.response.is_none());
        assert_eq!(g.acknowledged(1), (1, 1));
        assert!(g.poll(NOW + Duration::from_secs(100)).is_empty());
        assert_eq!(g.next_timeout(), None);
    }

    #[test]
    fn authenticated_error_ends_the_exchange() {
        use crate::crypto::{KemacCipher, MacKind, MessageKeys, Prf};
        use crate::session::common::ResponseAuth;
        use crate::session::engine::error_message;
        use crate::wire::ErrorNo;
        let mut r = rng();
        let mut g = GroupController::new(cfg(), &mut r).unwrap();
        g.join("a@x", psk(1), NOW).unwrap();
        g.join("b@x", psk(2), NOW).unwrap();
        let out = g.key_all(NOW, &mut r).unwrap();
        let t = MessageView::parse(&out[0].1)
            .unwrap()
            .payloads()
            .find_map(|p| if let Payload::T(t) = p { Some(t) } else { None })
            .unwrap();
        let keys = MessageKeys::derive(
            Prf::MikeyOne,
            &[1; 16],
            g.csb_id(),
            g.rand(),
            KemacCipher::Null,
            MacKind::HmacSha1_160,
        );
        let err = |auth: bool| {
            error_message(
                g.csb_id(),
                PrfFunc::Mikey1,
                CsIdMap::SrtpId(SrtpIdMap::default()),
                t,
                &[ErrorNo::InvalidSpPar],
                Some(Id::nai("a@x")),
                auth.then_some(ResponseAuth {
                    kind: MacKind::HmacSha1_160,
                    alg: MacAlg::HmacSha1_160,
                    key: keys.auth.as_bytes(),
                    id_i: &[],
                    id_r: b"a@x",
                }),
            )
        };
        let (plain, signed) = (err(false), err(true));
        // Unauthenticated: reported once, the exchange stays open.
        let rep = g.handle_reply_any(&plain, NOW).unwrap();
        assert_eq!((rep.member.as_str(), rep.verified), ("a@x", false));
        assert_eq!(
            g.handle_reply_any(&plain, NOW),
            Err(GroupError::Rejected(SessionError::Replay))
        );
        // Routed to b (wrong key): rejected, nothing changes.
        assert!(matches!(
            g.handle_reply(&"b@x".into(), &signed, NOW),
            Err(GroupError::Rejected(_))
        ));
        assert_eq!(g.member_status(&"b@x".into()).unwrap().awaiting, Some(1));
        // Authenticated: the exchange ends.
        g.handle_reply_any(&signed, NOW).unwrap();
        assert_eq!(g.member_status(&"a@x".into()).unwrap().awaiting, None);
        assert_eq!(
            g.handle_reply_any(&signed, NOW),
            Err(GroupError::NotAwaiting("a@x".into()))
        );
        let ev = g.poll(NOW);
        assert_eq!(ev.len(), 2);
        assert!(ev.iter().all(|e| matches!(
            e,
            GroupEvent::MemberFailed { member, mki: 1, error: SessionError::PeerError(codes), .. }
                if member.as_str() == "a@x" && codes == &[ErrorNo::InvalidSpPar]
        )));
        assert!(matches!(
            ev[1],
            GroupEvent::MemberFailed {
                authenticated: true,
                ..
            }
        ));
        // Only a is outstanding again (b's exchange is in flight).
        let again = g.key_outstanding(NOW, &mut r).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].0.as_str(), "a@x");
    }

    #[test]
    fn slots_are_reused_and_snapshots_round_trip() {
        let mut r = rng();
        let mut g = GroupController::new(cfg(), &mut r).unwrap();
        for (n, k) in [("a", 1), ("b", 2), ("c", 3)] {
            g.join(n, psk(k), NOW).unwrap();
        }
        g.key_all(NOW, &mut r).unwrap();
        // b leaves, d takes its slot: replies are still routed by ID.
        g.leave(&"b".into(), NOW).unwrap();
        g.join("d", psk(4), NOW).unwrap();
        assert_eq!(g.slots.len(), 3);
        assert_eq!(
            g.members().map(MemberId::as_str).collect::<Vec<_>>(),
            ["a", "c", "d"]
        );
        let out = g.key_all(NOW, &mut r).unwrap();
        assert_eq!(out.len(), 3);
        let reply = |k: u8, msg: &[u8]| {
            let mut resp = PskResponder::new(
                SecretBytes::from_slice(&[k; 16]),
                ResponderConfig::default(),
            );
            resp.handle(msg, NOW).unwrap().response.unwrap()
        };
        let (a, d) = (reply(1, &out[0].1), reply(4, &out[2].1));
        // d's reply is not a's, nor the other way round (the V MAC binds IDr, RFC 3830 §5.2).
        assert!(matches!(
            g.handle_reply(&"a".into(), &d, NOW),
            Err(GroupError::Rejected(_))
        ));
        // A snapshot with exchanges in flight restores to the same snapshot, and the
        // restored controller checks the replies.
        let snap = g.snapshot();
        let mut back = GroupController::restore(snap.clone()).unwrap();
        assert_eq!(back.snapshot(), snap);
        assert!(snap.members.iter().all(|m| m
            .exchange
            .as_ref()
            .is_some_and(|e| e.timestamp.is_some() && e.reply_key.is_none())));
        assert_eq!(back.handle_reply_any(&d, NOW).unwrap().member.as_str(), "d");
        assert!(back.handle_reply(&"a".into(), &a, NOW).unwrap().verified);
        assert_eq!(back.acknowledged(2), (2, 3));
    }

    #[test]
    fn policy_round_trip() {
        let sp = SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(3);
        let back = policy_from(3, 0, &hex(sp.param_bytes())).unwrap();
        assert_eq!(back, sp);
        assert!(policy_from(3, 0, "0105").is_none());
        assert!(policy_from(3, 0, "zz").is_none());
        assert_eq!(unhex("0aFf"), Some(vec![10, 255]));
        assert_eq!(unhex("abc"), None);
    }
}
