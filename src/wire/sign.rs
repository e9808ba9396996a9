//! Signature payload (SIGN), RFC 3830 §6.5 (RFC 6509 §4.3 adds ECCSI).
//!
//! ```text
//! ! S type| Signature len         ! Signature                     ~
//! ```
//! SIGN has no next payload field: it is always the last payload of a message.

use super::codes::{PayloadType, SignType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{code_bits, fit, EncodeError};
use super::error::ParseError;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "SIGN";

/// The SIGN field layout (RFC 3830 §6.5): no next payload field (SIGN ends the message),
/// written once: the parser, the encoder and the fast walk ([`walk`](super::walk)) read it
/// from here.
pub(crate) mod field {
    use core::ops::Range;
    /// S type (4 bits) and Signature len (12 bits).
    pub const TYPE_LEN: Range<usize> = 0..2;
    /// The Signature len bits of `TYPE_LEN`.
    pub const LEN_MASK: u16 = 0x0fff;
    /// Signature from here.
    pub const SIGNATURE: usize = 2;
}

/// Signature over the message up to this payload's signature field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sign<'a> {
    /// Signature algorithm (4 bits).
    pub sign_type: SignType,
    /// The signature (at most 4095 bytes).
    pub signature: Data<'a>,
}

impl Sign<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Sign<'static> {
        Sign {
            sign_type: self.sign_type,
            signature: own(self.signature),
        }
    }
}

impl<'a> PayloadBody<'a> for Sign<'a> {
    const TYPE: PayloadType = PayloadType::Sign;

    /// Returns `Last` as the next payload: nothing may follow SIGN.
    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let tl = b.u16(field::TYPE_LEN, "S type/Signature len")?;
        let n = (tl & field::LEN_MASK) as usize;
        let sig = b.bytes(field::SIGNATURE, n, "Signature")?;
        r.advance(field::SIGNATURE + n);
        Ok((
            Self {
                sign_type: SignType::from_wire((tl >> 12) as u8),
                signature: Cow::Borrowed(sig),
            },
            PayloadType::Last,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::SIGNATURE + self.signature.len()
    }

    #[inline]
    fn encode(&self, _next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let t = code_bits(P, "S type", self.sign_type.to_wire().into(), 4)?;
        let l = fit(
            P,
            "Signature len",
            self.signature.len(),
            field::LEN_MASK.into(),
        )?;
        // Both fit: t < 16, l < 4096.
        let tl = ((t as u16) << 12) | l as u16;
        out.extend_from_slice(&tl.to_be_bytes());
        out.extend_from_slice(&self.signature);
        Ok(())
    }
}
