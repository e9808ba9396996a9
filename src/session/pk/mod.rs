//! The public-key envelope method, RFC 3830 §3.2:
//!
//! ```text
//! Initiator                                   Responder
//! I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP},
//!             KEMAC, [CHASH], PKE, SIGNi              --->
//!                                       [<---]  R_MESSAGE = HDR, T, [IDr], V
//! ```
//! * PKE = E(PKr, env_key): a fresh envelope key (16 bytes or more, from the caller's
//!   [`Entropy`](crate::crypto::Entropy)) encrypted to the responder's RSA key with PKCS#1 v1.5 (RFC 3830 §4.2.5,
//!   §6.3), with the envelope key cache indicator of RFC 3830 Table 6.3.
//! * KEMAC = E(encr_key, IDi || {TGK}) || MAC, with `encr_key`, `auth_key` and `salt_key`
//!   derived from the envelope key like from a pre-shared key (RFC 3830 §4.1.4). The MAC
//!   covers the KEMAC payload only, without its MAC field and with its Next payload field
//!   set to zero (RFC 3830 §5.2, §6.2).
//! * SIGNi: RSA PKCS#1 v1.5 (S type 0) or PSS (S type 1) over the whole message up to the
//!   signature field (RFC 3830 §5.2, §6.5), SHA-256 by default
//!   ([`SignatureScheme`]).
//! * R_MESSAGE: the verification message as in the PSK method, data type "PK ver msg",
//!   its V keyed with the `auth_key` derived from the envelope key (RFC 3830 §3.2, §5.2).
//!
//! The responder checks cheapest first (RFC 3830 §5.3, §9.2 denial of service): shape, data
//! type, algorithms, timestamp, replay cache, then the caller's [`PeerVerifier`](crate::session::PeerVerifier) and the
//! signature (public-key operations), and only then the private-key RSA decryption of PKE,
//! the KEMAC MAC and the decryption. A forged message costs no private-key operation.
//!
//! **Envelope key caching and updates (RFC 3830 §3.2, §4.5).** With a PKE cache indicator
//! of "Cache" or "Cache for CSB", both sides keep the envelope key for the CSB, and updates
//! are PSK messages with the envelope key as the PSK ([`PkInitiator::into_psk`]; the
//! [`PkResponder`] accepts them). This crate uses a cached envelope key only for the CSB it
//! came with (both indicators). Without caching, updates are public-key messages with a new
//! envelope key, no RAND and optionally no key ([`PkInitiator::initiate`] again).
//!
//! ```
//! use mikey::crypto::{default_provider, CryptoProvider};
//! use mikey::session::{PinnedKeys, PkConfig, PkInitiator, PkResponder, ResponderConfig, TransportKey, OsEntropy};
//! use mikey::wire::{Id, SrtpCs};
//! use std::sync::Arc;
//! use core::time::Duration;
//!
//! let p = default_provider();
//! let alice = p.rsa_private_from_pem(include_str!("../../../testvectors/keys/rsa2048-a.pem")).unwrap();
//! let bob = p.rsa_private_from_pem(include_str!("../../../testvectors/keys/rsa2048-b.pem")).unwrap();
//! let now = Duration::from_secs(1_800_000_000);
//!
//! let cfg = PkConfig {
//!     v: true,
//!     id_i: Some(Id::nai("alice@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     ..PkConfig::default()
//! };
//! // Bob trusts Alice's pinned key.
//! let trust = PinnedKeys::new().with(b"alice@example.com", &alice.to_spki_der());
//! let mut initiator = PkInitiator::new(alice, bob.public(), cfg);
//! let i_message = initiator.initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut OsEntropy).unwrap();
//!
//! let mut responder = PkResponder::new(bob, trust, ResponderConfig::default()).with_provider(Arc::new(mikey::crypto::RustCryptoProvider));
//! let accepted = responder.handle(&i_message, now).unwrap();
//! initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(initiator.srtp().unwrap(), responder.srtp(accepted.csb_id).unwrap());
//! ```

