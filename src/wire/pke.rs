//! Envelope data payload (PKE), RFC 3830 §6.3.
//!
//! ```text
//! ! Next Payload  ! C ! Data len                  ! Data          ~
//! ```
//! C is 2 bits, Data len 14 bits.

use super::codes::{CacheType, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{code_bits, fit, EncodeError};
use super::error::ParseError;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "PKE";

/// The PKE field layout (RFC 3830 §6.3), written once.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// C (2 bits) and Data len (14 bits).
    pub const C_LEN: Range<usize> = 1..3;
    /// The Data len bits of `C_LEN`.
    pub const LEN_MASK: u16 = 0x3fff;
    /// Data from here.
    pub const DATA: usize = 3;
}

/// Envelope data: the envelope key encrypted with the responder's public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pke<'a> {
    /// Envelope key cache indicator.
    pub cache: CacheType,
    /// The encrypted envelope key (at most 16383 bytes).
    pub data: Data<'a>,
}

impl Pke<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Pke<'static> {
        Pke {
            cache: self.cache,
            data: own(self.data),
        }
    }
}

impl<'a> PayloadBody<'a> for Pke<'a> {
    const TYPE: PayloadType = PayloadType::Pke;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let cl = b.u16(field::C_LEN, "C/Data len")?;
        let n = (cl & field::LEN_MASK) as usize;
        let data = b.bytes(field::DATA, n, "Data")?;
        r.advance(field::DATA + n);
        Ok((
            Self {
                cache: CacheType::from_wire((cl >> 14) as u8),
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
        let c = code_bits(P, "C", self.cache.to_wire().into(), 2)?;
        let l = fit(P, "Data len", self.data.len(), field::LEN_MASK.into())?;
        // Both fit: c < 4, l < 16384.
        let mut head = [0u8; field::DATA];
        head[field::NEXT] = next.to_wire();
        head[field::C_LEN].copy_from_slice(&(((c as u16) << 14) | l as u16).to_be_bytes());
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
