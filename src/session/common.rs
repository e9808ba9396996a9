//! Pieces shared by the exchanges: algorithm mapping, timestamps and their checks,
//! verification MACs, signatures, crypto session maps and error messages.

use super::SessionError;
use crate::bundle::CryptoSessionBundle;
use crate::crypto::{
    Entropy, KemacCipher, MacKey, MacKind, MacTag, Prf, RsaPublic, SignatureScheme,
};
use crate::srtp::export::DecodedPolicies;
use crate::wire::{
    CsIdMap, DataType, EncrAlg, ErrorKind, ErrorNo, Header, MacAlg, Message, ParseCtx, ParseError,
    ParseOptions, Payload, PayloadType, PrfFunc, Reader, Sign, SignType, SrtpCs, SrtpIdMap,
    Timestamp, TsType, Verification,
};
use core::time::Duration;
use std::borrow::Cow;

/// The SRTP parameters of a bundle ([`crate::srtp::export::export`]), its error as a
/// [`SessionError`].
pub(crate) fn export(
    bundle: &CryptoSessionBundle,
) -> Result<Vec<crate::srtp::SrtpParams>, SessionError> {
    Ok(crate::srtp::export::export(bundle)?)
}

/// An initiator's SRTP parameters: those of its bundle, once it has one, with the policy
/// settings it kept ([`DecodedPolicies`], default: none kept).
pub(crate) fn initiator_export(
    bundle: Option<&CryptoSessionBundle>,
    kept: &DecodedPolicies,
) -> Result<Vec<crate::srtp::SrtpParams>, SessionError> {
    let bundle = bundle.ok_or(SessionError::WrongState("no bundle yet"))?;
    Ok(crate::srtp::export::export_decoded(bundle, kept)?)
}

/// The PRF of a `PRF func` code (the one table: `Prf`'s `TryFrom<PrfFunc>`).
pub(crate) fn prf_of(p: PrfFunc) -> Result<Prf, SessionError> {
    Prf::try_from(p).map_err(|_| SessionError::InvalidPrf(p.to_wire()))
}

/// The cipher of an `Encr alg` code (`KemacCipher`'s `TryFrom<EncrAlg>`); NULL only when
/// allowed.
pub(crate) fn cipher_of(e: EncrAlg, allow_null: bool) -> Result<KemacCipher, SessionError> {
    KemacCipher::try_from(e)
        .ok()
        .filter(|c| allow_null || *c != KemacCipher::Null)
        .ok_or_else(|| SessionError::InvalidEncryption(e.to_wire()))
}

/// The MAC of a `MAC alg` code (`MacKind`'s `TryFrom<MacAlg>`); NULL only when allowed.
pub(crate) fn mac_of(m: MacAlg, allow_null: bool) -> Result<MacKind, SessionError> {
    MacKind::try_from(m)
        .ok()
        .filter(|k| allow_null || *k != MacKind::Null)
        .ok_or_else(|| SessionError::InvalidMac(m.to_wire()))
}

/// The TS value bytes as on the wire (for the verification MAC, RFC 3830 §5.2), in a
/// fixed buffer (no allocation per message).
pub(crate) struct TsBytes {
    buf: [u8; 8],
    len: usize,
}

impl core::ops::Deref for TsBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The TS value bytes as on the wire (RFC 3830 §6.6: 64 bits for NTP-UTC, NTP and
/// COUNTER; 32 bits for NTP-UTC-32, RFC 6043 §6.6).
pub(crate) fn ts_bytes(ts: &Timestamp) -> TsBytes {
    let len = crate::wire::PayloadBody::encoded_len(ts) - 2;
    let mut buf = [0u8; 8];
    if len == 8 {
        buf.copy_from_slice(&ts.value.to_be_bytes());
    } else {
        buf[..4].copy_from_slice(&(ts.value as u32).to_be_bytes());
    }
    TsBytes {
        buf,
        len: len.min(8),
    }
}

/// MAC of a response with `kind`: over the message up to the MAC field, then IDi || IDr || T
/// (RFC 3830 §5.2), with `key` as made ready (keyed anew only for another kind).
pub(crate) fn response_mac(
    key: &MacKey,
    kind: MacKind,
    msg: &[u8],
    id_i: &[u8],
    id_r: &[u8],
    t: &[u8],
) -> MacTag {
    key.mac_parts_as(kind, &[msg, id_i, id_r, t])
}

/// Placeholder bytes for a MAC field of `len` bytes, overwritten once the MAC is computed
/// (borrowed: no allocation for MACs of up to 32 bytes, all of RFC 3830 and RFC 6043).
pub(crate) fn mac_placeholder(len: usize) -> Cow<'static, [u8]> {
    const ZEROS: [u8; 32] = [0; 32];
    match ZEROS.get(..len) {
        Some(z) => Cow::Borrowed(z),
        None => Cow::Owned(vec![0; len]),
    }
}

