//! The responder's answers built by the engine: the verification message (RFC 3830 §3.1,
//! §3.2, §5.2) and the Error message (§5.1.2).

use super::config::ResponderConfig;
use super::hooks::ReplyAuth;
use crate::crypto::MacKey;
use crate::session::common::{seal_with_v, ts_bytes, ResponseAuth};
use crate::session::SessionError;
use crate::wire::{
    CsIdMap, DataType, EncodeError, ErrorNo, ErrorPayload, Header, Id, Payload, PayloadBody,
    PayloadType, PrfFunc, Timestamp,
};
use std::borrow::Cow;

/// The verification message `HDR, T, [IDr], V` answering the message with header `h` and
/// timestamp `t` (RFC 3830 §3.1, §3.2): data type `ver_type`, the crypto session map
/// `cs_map`, our IDr when configured; V's MAC covers the message, IDi, IDr (ours, or the
/// one the initiator sent) and T (§5.2).
pub(crate) fn verification_message(
    h: &Header<'_>,
    ver_type: DataType,
    t: Timestamp,
    cs_map: &CsIdMap<'static>,
    our_id: Option<&Id<'static>>,
    auth: &ReplyAuth,
) -> Result<Vec<u8>, SessionError> {
    let mut rh = Header::new(ver_type, h.csb_id);
    rh.prf = h.prf;
    rh.cs_map = cs_map.borrowed();
    let t_only = [Payload::T(t)];
    let with_id;
    let (payloads, id_r): (&[Payload<'_>], &[u8]) = match our_id {
        Some(id) => {
            with_id = [
                Payload::T(t),
                Payload::Id(Id {
                    id_type: id.id_type,
                    data: Cow::Borrowed(&id.data),
                }),
            ];
            (&with_id, &id.data)
        }
        None => (&t_only, &auth.id_r),
    };
    // Keyed here, only when a reply is sent (RFC 3830 §5.2).
    let key = MacKey::new(auth.kind, auth.key.clone());
    let a = ResponseAuth {
        alg: auth.alg,
        key: &key,
        id_i: &auth.id_i,
        id_r,
    };
    seal_with_v(&rh, payloads, &a, &ts_bytes(&t))
}

/// An Error message (RFC 3830 §5.1.2): HDR, T, [IDr], {ERR}, [V]. The plain one is
/// encoded straight from borrowed parts (one allocation: the message), as it answers
/// messages nobody authenticated, a forged flood among them.
pub(crate) fn error_message(
    csb_id: u32,
    prf: PrfFunc,
    cs_map: CsIdMap<'_>,
    t: Timestamp,
    errors: &[ErrorNo],
    id_r: Option<Id<'_>>,
    auth: Option<ResponseAuth<'_>>,
) -> Result<Vec<u8>, SessionError> {
    let mut h = Header::new(DataType::Error, csb_id);
    h.prf = prf;
    h.cs_map = cs_map;
    match auth {
        Some(a) => {
            let payloads = core::iter::once(Payload::T(t))
                .chain(id_r.map(Payload::Id))
                .chain(errors.iter().map(|e| Payload::Err(ErrorPayload::new(*e))));
            seal_with_v(&h, &payloads.collect::<Vec<_>>(), &a, &ts_bytes(&t))
        }
        None => Ok(plain_error(&h, &t, id_r.as_ref(), errors)?),
    }
}

/// The plain Error message `HDR, T, [IDr], {ERR}` encoded payload by payload into one
/// buffer of its exact size: each payload's own encoder, its next payload field given.
fn plain_error(
    h: &Header<'_>,
    t: &Timestamp,
    id_r: Option<&Id<'_>>,
    errors: &[ErrorNo],
) -> Result<Vec<u8>, EncodeError> {
    let errs = errors.iter().map(|e| ErrorPayload::new(*e));
    let err_len: usize = errs.clone().map(|e| e.encoded_len()).sum();
    let id_len = id_r.map_or(0, |i| i.encoded_len());
    let mut out = Vec::with_capacity(h.encoded_len() + t.encoded_len() + id_len + err_len);
    let first_err = match errors.is_empty() {
        true => PayloadType::Last,
        false => PayloadType::Err,
    };
    h.encode(PayloadType::T, &mut out)?;
    match id_r {
        Some(id) => {
            t.encode(PayloadType::Id, &mut out)?;
            id.encode(first_err, &mut out)?;
        }
        None => t.encode(first_err, &mut out)?,
    }
    for (k, e) in errs.enumerate() {
        let next = match k + 1 < errors.len() {
            true => PayloadType::Err,
            false => PayloadType::Last,
        };
        e.encode(next, &mut out)?;
    }
    Ok(out)
}

/// Whether a message refused with `e` is answered with an Error message: not when errors
/// are not sent, and not for replays, malformed messages and refusals under load
/// (answering those would amplify a flood).
pub(crate) fn answers(cfg: &ResponderConfig, e: &SessionError) -> bool {
    cfg.send_errors
        && !matches!(
            e,
            SessionError::Replay
                | SessionError::ReplayCacheFull
                | SessionError::Parse(_)
                | SessionError::LimitReached(_)
        )
}

/// The Error message answering a rejected message with header `h` and timestamp `t`
/// (one that [`answers`] answers): authenticated with V when the initiator was (RFC 3830
/// §5.1.2), plain otherwise; none when it cannot be encoded.
pub(crate) fn error_reply(
    cfg: &ResponderConfig,
    h: &Header<'_>,
    t: Option<Timestamp>,
    e: &SessionError,
    auth: Option<&ReplyAuth>,
) -> Option<Vec<u8>> {
    let t = t.unwrap_or(Timestamp::ntp_utc(0));
    let id_r = cfg.id_r.as_ref().map(|i| Id {
        id_type: i.id_type,
        data: Cow::Borrowed(&i.data),
    });
    let key = auth.map(|a| MacKey::new(a.kind, a.key.clone()));
    let auth = auth.zip(key.as_ref()).map(|(a, key)| ResponseAuth {
        alg: a.alg,
        key,
        id_i: &a.id_i,
        // IDr in the MAC: our ID payload when we send one, else the IDr of the I_MESSAGE.
        id_r: cfg.id_r.as_ref().map_or(a.id_r.as_slice(), |i| &i.data),
    });
    // An Error message that cannot be encoded (our IDr too long) is not sent.
    error_message(
        h.csb_id,
        h.prf,
        h.cs_map.borrowed(),
        t,
        &[e.error_no()],
        id_r,
        auth,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Message, SrtpCs, SrtpIdMap};

    /// The plain Error message is byte for byte what the general encoder makes of the same
    /// header and payloads: with and without IDr, with none, one and two ERR payloads.
    #[test]
    fn plain_error_message_is_the_general_encoding() {
        let cs = [SrtpCs {
            policy_no: 0,
            ssrc: 0x1234_5678,
            roc: 7,
        }];
        let map = CsIdMap::SrtpId(SrtpIdMap::from_entries(&cs).unwrap());
        let t = Timestamp::ntp_utc(0x0102_0304_0506_0708);
        let all = [ErrorNo::AuthFailure, ErrorNo::InvalidTs];
        for id_r in [None, Some(Id::uri("sip:bob@example.org"))] {
            for errors in [&all[..0], &all[..1], &all[..]] {
                let got = error_message(
                    0xdead_beef,
                    PrfFunc::Mikey1,
                    map.clone(),
                    t,
                    errors,
                    id_r.clone(),
                    None,
                )
                .unwrap();
                let mut h = Header::new(DataType::Error, 0xdead_beef);
                h.cs_map = map.clone();
                let mut payloads = vec![Payload::T(t)];
                payloads.extend(id_r.clone().map(Payload::Id));
                payloads.extend(errors.iter().map(|e| Payload::Err(ErrorPayload::new(*e))));
                let want = Message {
                    header: h,
                    payloads,
                }
                .encode()
                .unwrap();
                assert_eq!(got, want, "IDr {:?}, errors {errors:?}", id_r.is_some());
                assert_eq!(got.capacity(), got.len(), "one buffer of the exact size");
            }
        }
    }
}
