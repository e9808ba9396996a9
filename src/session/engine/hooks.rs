//! What a key-exchange mode supplies to the [`Responder`](super::Responder): its hooks
//! ([`Mode`]) and the values passed between them and the engine.

use super::super::replay::ReplayKey;
use super::super::SessionError;
use super::config::ResponderConfig;
use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::crypto::{CryptoProvider, Entropy, MacKind, SecretBytes};
use crate::wire::{CsIdMap, MacAlg, MessageView, ParseError, SecurityPolicy, Timestamp};

/// What every I_MESSAGE claims, read by the engine for its own checks (timestamp window,
/// replay cache, quotas, updates) before any cryptography.
pub struct Claims<'p> {
    /// The timestamp (T).
    pub t: Timestamp,
    /// RAND, when present.
    pub rand: Option<&'p [u8]>,
    /// IDi data, when present.
    pub id_i: Option<&'p [u8]>,
    /// IDr data, when present.
    pub id_r: Option<&'p [u8]>,
    /// Who the message says it is from, for quotas and COUNTER ordering: IDi, or the mode's
    /// equivalent (a certificate, an IDRi); empty for the anonymous peer.
    pub peer: &'p [u8],
    /// What names the message in the replay cache.
    pub replay: ReplayKey<'p>,
    /// The SP payloads.
    pub policies: &'p [SecurityPolicy<'p>],
}

/// The bundle a message refers to, as the table holds it.
pub struct Existing<'v, B> {
    /// The bundle.
    pub bundle: &'v CryptoSessionBundle,
    /// What binds it to its peer (`None`: a group's shared bundle).
    pub binding: Option<&'v B>,
    /// The key PSK updates of it are checked with, when it has one.
    pub update_key: Option<&'v SecretBytes>,
}

/// A message that passed the engine's cheap checks, as the mode's hooks see it.
pub struct Incoming<'v, 'a, B> {
    /// The parsed message.
    pub view: &'v MessageView<'a>,
    /// Its claims.
    pub claims: &'v Claims<'v>,
    /// The RAND keys derive from: the message's, or the bundle's for an update (RFC 3830
    /// §4.5); empty when neither exists (RSA-R, where the responder supplies it).
    pub rand: &'v [u8],
    /// The bundle with the message's CSB ID, when there is one.
    pub existing: Option<Existing<'v, B>>,
    /// An update of an existing bundle (no RAND, RFC 3830 §4.5).
    pub is_update: bool,
    /// The responder's settings.
    pub cfg: &'v ResponderConfig,
}

/// How a response (verification or Error message) is MACed once the initiator is
/// authenticated (RFC 3830 §5.2): MAC kind and code, key, IDi and IDr data.
#[derive(Clone)]
pub struct ReplyAuth {
    /// The MAC.
    pub kind: MacKind,
    /// Its code.
    pub alg: MacAlg,
    /// The auth key (RFC 3830 §4.1.4).
    pub key: SecretBytes,
    /// IDi data (empty when absent).
    pub id_i: Vec<u8>,
    /// IDr data (empty when absent).
    pub id_r: Vec<u8>,
}

/// What authentication established.
pub struct Authenticated<B, A> {
    /// What binds the bundle to this peer.
    pub binding: B,
    /// From here on an Error message carries V with this key, when the mode has one.
    pub reply_auth: Option<ReplyAuth>,
    /// The mode's own results, passed to `recover` and `reply`.
    pub state: A,
}

/// What the mode recovered (decrypted, agreed, or supplied).
pub struct Recovered {
    /// The keys the message brings (or the responder supplies).
    pub keys: Vec<TransportKey>,
    /// The CSB ID keys derive with when not the header's (RSA-R group mode, RFC 4738 §3.2).
    pub csb_id: Option<u32>,
    /// The RAND, when the responder supplied it (RSA-R).
    pub rand: Option<Vec<u8>>,
    /// The crypto session map, when not the header's with our SSRCs filled in.
    pub cs_map: Option<CsIdMap<'static>>,
    /// The policies, when not the message's SP payloads.
    pub policies: Option<Vec<SecurityPolicy<'static>>>,
    /// A bundle every member shares (RSA-R group mode): no owner, no quota.
    pub shared: bool,
    /// The key later PSK updates of this CSB are checked with (the PSK, or a cached envelope
    /// key, RFC 3830 §3.2); `None` keeps the bundle's current one on an update.
    pub update_key: Option<SecretBytes>,
    /// A MAC key for Error messages learnt only now (public-key mode: after decrypting the
    /// envelope key).
    pub reply_auth: Option<ReplyAuth>,
}

impl Recovered {
    /// The keys, everything else as the message says.
    pub fn keys(keys: Vec<TransportKey>) -> Self {
        Self {
            keys,
            csb_id: None,
            rand: None,
            cs_map: None,
            policies: None,
            shared: false,
            update_key: None,
            reply_auth: None,
        }
    }
}

