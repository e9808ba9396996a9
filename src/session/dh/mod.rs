//! What the two Diffie-Hellman modes share: the initiator's settings ([`DhConfig`]), the
//! responder's hooks ([`Dh`]), the initiator's result ([`Established`]) and the exchange itself,
//! which [`dh_sign`](super::dh_sign) (RFC 3830 §3.3) and [`dh_hmac`](super::dh_hmac)
//! (RFC 4650) complete with their authentication (a SIGN payload, or a KEMAC with NULL
//! encryption carrying a MAC).
//!
//! ```text
//! DH-SIGN  I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi
//!          R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr
//! DHHMAC   I_MESSAGE = HDR, T, RAND, [IDi], IDr, {SP}, DHi, KEMAC
//!          R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, KEMAC
//! ```
//! Both sides compute the TGK `g^(xi*xr)` (RFC 3830 §3.3, §4.1; RFC 4650 §3), which becomes
//! a TGK of the crypto session bundle with the key validity of the DHi payload (§6.4); TEKs
//! derive from it with the RAND of the I_MESSAGE (§4.1.3). The response is mandatory: the V
//! flag is sent as 0 and ignored (RFC 3830 §6.1).
//!
//! Updates (RFC 3830 §4.5, Figure 4.1; RFC 4650 §3.1) reuse the CSB ID and carry no RAND;
//! with a fresh DHi the responder answers with a fresh DHr and the TGK is replaced (re-keying),
//! without DH payloads only policies and crypto sessions change.
//!
//! Responders check cheapest first (RFC 3830 §5.3, §9.2): shape, data type, algorithms and
//! group, timestamp, replay cache, then the MAC or signature (public-key operations only),
//! the peer's DH value range, and only then exponentiate and sign. Error messages are not
//! authenticated (RFC 3830 §5.1.2 leaves it to local policy; signing them would hand a
//! forger a private-key operation, and RFC 4650 §4.1 has no V payload); initiators report
//! them as [`SessionError::PeerError`] and keep waiting for a genuine response. Replays get
//! no answer; undecodable messages get one only in DHHMAC (RFC 4650 §4.1 "SHALL"), when
//! their header parses.

use super::common::initiator_export;
use super::common::{apply_ssrcs, filled_ssrcs, new_timestamp, outgoing_cs_map, prf_of};
use super::{Entropy, SessionError};
use crate::bundle::{BundleChange, CryptoSessionBundle, TransportKey};
use crate::crypto::dh::{group, DhKeyPair};
use crate::crypto::CryptoProvider;
use crate::srtp::export::SrtpParams;
use crate::wire::{
    CsIdMap, DataType, DhGroup, ErrorNo, Header, Id, KeyDataType, KeyValidity, Message,
    MessageView, Payload, PrfFunc, SecurityPolicy, SrtpCs, SrtpIdMap, Timestamp, TsType,
};
use core::time::Duration;
use std::borrow::Cow;
use std::sync::Arc;

/// Initiator settings of both DH modes (RFC 3830 §3.3, RFC 4650 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhConfig {
    /// CSB ID; random when `None` (RFC 3830 §6.1).
    pub csb_id: Option<u32>,
    /// PRF for TEK derivation and, in DHHMAC, the auth key (RFC 3830 §4.1.2; RFC 6043 §6.1).
    pub prf: PrfFunc,
    /// DH group (RFC 3830 §6.4): OAKLEY 5 by default.
    pub group: DhGroup,
    /// Key validity of the TGK, sent in DHi (RFC 3830 §6.4, §6.14): e.g. an SRTP MKI.
    pub kv: KeyValidity<'static>,
    /// Initiator identity (IDi).
    pub id_i: Option<Id<'static>>,
    /// Responder identity (IDr); DHHMAC requires it (RFC 4650 §3).
    pub id_r: Option<Id<'static>>,
    /// Crypto sessions (SRTP-ID map; SSRC 0 lets the responder fill it in).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
}

impl Default for DhConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            group: DhGroup::Oakley5,
            kv: KeyValidity::Null,
            id_i: None,
            id_r: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            rand_len: 16,
        }
    }
}

/// The responder's answer was authenticated and the TGK (if the exchange carried DH values)
/// computed: the initiator's bundle is up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Established {
    /// CSB ID.
    pub csb_id: u32,
    /// True when a new TGK was agreed (initial exchange or re-keying, RFC 4650 §3.1 a).
    pub rekeyed: bool,
    /// What changed in the bundle.
    pub change: BundleChange,
    /// SSRCs the responder filled in (CS ID, SSRC).
    pub ssrcs_filled: Vec<(u8, u32)>,
}

/// The group of a DH payload, if this side accepts it.
pub(crate) fn accepted_group(
    g: DhGroup,
    allowed: &[DhGroup],
) -> Result<&'static crate::crypto::dh::ModpGroup, SessionError> {
    match group(g) {
        Some(m) if allowed.contains(&g) => Ok(m),
        _ => Err(SessionError::InvalidDh(format!("group {g} not accepted"))),
    }
}

pub(crate) fn dh_payload<'a>(group: DhGroup, value: &[u8], kv: KeyValidity<'a>) -> DhPayload<'a> {
    DhPayload {
        group,
        value: Cow::Owned(value.to_vec()),
        reserved: 0,
        kv,
    }
}

pub(crate) fn tgk_key(
    secret: crate::crypto::SecretBytes,
    kv: KeyValidity<'static>,
) -> TransportKey {
    TransportKey {
        key_type: KeyDataType::Tgk,
        key: secret,
        salt: None,
        kv,
    }
}

pub(crate) mod initiator;
mod parts;
pub(crate) mod responder;

pub(crate) use parts::{parse_parts, AuthPart, Flavor, Parts};

pub(crate) use crate::wire::Dh as DhPayload;
pub(crate) use initiator::InitiatorCore;
pub use responder::Dh;
pub(crate) use responder::{DhAuth, DhParts};
