//! The pre-shared key method, RFC 3830 §3.1:
//!
//! ```text
//! Initiator                                   Responder
//! I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC  --->
//!                                       [<---]  R_MESSAGE = HDR, T, [IDr], V
//! ```
//! KEMAC = E(encr_key, {TGK}) || MAC, with keys derived from the PSK (§4.1.4); the MAC
//! covers the whole message up to the MAC field (§5.2). Updates (§4.5) reuse the CSB ID
//! and the first exchange's RAND, and carry no RAND.
//!
//! ```
//! use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey, OsEntropy};
//! use mikey::wire::SrtpCs;
//! use core::time::Duration;
//!
//! let psk = [7u8; 16];
//! let now = Duration::from_secs(1_800_000_000);
//! let cfg = PskConfig { v: true, crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }], ..PskConfig::default() };
//! let mut initiator = PskInitiator::new(&psk, cfg);
//! let i_message = initiator.initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut OsEntropy).unwrap();
//!
//! let mut responder = PskResponder::new(mikey::crypto::SecretBytes::from_slice(&psk), ResponderConfig::default());
//! let accepted = responder.handle(&i_message, now).unwrap();
//! let verified = initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(verified.csb_id, accepted.csb_id);
//! let a = initiator.srtp().unwrap();
//! let b = responder.srtp(accepted.csb_id).unwrap();
//! assert_eq!(a[0].master_key, b[0].master_key);
//! ```

mod initiator;
mod message;
mod open;
mod responder;
#[cfg(test)]
mod tests;

pub use initiator::PskInitiator;
pub(crate) use message::{build_i_message, decrypt_key_list, decrypt_keys, IMessage, Plain};
pub use open::{open_psk_message, verify_psk_response, Opened};
pub(crate) use responder::{verification_reply, PskAuthed, PskParts, ReadyPsk};
pub use responder::{Psk, PskResponder};

use crate::crypto::SecretBytes;
use crate::wire::{EncrAlg, Id, MacAlg, PrfFunc, SecurityPolicy, SrtpCs, TsType};
use std::collections::HashMap;

/// Initiator settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskConfig {
    /// CSB ID; random when `None` (RFC 3830 §6.1 recommends a random one).
    pub csb_id: Option<u32>,
    /// PRF (MIKEY-1 or PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// KEMAC encryption (AES-CM-128 by default; NULL only for the RTSP/ONVIF "MIKEY-NULL"
    /// profile over TLS).
    pub encr: EncrAlg,
    /// KEMAC MAC (HMAC-SHA-1-160 by default).
    pub mac: MacAlg,
    /// Ask for a verification message.
    pub v: bool,
    /// Initiator identity sent in an ID payload.
    pub id_i: Option<Id<'static>>,
    /// Responder identity sent in an ID payload.
    pub id_r: Option<Id<'static>>,
    /// Crypto sessions (SRTP-ID map; SSRC 0 lets the responder fill it in).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// A given RAND instead of a fresh one: a group controller sends the same RAND to every
    /// member of a CSB (RFC 3830 §6.11, §8.1).
    pub rand: Option<Vec<u8>>,
}

impl Default for PskConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            v: false,
            id_i: None,
            id_r: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            rand_len: 16,
            rand: None,
        }
    }
}

/// Where a responder finds the pre-shared key of an initiator.
///
/// The store is asked for every message. The responder keeps the last key it was given made
/// ready for the PRF and reuses that work only while the store's answer is the same key
/// (compared in constant time), so a store may change its answers at any time.
pub trait PskStore {
    /// The PSK for the identities the message carries (ID data, when present).
    fn lookup(&self, id_i: Option<&[u8]>, id_r: Option<&[u8]>) -> Option<SecretBytes>;
}

impl PskStore for SecretBytes {
    fn lookup(&self, _: Option<&[u8]>, _: Option<&[u8]>) -> Option<SecretBytes> {
        Some(self.clone())
    }
}

/// PSKs by initiator identity (ID data of IDi).
impl PskStore for HashMap<Vec<u8>, SecretBytes> {
    fn lookup(&self, id_i: Option<&[u8]>, _: Option<&[u8]>) -> Option<SecretBytes> {
        self.get(id_i?).cloned()
    }
}

/// The verification message was checked: the responder holds the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// CSB ID.
    pub csb_id: u32,
    /// SSRCs the responder filled in (CS ID, SSRC).
    pub ssrcs_filled: Vec<(u8, u32)>,
}