mod initiator;
mod open;
mod parts;
mod responder;

pub use initiator::PkInitiator;
pub use open::{open_pk_message, PkOpened};
pub use responder::{PkResponder, PublicKey};

use crate::crypto::SignatureScheme;
use crate::wire::{
    CacheType, EncrAlg, HashFunc, Id, MacAlg, PrfFunc, SecurityPolicy, SrtpCs, TsType,
};

/// Smallest envelope key accepted and sent (RFC 3830 §4.1.4 derives 128-bit keys from it).
pub const MIN_ENVELOPE_KEY_LEN: usize = 16;

/// Initiator settings of the public-key method (RFC 3830 §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkConfig {
    /// CSB ID; random when `None` (RFC 3830 §6.1).
    pub csb_id: Option<u32>,
    /// PRF (MIKEY-1 or PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// KEMAC encryption (AES-CM-128 by default, RFC 3830 §4.2.3).
    pub encr: EncrAlg,
    /// KEMAC MAC (HMAC-SHA-1-160 by default, RFC 3830 §4.2.4).
    pub mac: MacAlg,
    /// Ask for a verification message (RFC 3830 §3.2).
    pub v: bool,
    /// The initiator's identity: sent in the clear (when `send_id_i`) and always as the
    /// first payload of the KEMAC plaintext (RFC 3830 §3.2, §6.2). `None` sends an empty NAI
    /// inside the KEMAC and no clear IDi.
    pub id_i: Option<Id<'static>>,
    /// Send IDi in the clear too (RFC 3830 §3.2: SHOULD, MAY be left out when the peer
    /// knows it, e.g. from SIP). On by default.
    pub send_id_i: bool,
    /// The initiator's certificate chain (DER X.509v3, leaf first), one CERT payload each
    /// (RFC 3830 §6.7).
    pub certs: Vec<Vec<u8>>,
    /// The responder's identity, sent as IDr.
    pub id_r: Option<Id<'static>>,
    /// Send a CHASH of `responder_cert` with this hash function, to tell a responder with
    /// several keys which one was used (RFC 3830 §3.2, §6.8).
    pub chash: Option<HashFunc>,
    /// The responder's certificate (DER), for CHASH.
    pub responder_cert: Option<Vec<u8>>,
    /// Crypto sessions (SRTP-ID map; SSRC 0 lets the responder fill it in).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// A given RAND instead of a fresh one (group CSBs, RFC 3830 §6.11).
    pub rand: Option<Vec<u8>>,
    /// Signature scheme of SIGNi (RFC 3830 §6.5): PKCS#1 v1.5 / SHA-256 by default.
    pub signature: SignatureScheme,
    /// Envelope key cache indicator (RFC 3830 Table 6.3). `NoCache` by default.
    pub cache: CacheType,
    /// Envelope key length in bytes (at least [`MIN_ENVELOPE_KEY_LEN`]; 16 by default).
    pub envelope_key_len: usize,
}

impl Default for PkConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            v: false,
            id_i: None,
            send_id_i: true,
            certs: Vec::new(),
            id_r: None,
            chash: None,
            responder_cert: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            rand_len: 16,
            rand: None,
            signature: SignatureScheme::RsaPkcs1Sha256,
            cache: CacheType::NoCache,
            envelope_key_len: MIN_ENVELOPE_KEY_LEN,
        }
    }
}

/// The hash of a certificate for a CHASH payload (RFC 3830 §6.8; SHA-256 of RFC 6043
/// §6.7). `None` for MD5 and unknown functions, which this crate does not compute.
pub fn cert_hash(func: HashFunc, cert_der: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    match func {
        HashFunc::Sha1 => Some(sha1::Sha1::digest(cert_der).to_vec()),
        HashFunc::Sha256 => Some(sha2::Sha256::digest(cert_der).to_vec()),
        _ => None,
    }
}
