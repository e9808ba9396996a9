//! Pieces shared by the exchanges: algorithm mapping, timestamp checks, verification MACs
//! and error messages.

use super::{SessionError, TimestampPolicy};
use crate::crypto::{KemacCipher, MacKind, MacTag, Prf};
use crate::wire::{
    CsIdMap, DataType, EncrAlg, ErrorNo, ErrorPayload, Header, Id, MacAlg, Message, Payload,
    PrfFunc, Timestamp, TsType, Verification,
};
use core::time::Duration;
use std::borrow::Cow;

pub(crate) fn prf_of(p: PrfFunc) -> Result<Prf, SessionError> {
    match p {
        PrfFunc::Mikey1 => Ok(Prf::MikeyOne),
        PrfFunc::HmacSha256 => Ok(Prf::HmacSha256),
        PrfFunc::Unknown(v) => Err(SessionError::InvalidPrf(v)),
    }
}

pub(crate) fn cipher_of(e: EncrAlg, allow_null: bool) -> Result<KemacCipher, SessionError> {
    match e {
        EncrAlg::Null if allow_null => Ok(KemacCipher::Null),
        EncrAlg::AesCm128 => Ok(KemacCipher::AesCm128),
        EncrAlg::AesCm256 => Ok(KemacCipher::AesCm256),
        EncrAlg::AesKw128 => Ok(KemacCipher::AesKw128),
        other => Err(SessionError::InvalidEncryption(other.to_wire())),
    }
}

pub(crate) fn mac_of(m: MacAlg, allow_null: bool) -> Result<MacKind, SessionError> {
    match m {
        MacAlg::Null if allow_null => Ok(MacKind::Null),
        MacAlg::HmacSha1_160 => Ok(MacKind::HmacSha1_160),
        MacAlg::HmacSha256_256 => Ok(MacKind::HmacSha256_256),
        other => Err(SessionError::InvalidMac(other.to_wire())),
    }
}

/// Checks a timestamp against the local clock; returns how long (seconds since the Unix
/// epoch) the message must stay in the replay cache.
pub(crate) fn check_timestamp(
    ts: &Timestamp,
    now: Duration,
    policy: &TimestampPolicy,
    last_counter: Option<u64>,
) -> Result<u64, SessionError> {
    let skew = policy.max_skew.as_secs();
    let until = now.as_secs().saturating_add(skew);
    match ts.ts_type {
        TsType::Counter => {
            if last_counter.is_some_and(|c| ts.value <= c) {
                return Err(SessionError::InvalidTimestamp);
            }
            Ok(until)
        }
        TsType::NtpUtc | TsType::Ntp | TsType::NtpUtc32 => {
            if policy.accept_any_time {
                return Ok(until);
            }
            let t = ts
                .to_unix()
                .ok_or(SessionError::InvalidTimestamp)?
                .as_secs();
            if t.abs_diff(now.as_secs()) > skew {
                return Err(SessionError::InvalidTimestamp);
            }
            Ok(t.saturating_add(skew))
        }
        TsType::Unknown(_) => Err(SessionError::InvalidTimestamp),
    }
}

/// The TS value bytes as on the wire (for the verification MAC, RFC 3830 §5.2).
pub(crate) fn ts_bytes(ts: &Timestamp) -> Vec<u8> {
    let mut v = Vec::with_capacity(10);
    crate::wire::PayloadBody::encode(ts, crate::wire::PayloadType::Last, &mut v);
    v.drain(..2);
    v
}

/// MAC of a response: over the message up to the MAC field, then IDi || IDr || T
/// (RFC 3830 §5.2).
pub(crate) fn response_mac(
    kind: MacKind,
    key: &[u8],
    msg: &[u8],
    id_i: &[u8],
    id_r: &[u8],
    t: &[u8],
) -> MacTag {
    let mut data = Vec::with_capacity(msg.len() + id_i.len() + id_r.len() + t.len());
    data.extend_from_slice(msg);
    data.extend_from_slice(id_i);
    data.extend_from_slice(id_r);
    data.extend_from_slice(t);
    crate::crypto::mac(kind, key, &data)
}

/// Appends a V payload to `msg`, computes its MAC over the whole message plus the
/// identities and timestamp, and returns the encoding.
pub(crate) fn seal_with_v(
    mut msg: Message<'_>,
    kind: MacKind,
    mac_alg: MacAlg,
    key: &[u8],
    id_i: &[u8],
    id_r: &[u8],
    t: &[u8],
) -> Vec<u8> {
    let len = kind.mac_len();
    msg.payloads.push(Payload::V(Verification {
        auth_alg: mac_alg,
        mac: Cow::Owned(vec![0; len]),
    }));
    let mut out = msg.encode();
    let body = out.len() - len;
    let tag = response_mac(kind, key, &out[..body], id_i, id_r, t);
    out[body..].copy_from_slice(tag.as_bytes());
    out
}

/// How a response is authenticated: MAC kind and code, auth key, IDi and IDr.
pub(crate) struct ResponseAuth<'a> {
    pub kind: MacKind,
    pub alg: MacAlg,
    pub key: &'a [u8],
    pub id_i: &'a [u8],
    pub id_r: &'a [u8],
}

/// An Error message (RFC 3830 §5.1.2): HDR, T, [IDr], {ERR}, [V].
pub(crate) fn error_message(
    csb_id: u32,
    prf: PrfFunc,
    cs_map: CsIdMap<'static>,
    t: Timestamp,
    errors: &[ErrorNo],
    id_r: Option<Id<'static>>,
    auth: Option<ResponseAuth<'_>>,
) -> Vec<u8> {
    let mut h = Header::new(DataType::Error, csb_id);
    h.prf = prf;
    h.cs_map = cs_map;
    let mut m = Message::new(h).with(Payload::T(t));
    if let Some(id) = id_r {
        m.payloads.push(Payload::Id(id));
    }
    for e in errors {
        m.payloads.push(Payload::Err(ErrorPayload::new(*e)));
    }
    match auth {
        Some(a) => seal_with_v(m, a.kind, a.alg, a.key, a.id_i, a.id_r, &ts_bytes(&t)),
        None => m.encode(),
    }
}