/// What the hooks may use besides the message: the crypto provider and randomness.
pub struct Env<'e> {
    /// The crypto provider (RSA, modular exponentiation).
    pub provider: &'e dyn CryptoProvider,
    /// Randomness (keys, RAND, DH exponents, padding).
    pub rng: &'e mut dyn Entropy,
}

/// The bundle as it will be installed, for the reply.
pub struct Outcome<'o> {
    /// The bundle.
    pub bundle: &'o CryptoSessionBundle,
    /// The crypto session map the response echoes.
    pub cs_map: &'o CsIdMap<'static>,
    /// How the response is MACed, once known (PSK and public-key verification messages).
    pub auth: Option<&'o ReplyAuth>,
}

/// Whether a mode's initial messages may be followed by updates of the same CSB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Updates {
    /// A message without RAND updates the bundle with its CSB ID (RFC 3830 §4.5).
    WithoutRand,
    /// Every message sets the bundle up anew (RSA-R: the responder supplies the keys).
    Never,
}

mod sealed {
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// A key-exchange mode: what differs between modes in the receive pipeline of
/// [`Responder`](super::Responder). The engine runs, in this order: size and shape
/// ([`collect`](Mode::collect)), header and algorithms
/// ([`check_algorithms`](Mode::check_algorithms)), the timestamp window, the replay cache,
/// the peer's quotas, authentication ([`authenticate`](Mode::authenticate): a MAC or a
/// signature, never a private-key or DH operation), key recovery
/// ([`recover`](Mode::recover)), the checks on what was recovered, the reply
/// ([`reply`](Mode::reply)), and only then installs the bundle. Implemented by this crate's
/// modes only.
pub trait Mode: Sealed + Send {
    /// What binds a bundle to the peer that created it (the PSK, the peer's public key):
    /// updates and reuses of its CSB ID must show the same.
    type Binding: Clone + PartialEq + Send + Sync + 'static;
    /// The payloads of a received message, checked for shape.
    type Parts<'a>;
    /// What authentication established, for key recovery and the reply.
    type Authed;
    /// The mode's name (for `Debug`).
    const NAME: &'static str;
    /// Whether messages without RAND update a bundle.
    const UPDATES: Updates;

    /// The error and the answer (if any) for bytes that do not parse. A mode that answers
    /// calls `may_answer` just before it builds the answer, and builds none when it says
    /// no (the budget of [`ResponderLimits::error_replies_per_sec`] is spent).
    ///
    /// [`ResponderLimits::error_replies_per_sec`]: super::ResponderLimits::error_replies_per_sec
    fn parse_failure(
        &self,
        bytes: &[u8],
        e: ParseError,
        cfg: &ResponderConfig,
        now: core::time::Duration,
        may_answer: &mut dyn FnMut() -> bool,
    ) -> (SessionError, Option<Vec<u8>>) {
        let _ = (bytes, cfg, now, may_answer);
        (SessionError::Parse(e), None)
    }

    /// Checks the data type and the payloads' order and kinds, and collects them.
    fn collect<'a>(
        &self,
        view: &MessageView<'a>,
        cfg: &ResponderConfig,
    ) -> Result<Self::Parts<'a>, SessionError>;

    /// What the engine checks itself.
    fn claims<'p>(&self, parts: &'p Self::Parts<'_>) -> Claims<'p>;

    /// Algorithm checks (PRF, cipher, MAC, signature type, DH group): no cryptography.
    fn check_algorithms(
        &self,
        parts: &Self::Parts<'_>,
        cfg: &ResponderConfig,
    ) -> Result<(), SessionError>;

    /// Verifies the MAC or the signature (public-key operations at most). Takes the mode
    /// mutably so that it may keep state derived from its long-term keys between messages
    /// (the PSK mode keeps its last PSK made ready for the PRF).
    fn authenticate(
        &mut self,
        parts: &Self::Parts<'_>,
        m: &Incoming<'_, '_, Self::Binding>,
        env: &mut Env<'_>,
    ) -> Result<Authenticated<Self::Binding, Self::Authed>, SessionError>;

    /// Recovers the keys: decryption, private-key operations, DH, or fresh keys.
    fn recover(
        &self,
        parts: &Self::Parts<'_>,
        authed: &mut Self::Authed,
        m: &Incoming<'_, '_, Self::Binding>,
        env: &mut Env<'_>,
    ) -> Result<Recovered, SessionError>;

    /// The response to send, when there is one.
    fn reply(
        &self,
        parts: &Self::Parts<'_>,
        authed: &Self::Authed,
        m: &Incoming<'_, '_, Self::Binding>,
        out: &Outcome<'_>,
        env: &mut Env<'_>,
    ) -> Result<Option<Vec<u8>>, SessionError>;
}