/// Encodes the message `header`, `payloads`, V: the V payload's MAC (`auth`) covers the
/// whole message up to the MAC field, then IDi, IDr and the TS value `t` (RFC 3830 §5.2).
pub(crate) fn seal_with_v(
    header: &Header<'_>,
    payloads: &[Payload<'_>],
    auth: &ResponseAuth<'_>,
    t: &[u8],
) -> Result<Vec<u8>, SessionError> {
    let kind = auth.key.kind();
    let len = kind.mac_len();
    let v = [Payload::V(Verification {
        auth_alg: auth.alg,
        mac: mac_placeholder(len),
    })];
    let mut out = Vec::new();
    crate::wire::encode_iter(header, payloads.iter().chain(&v), &mut out)?;
    let body = out.len() - len;
    let tag = response_mac(auth.key, kind, &out[..body], auth.id_i, auth.id_r, t);
    out[body..].copy_from_slice(tag.as_bytes());
    Ok(out)
}

/// How a response is authenticated: MAC code, auth key made ready for its MAC kind, IDi
/// and IDr.
pub(crate) struct ResponseAuth<'a> {
    pub alg: MacAlg,
    pub key: &'a MacKey,
    pub id_i: &'a [u8],
    pub id_r: &'a [u8],
}

/// The timestamp of a new initiator message (RFC 3830 §5.2: unique per message; §6.6):
/// NTP-UTC or NTP from `now`, or the next value of `counter`.
pub(crate) fn new_timestamp(
    ts_type: TsType,
    now: Duration,
    counter: &mut u32,
) -> Result<Timestamp, SessionError> {
    match ts_type {
        TsType::Counter => {
            *counter = counter.wrapping_add(1);
            Ok(Timestamp::counter(*counter))
        }
        TsType::NtpUtc | TsType::Ntp => Ok(Timestamp {
            ts_type,
            value: Timestamp::from_unix(now).value,
        }),
        other => Err(SessionError::Unspecified(format!(
            "timestamp type {other} not supported for sending"
        ))),
    }
}

/// The CSB ID and RAND of an initiator's message: the bundle's for an update, else the
/// configured (or a random) CSB ID and the configured (or a fresh `rand_len`-byte) RAND
/// (RFC 3830 §4.1.1, §6.1, §6.11), randomness drawn in that order.
pub(crate) fn csb_and_rand(
    bundle: Option<&CryptoSessionBundle>,
    csb_id: Option<u32>,
    rand: Option<&[u8]>,
    rand_len: u8,
    rng: &mut dyn Entropy,
) -> (u32, Vec<u8>) {
    if let Some(b) = bundle {
        return (b.csb_id, b.rand.clone());
    }
    let csb_id = csb_id.unwrap_or_else(|| {
        let mut b = [0u8; 4];
        rng.fill(&mut b);
        u32::from_be_bytes(b)
    });
    let r = rand.map(<[u8]>::to_vec).unwrap_or_else(|| {
        let mut r = vec![0u8; usize::from(rand_len)];
        rng.fill(&mut r);
        r
    });
    (csb_id, r)
}

/// The crypto sessions of an initiator's next message: the configured ones, keeping SSRCs
/// the responder filled in earlier (RFC 3830 §4.5, §6.1.1).
pub(crate) fn outgoing_cs_map(
    configured: &[SrtpCs],
    bundle: Option<&CryptoSessionBundle>,
) -> Result<SrtpIdMap<'static>, SessionError> {
    let mut cs_map = SrtpIdMap::from_entries(configured)?;
    if let Some(CsIdMap::SrtpId(known)) = bundle.map(|b| &b.cs_map) {
        for (id, cs) in known.iter() {
            if cs_map.get(id).is_some_and(|c| c.ssrc == 0) && cs.ssrc != 0 {
                cs_map.set_ssrc(id, cs.ssrc);
            }
        }
    }
    Ok(cs_map)
}

