//! ID and CERT payloads, RFC 3830 §6.7 (RFC 6043 §6.5 adds the byte-string ID type), and
//! ID with role (IDR), RFC 6043 §6.6 (RFC 6509 §4.4 adds KMS roles).
//!
//! ```text
//! ID/CERT: !  Next Payload ! ID/Cert Type  ! ID/Cert len                   !
//!          !                       ID/Certificate Data                     ~
//! IDR:     ! Next Payload  !    ID Role    !    ID Type    !     ID len    ...
//! ```

use super::codes::{CertType, IdRole, IdType, PayloadType};
use super::ctx::{ParseCtx, PayloadBody, Quirk};
use super::encode::{len_u16, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::reader::{Fields, Reader};
use super::{own, Data};
use std::borrow::Cow;

/// The ID and CERT field layout (RFC 3830 §6.7), written once: the parsers, the encoders
/// and the fast walk ([`walk`](super::walk)) read it from here.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// ID Type / Cert Type.
    pub const TYPE: usize = 1;
    /// ID len / Cert len (16 bits).
    pub const LEN: Range<usize> = 2..4;
    /// ID data / Certificate from here.
    pub const DATA: usize = 4;
}

/// The IDR field layout (RFC 6043 §6.6), written once: the parser and the encoder read it
/// from here.
pub(crate) mod idr_field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// ID Role.
    pub const ROLE: usize = 1;
    /// ID Type.
    pub const TYPE: usize = 2;
    /// ID len (16 bits).
    pub const LEN: Range<usize> = 3..5;
    /// ID data from here.
    pub const DATA: usize = 5;
}

/// RFC 3830 sends NAI and URI identities as text; some MCPTT clients end them with a NUL.
/// Strict parsing rejects a trailing NUL in NAI/URI data; lenient parsing accepts it and
/// reports [`Quirk::NulTerminatedId`].
/// `data` starts at offset `at` of the payload `b`.
fn check_nul(
    id_type: IdType,
    data: &[u8],
    b: &Fields<'_>,
    at: usize,
    ctx: &mut ParseCtx,
) -> Result<(), ParseError> {
    if ctx.validate && matches!(id_type, IdType::Nai | IdType::Uri) && data.last() == Some(&0) {
        if !ctx.lenient {
            return Err(b.error(
                at + data.len() - 1,
                "ID data",
                ErrorKind::InvalidValue {
                    value: 0,
                    expected: "NAI/URI text without a NUL terminator (lenient mode accepts it)",
                },
            ));
        }
        ctx.quirk(Quirk::NulTerminatedId);
    }
    Ok(())
}

/// Lenient parsing of an IDR payload whose NAI/URI identity has 256 octets or more and
/// whose 16-bit ID len (RFC 6043 §6.6) was written with its high octet 0 by a shipped
/// MIKEY-SAKKE stack, so that it reads as the length modulo 256 ([`Quirk::IdrLenHighOctetZero`]).
/// `rest` starts at the ID data. The identity's text then runs on past the declared `n`
/// octets; its length is taken as the run of visible ASCII octets (0x21 to 0x7e, what a NAI
/// or URI is written with) from the start of the data, when `n` < 256 and that run is longer
/// than `n` by a multiple of 256. In a well-formed message the octet after a NAI/URI is the
/// first octet of the next payload (a payload type code below 0x21, or SIGN's type and
/// length octet): the run ends at `n`, and nothing changes.
fn wide_idr_len(id_type: IdType, n: usize, rest: &[u8]) -> Option<usize> {
    if n >= 256 || !matches!(id_type, IdType::Nai | IdType::Uri) {
        return None;
    }
    let run = rest
        .iter()
        .take(usize::from(u16::MAX))
        .take_while(|b| (0x21..=0x7e).contains(*b))
        .count();
    (run > n && (run - n).is_multiple_of(256)).then_some(run)
}

/// The fixed fields of an ID or CERT payload.
fn head(next: PayloadType, t: u8, len: [u8; 2]) -> [u8; field::DATA] {
    let mut h = [0u8; field::DATA];
    h[field::NEXT] = next.to_wire();
    h[field::TYPE] = t;
    h[field::LEN].copy_from_slice(&len);
    h
}

/// ID payload: an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Id<'a> {
    /// Identity type.
    pub id_type: IdType,
    /// Identity data (at most 65535 bytes).
    pub data: Data<'a>,
}

