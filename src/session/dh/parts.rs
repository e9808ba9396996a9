//! The payloads of a DH message of either mode, checked for shape.

use super::DhPayload;
use crate::session::SessionError;
use crate::wire::{
    Data, DataType, Id, Kemac, MessageView, Payload, SecurityPolicy, Sign, Timestamp,
};

/// The two DH modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// RFC 3830 §3.3.
    Sign,
    /// RFC 4650.
    Hmac,
}

impl Flavor {
    pub fn init(self) -> DataType {
        match self {
            Flavor::Sign => DataType::DhInit,
            Flavor::Hmac => DataType::DhHmacInit,
        }
    }

    pub fn resp(self) -> DataType {
        match self {
            Flavor::Sign => DataType::DhResp,
            Flavor::Hmac => DataType::DhHmacResp,
        }
    }
}

/// The authentication payload of a DH message.
pub enum AuthPart<'a> {
    Sign(Sign<'a>),
    Kemac(Kemac<'a>),
}

/// The payloads of a DH message, checked for shape.
pub struct Parts<'a> {
    pub t: Timestamp,
    pub rand: Option<Data<'a>>,
    /// ID payloads in order, each with whether a CERT came before it.
    pub ids: Vec<(Id<'a>, bool)>,
    pub certs: Vec<Data<'a>>,
    pub policies: Vec<SecurityPolicy<'static>>,
    pub dh: Vec<DhPayload<'a>>,
    pub auth: AuthPart<'a>,
}

/// Walks the payloads: only those the mode allows (RFC 3830 §3.3; RFC 4650 §4.1 Table
/// 4.1.b), the authentication payload last.
pub fn parse_parts<'a>(view: &MessageView<'a>, flavor: Flavor) -> Result<Parts<'a>, SessionError> {
    let mut t = None;
    let mut rand = None;
    let mut ids = Vec::new();
    let mut certs = Vec::new();
    let mut policies = Vec::new();
    let mut dh = Vec::new();
    let mut auth = None;
    for p in view.payloads() {
        if auth.is_some() {
            return Err(SessionError::MissingPayload(
                "authentication payload (must be last)",
            ));
        }
        match (p, flavor) {
            (Payload::T(x), _) if t.is_none() => t = Some(x),
            (Payload::Rand(r), _) if rand.is_none() => rand = Some(r.rand),
            (Payload::Id(i), _) => ids.push((i, !certs.is_empty())),
            (Payload::Cert(c), Flavor::Sign) => certs.push(c.data),
            (Payload::Sp(s), _) => policies.push(s.into_owned()),
            (Payload::Dh(d), _) => dh.push(d),
            (Payload::GenExt(_), _) => {}
            (Payload::Sign(s), Flavor::Sign) => auth = Some(AuthPart::Sign(s)),
            (Payload::Kemac(k), Flavor::Hmac) => auth = Some(AuthPart::Kemac(k)),
            _ => {
                return Err(SessionError::MissingPayload(match flavor {
                    Flavor::Sign => "unexpected payload in a DH message",
                    Flavor::Hmac => "unexpected payload in a DHHMAC message",
                }))
            }
        }
    }
    Ok(Parts {
        t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
        rand,
        ids,
        certs,
        policies,
        dh,
        auth: auth.ok_or_else(|| {
            SessionError::MissingPayload(match flavor {
                Flavor::Sign => "SIGN",
                Flavor::Hmac => "KEMAC",
            })
        })?,
    })
}
