//! The payloads of a public-key I_MESSAGE (RFC 3830 §3.2).

use crate::session::SessionError;
use crate::wire::{
    CertType, Chash, Id, Kemac, MessageView, Payload, Pke, SecurityPolicy, Sign, Timestamp,
};
use std::borrow::Cow;

/// The payloads of a public-key I_MESSAGE, in the order RFC 3830 §3.2 gives them.
pub struct PkParts<'a> {
    pub(crate) t: Timestamp,
    pub(crate) rand: Option<Vec<u8>>,
    pub(crate) ids: Vec<Id<'static>>,
    pub(crate) certs: Vec<&'a [u8]>,
    pub(crate) policies: Vec<SecurityPolicy<'static>>,
    pub(crate) kemac_off: usize,
    pub(crate) kemac: Kemac<'a>,
    pub(crate) chash: Option<Chash<'a>>,
    pub(crate) pke: Pke<'a>,
    pub(crate) sign: Sign<'a>,
    /// What SIGN covers: the message up to the signature field (RFC 3830 §5.2).
    pub(crate) signed: &'a [u8],
}

impl<'a> PkParts<'a> {
    /// Shape: T, [RAND], {ID}, {CERT}, {SP}, KEMAC, [CHASH], PKE, SIGN (last, RFC 3830
    /// §6.5). The first ID is IDi, a second one IDr. General extensions are ignored.
    pub(crate) fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let mut t = None;
        let mut rand = None;
        let mut ids = Vec::new();
        let mut certs = Vec::new();
        let mut policies = Vec::new();
        let mut kemac = None;
        let mut chash = None;
        let mut pke = None;
        let mut sign = None;
        for (off, p) in view.payloads_with_offsets() {
            let after_kemac = kemac.is_some();
            match p {
                Payload::Kemac(k) if !after_kemac => kemac = Some((off, k)),
                Payload::Chash(c) if after_kemac && chash.is_none() && pke.is_none() => {
                    chash = Some(c)
                }
                Payload::Pke(x) if after_kemac && pke.is_none() => pke = Some(x),
                Payload::Sign(s) if pke.is_some() => sign = Some(s),
                _ if after_kemac => {
                    return Err(SessionError::MissingPayload(
                        "KEMAC, [CHASH], PKE, SIGN (in this order, last)",
                    ))
                }
                Payload::T(x) if t.is_none() => t = Some(x),
                Payload::Rand(r) if rand.is_none() => rand = Some(r.rand.to_vec()),
                Payload::Id(i) => ids.push(i.into_owned()),
                Payload::Cert(c) => {
                    if matches!(c.cert_type, CertType::X509v3 | CertType::X509v3Sign) {
                        if let Cow::Borrowed(d) = c.data {
                            certs.push(d);
                        }
                    }
                }
                Payload::Sp(s) => policies.push(s.into_owned()),
                Payload::GenExt(_) => {}
                _ => {
                    return Err(SessionError::MissingPayload(
                        "unexpected payload in a public-key message",
                    ))
                }
            }
        }
        let (kemac_off, kemac) = kemac.ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
        let sign: Sign<'a> = sign.ok_or_else(|| SessionError::MissingPayload("SIGN"))?;
        let bytes = view.as_bytes();
        let signed = &bytes[..bytes.len().saturating_sub(sign.signature.len())];
        Ok(Self {
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            ids,
            certs,
            policies,
            kemac_off,
            kemac,
            chash,
            pke: pke.ok_or_else(|| SessionError::MissingPayload("PKE"))?,
            sign,
            signed,
        })
    }
}
