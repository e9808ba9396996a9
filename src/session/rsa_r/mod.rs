//! MIKEY-RSA-R, the reverse RSA mode of RFC 4738: the initiator asks, the responder
//! supplies the keys, encrypted to the initiator's public key.
//!
//! ```text
//! Initiator                                            Responder
//! I_MESSAGE = HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, SIGNi          --->
//!             <---  R_MESSAGE = HDR, [GenExt(CSB_ID)], T, [RAND], [IDr|CERTr], [SP],
//!                               KEMAC, PKE, SIGNr
//! ```
//! (RFC 4738 §3.1, Figure 1; group mode §3.2, Figure 2: no SP from the initiator, and
//! GenExt(CSB_ID), RAND and SP mandatory in the R_MESSAGE.)
//!
//! * I_MESSAGE: data type "RSA-R I_MSG" (9), V set (a response is mandatory, §3.4), signed
//!   as in RFC 3830 §5.2 over the whole message up to the signature field. RAND is sent by
//!   default (SHOULD for unicast, §3.4).
//! * R_MESSAGE: data type "RSA-R R_MSG" (10), the CSB ID of the I_MESSAGE in the header,
//!   the same T (§3.6); RAND only when the I_MESSAGE had none (unicast) or always (group);
//!   KEMAC = E(encr_key, IDr || {TGK}) || MAC with keys derived from a fresh envelope key
//!   (RFC 3830 §4.1.4; MAC over the KEMAC with its Next payload zeroed, RFC 3830 §5.2);
//!   PKE = E(PKi, env_key) with RSA PKCS#1 v1.5 to the initiator's key; SIGNr over
//!   "R_MESSAGE (excluding the SIGNr payload itself) || IDi || IDr || T" (§3.6). This crate
//!   reads "excluding the SIGNr payload" literally: the signed bytes end before the SIGN
//!   payload's S type / length field, then IDi, IDr (ID data, empty when absent) and the
//!   T payload's TS value follow.
//! * Group mode (§3.2, §3.6): the responder adds GenExt(CSB_ID) with the group's CSB ID,
//!   which both sides then use for key derivation (KEMAC keys and TEKs), and always RAND
//!   and SP; the RAND of the I_MESSAGE is ignored.
//! * Errors (§3.5): an I_MESSAGE that cannot be parsed is answered with Error no 13
//!   "Unsupported message type" (when its header can be read); other errors as in
//!   RFC 3830 §5.1.2, unauthenticated (no key is shared yet). The initiator silently
//!   discards (returns an error for) an R_MESSAGE that breaks the RAND rule or carries a
//!   policy it did not offer (§3.7).
//!
//! Both sides check cheapest first: the responder does no private-key operation (its
//! signature) before the initiator's signature verified; the initiator does no RSA
//! decryption before the responder's signature verified. Certificates of type "X.509v3
//! URL" (§3.8) are not fetched (this crate does no I/O): the caller's [`PeerVerifier`](crate::session::PeerVerifier) sees
//! DER certificates and identities only.
//!
//! ```
//! use mikey::crypto::{default_provider, CryptoProvider, RustCryptoProvider};
//! use mikey::session::{PinnedKeys, ResponderConfig, RsaRConfig, RsaRInitiator, RsaRResponder, OsEntropy};
//! use mikey::wire::{Id, SrtpCs};
//! use std::sync::Arc;
//! use core::time::Duration;
//!
//! let p = default_provider();
//! let alice = p.rsa_private_from_pem(include_str!("../../../testvectors/keys/rsa2048-a.pem")).unwrap();
//! let bob = p.rsa_private_from_pem(include_str!("../../../testvectors/keys/rsa2048-b.pem")).unwrap();
//! let now = Duration::from_secs(1_800_000_000);
//! let trust_alice = PinnedKeys::new().with(b"alice@example.com", &alice.to_spki_der());
//! let trust_bob = PinnedKeys::new().with(b"bob@example.com", &bob.to_spki_der());
//!
//! let cfg = RsaRConfig {
//!     id_i: Some(Id::nai("alice@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     ..RsaRConfig::default()
//! };
//! let provider = Arc::new(RustCryptoProvider);
//! let mut initiator = RsaRInitiator::new(provider.clone(), alice, trust_bob, cfg);
//! let i_message = initiator.initiate(now, &mut OsEntropy).unwrap();
//!
//! let rcfg = ResponderConfig { id_r: Some(Id::nai("bob@example.com")), ..ResponderConfig::default() };
//! let mut responder = RsaRResponder::new(bob, trust_alice, rcfg).with_provider(provider);
//! let accepted = responder.handle(&i_message, now).unwrap();
//! let got = initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(initiator.srtp().unwrap(), responder.srtp(got.csb_id).unwrap());
//! ```