/// Responder: fills crypto sessions with SSRC 0 with our SSRCs, in order (RFC 3830 §6.1.1).
pub(crate) fn fill_ssrcs(cs_map: &mut CsIdMap<'static>, local: &[u32]) {
    let mut filled = local.iter();
    if let CsIdMap::SrtpId(m) = cs_map {
        for id in 1..=m.len().min(255) as u8 {
            if m.get(id).is_some_and(|c| c.ssrc == 0) {
                match filled.next() {
                    Some(s) => {
                        m.set_ssrc(id, *s);
                    }
                    None => break,
                }
            }
        }
    }
}

/// Initiator: the SSRCs the responder filled in (CS ID, SSRC), comparing its map with ours.
pub(crate) fn filled_ssrcs(theirs: &CsIdMap<'_>, ours: &CsIdMap<'_>) -> Vec<(u8, u32)> {
    let mut filled = Vec::new();
    if let (CsIdMap::SrtpId(theirs), CsIdMap::SrtpId(ours)) = (theirs, ours) {
        for (id, cs) in ours.iter() {
            if let Some(t) = theirs.get(id) {
                if cs.ssrc == 0 && t.ssrc != 0 {
                    filled.push((id, t.ssrc));
                }
            }
        }
    }
    filled
}

/// Initiator: takes over the SSRCs the responder filled in.
pub(crate) fn apply_ssrcs(ours: &mut CsIdMap<'static>, filled: &[(u8, u32)]) {
    if let CsIdMap::SrtpId(m) = ours {
        for (id, ssrc) in filled {
            m.set_ssrc(*id, *ssrc);
        }
    }
}

/// The signature scheme for a received SIGN `S type`: `preferred` when its `S type` matches
/// (so a peer configured for SHA-1 is verified with SHA-1), else the SHA-256 default
/// (RFC 3830 §6.5 does not signal the hash).
pub(crate) fn scheme_for(
    s_type: SignType,
    preferred: SignatureScheme,
) -> Result<SignatureScheme, SessionError> {
    if SignType::from(preferred) == s_type {
        return Ok(preferred);
    }
    SignatureScheme::from_s_type(s_type.to_wire())
        .map_err(|_| SessionError::Unspecified(format!("signature type {s_type} not supported")))
}

/// Verifies the SIGN payload (the last payload) of `msg` with `key` (RFC 3830 §5.2, §5.3).
pub(crate) fn verify_sign(
    msg: &[u8],
    sign: &Sign<'_>,
    key: &dyn RsaPublic,
    preferred: SignatureScheme,
) -> Result<(), SessionError> {
    let scheme = scheme_for(sign.sign_type, preferred)?;
    let body = msg
        .len()
        .checked_sub(sign.signature.len())
        .ok_or_else(|| SessionError::AuthFailure)?;
    key.verify(scheme, &msg[..body], &sign.signature)
        .map_err(|_| SessionError::AuthFailure)
}

/// For a message the parser rejected: its header and the timestamp, when they parse (for an
/// Error message answering it, RFC 3830 §5.1.2; RFC 4650 §4.1).
pub(crate) fn salvage_header(
    bytes: &[u8],
    opts: ParseOptions,
) -> Option<(Header<'static>, Option<Timestamp>)> {
    let mut r = Reader::new(bytes);
    let (header, mut next) = Header::parse(&mut r).ok()?;
    let mut ctx = ParseCtx {
        lenient: opts.lenient,
        ..ParseCtx::default()
    };
    let mut t = None;
    while next != PayloadType::Last {
        let Ok((p, n)) = Payload::parse(next, &mut r, &mut ctx) else {
            break;
        };
        if let Payload::T(x) = p {
            t = Some(x);
        }
        next = n;
    }
    Some((header.into_owned(), t))
}

/// Whether a parse error is an unknown DH-Group (RFC 3830 §6.4: the value length is implied
/// by the group, so parsing cannot go on).
pub(crate) fn is_unknown_dh_group(e: &ParseError) -> Option<u8> {
    match e.kind {
        ErrorKind::UnknownLayout { value } if e.payload == "DH" && e.field == "DH-Group" => {
            u8::try_from(value).ok()
        }
        _ => None,
    }
}
/// What an initiator expects of the answer to its message.
pub(crate) struct ResponseCheck<'a> {
    /// CSB ID of the bundle.
    pub csb_id: u32,
    /// The timestamp the initiator sent (echoed by the responder, RFC 3830 §3.1, §3.2).
    pub t: Timestamp,
    /// The data type of a verification message (PSK ver msg or PK ver msg).
    pub ver_type: DataType,
    /// The auth key derived from the PSK or envelope key (RFC 3830 §4.1.4), made ready for
    /// the KEMAC's MAC.
    pub auth_key: &'a MacKey,
    /// The KEMAC MAC algorithm; V must use an algorithm of the same strength or NULL when
    /// the KEMAC MAC was NULL.
    pub mac: MacAlg,
    /// IDi data the initiator sent.
    pub id_i: &'a [u8],
    /// IDr data the initiator sent (used when the answer carries no IDr).
    pub id_r: &'a [u8],
    /// The initiator's crypto session map, to learn SSRCs the responder filled in.
    pub cs_map: &'a CsIdMap<'static>,
}

