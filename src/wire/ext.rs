//! General extension payload, RFC 3830 §6.15, with the typed extensions: Key ID
//! information (RFC 4563 §4), CSB_ID (RFC 4738 §3.9.3), OMA BCAST (RFC 5410) and the
//! 3GPP TS 33.180 parameters (type 7, kept as opaque bytes).
//!
//! ```text
//! ! Next payload  ! Type          ! Length                        !
//! ! Data                                                          ~
//! Key ID sub-payload: !  Key ID Type  ! Key ID Length !            Key ID             ~
//! ```

use super::codes::{GenExtType, KeyIdType, OmaBcastSubtype, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{len_u16, len_u8, EncodeError, EncodeErrorKind};
use super::error::{ErrorKind, ParseError};
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "General Ext.";

/// The General extension field layout (RFC 3830 §6.15), written once.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Type.
    pub const TYPE: usize = 1;
    /// Length (16 bits).
    pub const LEN: Range<usize> = 2..4;
    /// Data from here.
    pub const DATA: usize = 4;
}

/// General extension payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneralExtension<'a> {
    /// Extension type.
    pub ext_type: GenExtType,
    /// Extension data (at most 65535 bytes).
    pub data: Data<'a>,
}

impl<'a> GeneralExtension<'a> {
    /// A CSB_ID extension (RFC 4738: the responder's new CSB ID in group mode).
    pub fn csb_id(csb_id: u32) -> GeneralExtension<'static> {
        GeneralExtension {
            ext_type: GenExtType::CsbId,
            data: Cow::Owned(csb_id.to_be_bytes().to_vec()),
        }
    }

    /// A Key ID extension (RFC 4563 §4) from (type, id) pairs; an id over 255 bytes (its
    /// 8-bit Key ID Length) or data over 65,535 bytes is an error.
    pub fn key_ids(ids: &[(KeyIdType, &[u8])]) -> Result<GeneralExtension<'static>, EncodeError> {
        let mut v = Vec::new();
        for (t, id) in ids {
            let n = len_u8(P, "Key ID Length", id.len())?;
            v.push(t.to_wire());
            v.push(n);
            v.extend_from_slice(id);
        }
        len_u16(P, "Length", v.len())?;
        Ok(GeneralExtension {
            ext_type: GenExtType::KeyId,
            data: Cow::Owned(v),
        })
    }

    /// What strict parsing checks of the data, checked before encoding: a CSB_ID extension
    /// holds 4 bytes (RFC 4738 §4), a Key ID extension whole (type, length, id) entries.
    fn check_data(&self) -> Result<(), EncodeError> {
        match self.ext_type {
            GenExtType::CsbId if self.data.len() != 4 => Err(EncodeError::new(
                P,
                "Data",
                EncodeErrorKind::WrongLength {
                    len: self.data.len(),
                    expected: 4,
                },
            )),
            GenExtType::KeyId => {
                let mut rest: &[u8] = &self.data;
                while let [_, l, r @ ..] = rest {
                    rest = r.get(usize::from(*l)..).ok_or(EncodeError::new(
                        P,
                        "Key ID",
                        EncodeErrorKind::WrongLength {
                            len: r.len(),
                            expected: usize::from(*l),
                        },
                    ))?;
                }
                match rest.len() {
                    0 => Ok(()),
                    len => Err(EncodeError::new(
                        P,
                        "Key ID Length",
                        EncodeErrorKind::WrongLength { len, expected: 2 },
                    )),
                }
            }
            _ => Ok(()),
        }
    }

    /// For a CSB_ID extension: the CSB ID.
    pub fn as_csb_id(&self) -> Option<u32> {
        if self.ext_type != GenExtType::CsbId {
            return None;
        }
        let d: &[u8] = &self.data;
        d.try_into().ok().map(u32::from_be_bytes)
    }

    /// For a Key ID extension: the (type, id) sub-payloads.
    pub fn as_key_ids(&self) -> Option<impl Iterator<Item = (KeyIdType, &[u8])> + '_> {
        if self.ext_type != GenExtType::KeyId {
            return None;
        }
        let mut rest: &[u8] = &self.data;
        Some(core::iter::from_fn(move || {
            let (&t, r) = rest.split_first()?;
            let (&l, r) = r.split_first()?;
            let id = r.get(..l as usize)?;
            rest = &r[l as usize..];
            Some((KeyIdType::from_wire(t), id))
        }))
    }

    /// For an OMA BCAST extension: the subtype and the rest of the data.
    pub fn as_oma_bcast(&self) -> Option<(OmaBcastSubtype, &[u8])> {
        if self.ext_type != GenExtType::OmaBcast {
            return None;
        }
        let (&s, rest) = self.data.split_first()?;
        Some((OmaBcastSubtype::from_wire(s), rest))
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> GeneralExtension<'static> {
        GeneralExtension {
            ext_type: self.ext_type,
            data: own(self.data),
        }
    }
}

impl<'a> PayloadBody<'a> for GeneralExtension<'a> {
    const TYPE: PayloadType = PayloadType::GenExt;

    #[inline]
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let ext_type = GenExtType::from_wire(b.u8(field::TYPE, "Type")?);
        let n = b.u16(field::LEN, "Length")? as usize;
        let data = b.bytes(field::DATA, n, "Data")?;
        let base = r.offset() + field::DATA;
        r.advance(field::DATA + n);
        match ext_type {
            GenExtType::KeyId if ctx.validate => {
                let mut kr = Reader::with_base(data, base);
                while !kr.is_empty() {
                    kr.u8(P, "Key ID Type")?;
                    let l = kr.u8(P, "Key ID Length")? as usize;
                    kr.take(l, P, "Key ID")?;
                }
            }
            GenExtType::CsbId if n != 4 => {
                return Err(b.error(
                    field::LEN.start,
                    "Length",
                    ErrorKind::InvalidValue {
                        value: n as u32,
                        expected: "4 for CSB_ID",
                    },
                ));
            }
            _ => {}
        }
        Ok((
            Self {
                ext_type,
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
        let n = len_u16(P, "Length", self.data.len())?.to_be_bytes();
        self.check_data()?;
        let mut head = [0u8; field::DATA];
        head[field::NEXT] = next.to_wire();
        head[field::TYPE] = self.ext_type.to_wire();
        head[field::LEN].copy_from_slice(&n);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