mod initiator;
mod parts;
mod responder;

pub use initiator::RsaRInitiator;
pub use responder::{RsaR, RsaRResponder, RsaRSettings};

use crate::bundle::{BundleChange, TransportKey};
use crate::crypto::SignatureScheme;
use crate::wire::{Id, PrfFunc, SecurityPolicy, SrtpCs, TsType};

/// Initiator settings of RSA-R (RFC 4738 §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRConfig {
    /// CSB ID; random when `None` (RFC 4738 §3.4: "randomly selected by the Initiator").
    pub csb_id: Option<u32>,
    /// PRF (MIKEY-1 or PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// Our identity (IDi), sent in the clear and used in SIGNr's input (RFC 4738 §3.6).
    pub id_i: Option<Id<'static>>,
    /// Our certificate chain (DER X.509v3, leaf first), one CERT payload each.
    pub certs: Vec<Vec<u8>>,
    /// The responder identity we insist on (RFC 4738 §3.4: an initiator that accepts only
    /// a specific responder MUST send it as IDr). When set, an R_MESSAGE from any other
    /// identity is rejected; leave it `None` to let the call be retargeted (§4, §5).
    pub id_r: Option<Id<'static>>,
    /// Streams we originate (SSRC 0 lets the responder choose); empty for listen-only and
    /// group members (number of CSs 0, §3.4).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies we support (unicast only: group members send none, §3.2).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// Send a RAND (RFC 4738 §3.4: SHOULD for unicast). On by default.
    pub send_rand: bool,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// Signature scheme of SIGNi.
    pub signature: SignatureScheme,
    /// Expect group mode (RFC 4738 §3.2): the R_MESSAGE must carry GenExt(CSB_ID), RAND
    /// and SP. When false, an R_MESSAGE with GenExt(CSB_ID) is rejected (§3.6).
    pub group: bool,
    /// Also accept SHA-1 signatures from the responder.
    pub sha1_signatures: bool,
}

impl Default for RsaRConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            id_i: None,
            certs: Vec::new(),
            id_r: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            send_rand: true,
            rand_len: 16,
            signature: SignatureScheme::RsaPkcs1Sha256,
            group: false,
            sha1_signatures: false,
        }
    }
}

/// An accepted R_MESSAGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRAccepted {
    /// The CSB ID the keys are derived with: the group's (GenExt CSB_ID) in group mode,
    /// ours otherwise (RFC 4738 §3.6).
    pub csb_id: u32,
    /// What the bundle now holds.
    pub change: BundleChange,
    /// The responder's authenticated identity (the ID data inside its KEMAC).
    pub responder_id: Id<'static>,
    /// Whether the responder answered in group mode.
    pub group: bool,
}

/// The keys, policies and map a group's key server hands every member (RFC 4738 §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRGroup {
    /// The group's CSB ID, sent in GenExt(CSB_ID) and used for key derivation (§3.6).
    pub csb_id: u32,
    /// The group's RAND (sent in every R_MESSAGE, §3.4, §3.5).
    pub rand: Vec<u8>,
    /// The group's crypto sessions.
    pub crypto_sessions: Vec<SrtpCs>,
    /// The group's security policies (mandatory SP, §3.2).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// The group's TGKs.
    pub keys: Vec<TransportKey>,
}