/// Checks a verification or Error message (RFC 3830 §5.2: V over the message, IDi, IDr and
/// T) and returns the SSRCs the responder filled in (CS ID, SSRC).
pub(crate) fn check_response(
    view: &crate::wire::MessageView<'_>,
    c: &ResponseCheck<'_>,
) -> Result<Vec<(u8, u32)>, SessionError> {
    let h = view.header();
    if h.csb_id != c.csb_id {
        return Err(SessionError::UnknownCsb(h.csb_id));
    }
    // One pass over the payloads: the first T, ID and V, and every ERR.
    // Read in place (walk); only ID and ERR payloads are decoded.
    let (mut t, mut their_id_r, mut v) = (None, None, None);
    let mut errs: Vec<ErrorNo> = Vec::new();
    for p in view.walk() {
        match p.payload_type() {
            PayloadType::T if t.is_none() => t = p.timestamp(),
            PayloadType::V if v.is_none() => v = p.verification(),
            PayloadType::Id if their_id_r.is_none() => {
                if let Ok(Payload::Id(i)) = p.decode() {
                    their_id_r = Some(i.data);
                }
            }
            PayloadType::Err => {
                if let Ok(Payload::Err(e)) = p.decode() {
                    errs.push(e.error_no);
                }
            }
            _ => {}
        }
    }
    if t != Some(c.t) {
        return Err(SessionError::InvalidTimestamp);
    }
    let id_r: &[u8] = their_id_r.as_deref().unwrap_or(c.id_r);
    let verify = |&(auth_alg, mac): &(MacAlg, &[u8])| -> Result<(), SessionError> {
        let kind = mac_of(auth_alg, c.mac == MacAlg::Null)?;
        let body = &view.as_bytes()[..view.as_bytes().len() - mac.len()];
        let tag = response_mac(c.auth_key, kind, body, c.id_i, id_r, &ts_bytes(&c.t));
        if bool::from(subtle::ConstantTimeEq::ct_eq(tag.as_bytes(), mac)) {
            Ok(())
        } else {
            Err(SessionError::AuthFailure)
        }
    };
    match h.data_type {
        DataType::Error => {
            if let Some(v) = &v {
                verify(v)?;
            }
            Err(SessionError::PeerError(errs))
        }
        dt if dt == c.ver_type => {
            let v = v.ok_or_else(|| SessionError::MissingPayload("V"))?;
            verify(&v)?;
            let mut filled = Vec::new();
            if let (CsIdMap::SrtpId(theirs), CsIdMap::SrtpId(ours)) = (&h.cs_map, c.cs_map) {
                for (id, cs) in ours.iter() {
                    if let Some(t) = theirs.get(id) {
                        if cs.ssrc == 0 && t.ssrc != 0 {
                            filled.push((id, t.ssrc));
                        }
                    }
                }
            }
            Ok(filled)
        }
        other => Err(SessionError::UnexpectedDataType(other.to_wire())),
    }
}

/// The input of the public-key KEMAC MAC (RFC 3830 §5.2, §6.2): the KEMAC payload without
/// its MAC field, with its Next payload field set to zero. `kemac_payload` is the payload's
/// encoding (from its Next payload byte), MAC included.
pub(crate) fn pk_kemac_mac_input(kemac_payload: &[u8], mac_len: usize) -> Vec<u8> {
    let end = kemac_payload.len().saturating_sub(mac_len);
    let mut v = kemac_payload[..end].to_vec();
    if let Some(first) = v.first_mut() {
        *first = 0;
    }
    v
}