impl<'a> Id<'a> {
    /// A URI identity.
    pub fn uri(uri: &str) -> Id<'static> {
        Id {
            id_type: IdType::Uri,
            data: Cow::Owned(uri.as_bytes().to_vec()),
        }
    }

    /// A NAI identity.
    pub fn nai(nai: &str) -> Id<'static> {
        Id {
            id_type: IdType::Nai,
            data: Cow::Owned(nai.as_bytes().to_vec()),
        }
    }

    /// The identity as text, without a trailing NUL, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        let d: &[u8] = &self.data;
        core::str::from_utf8(d.strip_suffix(&[0]).unwrap_or(d)).ok()
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Id<'static> {
        Id {
            id_type: self.id_type,
            data: own(self.data),
        }
    }
}

impl<'a> PayloadBody<'a> for Id<'a> {
    const TYPE: PayloadType = PayloadType::Id;

    #[inline]
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("ID");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let id_type = IdType::from_wire(b.u8(field::TYPE, "ID Type")?);
        let n = b.u16(field::LEN, "ID len")? as usize;
        let data = b.bytes(field::DATA, n, "ID data")?;
        check_nul(id_type, data, &b, field::DATA, ctx)?;
        r.advance(field::DATA + n);
        Ok((
            Self {
                id_type,
                data: Cow::Borrowed(data),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::DATA + self.data.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = len_u16("ID", "ID len", self.data.len())?.to_be_bytes();
        out.extend_from_slice(&head(next, self.id_type.to_wire(), n));
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

/// CERT payload: one certificate of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cert<'a> {
    /// Certificate type.
    pub cert_type: CertType,
    /// DER certificate (or URL for X.509v3 URL).
    pub data: Data<'a>,
}

impl Cert<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Cert<'static> {
        Cert {
            cert_type: self.cert_type,
            data: own(self.data),
        }
    }
}

impl<'a> PayloadBody<'a> for Cert<'a> {
    const TYPE: PayloadType = PayloadType::Cert;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("CERT");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let cert_type = CertType::from_wire(b.u8(field::TYPE, "Cert Type")?);
        let n = b.u16(field::LEN, "Cert len")? as usize;
        let data = b.bytes(field::DATA, n, "Certificate")?;
        r.advance(field::DATA + n);
        Ok((
            Self {
                cert_type,
                data: Cow::Borrowed(data),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::DATA + self.data.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = len_u16("CERT", "Cert len", self.data.len())?.to_be_bytes();
        out.extend_from_slice(&head(next, self.cert_type.to_wire(), n));
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

/// IDR payload: an identity with its role (RFC 6043 §6.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdRoleId<'a> {
    /// What the identity is (initiator, responder, KMS, ...).
    pub role: IdRole,
    /// The identity.
    pub id: Id<'a>,
}

impl IdRoleId<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> IdRoleId<'static> {
        IdRoleId {
            role: self.role,
            id: self.id.into_owned(),
        }
    }
}

impl<'a> PayloadBody<'a> for IdRoleId<'a> {
    const TYPE: PayloadType = PayloadType::Idr;

    #[inline]
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        use idr_field as f;
        let b = r.fields("IDR");
        let next = PayloadType::from_wire(b.u8(f::NEXT, "next payload")?);
        let role = IdRole::from_wire(b.u8(f::ROLE, "ID Role")?);
        let id_type = IdType::from_wire(b.u8(f::TYPE, "ID Type")?);
        let mut n = b.u16(f::LEN, "ID len")? as usize;
        if ctx.lenient {
            let rest = r.rest().get(f::DATA..).unwrap_or_default();
            if let Some(wide) = wide_idr_len(id_type, n, rest) {
                ctx.quirk(Quirk::IdrLenHighOctetZero);
                n = wide;
            }
        }
        let data = b.bytes(f::DATA, n, "ID data")?;
        check_nul(id_type, data, &b, f::DATA, ctx)?;
        r.advance(f::DATA + n);
        Ok((
            Self {
                role,
                id: Id {
                    id_type,
                    data: Cow::Borrowed(data),
                },
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        idr_field::DATA + self.id.data.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        use idr_field as f;
        let n = len_u16("IDR", "ID len", self.id.data.len())?.to_be_bytes();
        let mut head = [0u8; f::DATA];
        head[f::NEXT] = next.to_wire();
        head[f::ROLE] = self.role.to_wire();
        head[f::TYPE] = self.id.id_type.to_wire();
        head[f::LEN].copy_from_slice(&n);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.id.data);
        Ok(())
    }
}
