//! The payloads of RSA-R messages (RFC 4738 §3.1).

use crate::session::SessionError;
use crate::wire::{
    Cert, CertType, GenExtType, Id, Kemac, MessageView, Payload, Pke, SecurityPolicy, Sign,
    Timestamp,
};
use std::borrow::Cow;

/// I_MESSAGE payloads: T, [RAND], {ID}, {CERT}, {SP}, SIGN (last). The first ID is IDi,
/// a second one IDr.
pub struct IParts<'a> {
    pub(crate) t: Timestamp,
    pub(crate) rand: Option<Vec<u8>>,
    pub(crate) ids: Vec<Id<'static>>,
    pub(crate) certs: Vec<&'a [u8]>,
    pub(crate) policies: Vec<SecurityPolicy<'static>>,
    pub(crate) sign: Sign<'a>,
    /// What SIGNi covers: the message up to the signature field (RFC 3830 §5.2).
    pub(crate) signed: &'a [u8],
}

impl<'a> IParts<'a> {
    pub(crate) fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let mut t = None;
        let mut rand = None;
        let mut ids = Vec::new();
        let mut certs = Vec::new();
        let mut policies = Vec::new();
        let mut sign = None;
        for p in view.payloads() {
            match p {
                Payload::T(x) if t.is_none() => t = Some(x),
                Payload::Rand(r) if rand.is_none() => rand = Some(r.rand.to_vec()),
                Payload::Id(i) => ids.push(i.into_owned()),
                Payload::Cert(c) => push_cert(&mut certs, c),
                Payload::Sp(s) => policies.push(s.into_owned()),
                Payload::GenExt(_) => {}
                Payload::Sign(s) => sign = Some(s),
                _ => {
                    return Err(SessionError::MissingPayload(
                        "unexpected payload in an RSA-R I_MESSAGE",
                    ))
                }
            }
        }
        let sign: Sign<'a> = sign.ok_or_else(|| SessionError::MissingPayload("SIGN"))?;
        let bytes = view.as_bytes();
        Ok(Self {
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            ids,
            certs,
            policies,
            signed: &bytes[..bytes.len().saturating_sub(sign.signature.len())],
            sign,
        })
    }
}

fn push_cert<'a>(certs: &mut Vec<&'a [u8]>, c: Cert<'a>) {
    if matches!(c.cert_type, CertType::X509v3 | CertType::X509v3Sign) {
        if let Cow::Borrowed(d) = c.data {
            certs.push(d);
        }
    }
}

/// R_MESSAGE payloads: [GenExt(CSB_ID)], T, [RAND], [IDr], {CERT}, {SP}, KEMAC, PKE, SIGN.
pub(crate) struct RParts<'a> {
    pub(crate) csb_ext: Option<u32>,
    pub(crate) t: Timestamp,
    pub(crate) rand: Option<Vec<u8>>,
    pub(crate) id_r: Option<Id<'static>>,
    pub(crate) certs: Vec<&'a [u8]>,
    pub(crate) policies: Vec<SecurityPolicy<'static>>,
    pub(crate) kemac_off: usize,
    pub(crate) kemac: Kemac<'a>,
    pub(crate) pke: Pke<'a>,
    pub(crate) sign: Sign<'a>,
}

impl<'a> RParts<'a> {
    pub(crate) fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let mut csb_ext = None;
        let mut t = None;
        let mut rand = None;
        let mut id_r = None;
        let mut certs = Vec::new();
        let mut policies = Vec::new();
        let mut kemac = None;
        let mut pke = None;
        let mut sign = None;
        let bad = || {
            SessionError::MissingPayload("RSA-R R_MESSAGE payloads out of place (RFC 4738 §3.1)")
        };
        for (off, p) in view.payloads_with_offsets() {
            let after_kemac = kemac.is_some();
            match p {
                Payload::GenExt(g) if g.ext_type == GenExtType::CsbId => {
                    if t.is_some() || csb_ext.is_some() {
                        return Err(bad());
                    }
                    csb_ext = Some(g.as_csb_id().ok_or_else(bad)?);
                }
                Payload::Kemac(k) if !after_kemac => kemac = Some((off, k)),
                Payload::Pke(x) if after_kemac && pke.is_none() => pke = Some(x),
                Payload::Sign(s) if pke.is_some() => sign = Some(s),
                _ if after_kemac => return Err(bad()),
                Payload::T(x) if t.is_none() => t = Some(x),
                Payload::Rand(r) if rand.is_none() => rand = Some(r.rand.to_vec()),
                Payload::Id(i) if id_r.is_none() => id_r = Some(i.into_owned()),
                Payload::Cert(c) => push_cert(&mut certs, c),
                Payload::Sp(s) => policies.push(s.into_owned()),
                Payload::GenExt(_) => {}
                _ => return Err(bad()),
            }
        }
        let (kemac_off, kemac) = kemac.ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
        Ok(Self {
            csb_ext,
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            id_r,
            certs,
            policies,
            kemac_off,
            kemac,
            pke: pke.ok_or_else(|| SessionError::MissingPayload("PKE"))?,
            sign: sign.ok_or_else(|| SessionError::MissingPayload("SIGN"))?,
        })
    }
}