/// Appends a SIGN payload to `msg` and signs (RFC 3830 §5.2, §6.5). Without `suffix`, the
/// signature covers the whole message up to the signature field (the SIGN payload's S type
/// and length included); with a suffix (RSA-R R_MESSAGE, RFC 4738 §3.6), it covers the
/// message without the SIGN payload, followed by the suffix (IDi || IDr || T).
pub(crate) fn sign_message(
    mut msg: Message<'_>,
    key: &dyn crate::crypto::RsaPrivate,
    scheme: crate::crypto::SignatureScheme,
    rng: &mut dyn super::Entropy,
    suffix: Option<&[u8]>,
) -> Result<Vec<u8>, SessionError> {
    let len = key.modulus_len();
    if len > 0x0fff {
        return Err(SessionError::Unspecified(
            "signature longer than 4095 bytes".into(),
        ));
    }
    msg.payloads.push(Payload::Sign(crate::wire::Sign {
        sign_type: SignType::from(scheme),
        signature: Cow::Owned(vec![0; len]),
    }));
    let mut out = msg.encode()?;
    let body = out.len() - len;
    let sig = match suffix {
        None => key.sign(rng, scheme, &out[..body]),
        Some(s) => {
            let mut data = out[..body - 2].to_vec();
            data.extend_from_slice(s);
            key.sign(rng, scheme, &data)
        }
    }
    .map_err(|e| SessionError::Unspecified(format!("signing failed: {e}")))?;
    if sig.len() != len {
        return Err(SessionError::Unspecified(
            "signature of unexpected length".into(),
        ));
    }
    out[body..].copy_from_slice(&sig);
    Ok(out)
}

/// Verifies the SIGN payload ending `bytes` with `key` (RFC 3830 §5.2, §6.5; RFC 4738 §3.6
/// with a `suffix`). The S type picks PKCS#1 v1.5 or PSS; SHA-256 is tried, then SHA-1
/// when `sha1` allows it.
pub(crate) fn verify_signature(
    bytes: &[u8],
    sign: &crate::wire::Sign<'_>,
    key: &dyn crate::crypto::RsaPublic,
    sha1: bool,
    suffix: Option<&[u8]>,
) -> Result<(), SessionError> {
    use crate::crypto::SignatureScheme as S;
    let schemes: &[S] = match (sign.sign_type.to_wire(), sha1) {
        (0, false) => &[S::RsaPkcs1Sha256],
        (0, true) => &[S::RsaPkcs1Sha256, S::RsaPkcs1Sha1],
        (1, false) => &[S::RsaPssSha256],
        (1, true) => &[S::RsaPssSha256, S::RsaPssSha1],
        _ => return Err(SessionError::AuthFailure),
    };
    let sig: &[u8] = &sign.signature;
    if sig.len() != key.modulus_len() || bytes.len() < sig.len() + 2 {
        return Err(SessionError::AuthFailure);
    }
    let body = bytes.len() - sig.len();
    let data: Cow<'_, [u8]> = match suffix {
        None => Cow::Borrowed(&bytes[..body]),
        Some(s) => {
            let mut d = bytes[..body - 2].to_vec();
            d.extend_from_slice(s);
            Cow::Owned(d)
        }
    };
    if schemes.iter().any(|s| key.verify(*s, &data, sig).is_ok()) {
        Ok(())
    } else {
        Err(SessionError::AuthFailure)
    }
}

/// Checks that every policy is for SRTP and can be exported (RFC 3830 §6.10, §6.10.1).
pub(crate) fn check_policies(
    policies: &[crate::wire::SecurityPolicy<'_>],
) -> Result<(), SessionError> {
    for sp in policies {
        if sp.prot_type != crate::wire::ProtType::Srtp {
            return Err(SessionError::InvalidSp(sp.prot_type.to_wire()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed-buffer TS bytes are the value field of the encoded T payload.
    #[test]
    fn ts_bytes_match_the_encoding() {
        for t in [
            Timestamp::ntp_utc(0x0102_0304_0506_0708),
            Timestamp::counter(7),
            Timestamp {
                ts_type: TsType::Ntp,
                value: u64::MAX,
            },
            Timestamp {
                ts_type: TsType::NtpUtc32,
                value: 0x1122_3344,
            },
        ] {
            let mut v = Vec::new();
            crate::wire::PayloadBody::encode(&t, PayloadType::Last, &mut v).unwrap();
            assert_eq!(&*ts_bytes(&t), &v[2..], "{t:?}");
        }
        assert_eq!(mac_placeholder(20).len(), 20);
        assert_eq!(mac_placeholder(40).len(), 40);
    }
}
