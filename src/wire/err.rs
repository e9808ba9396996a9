//! Error payload (ERR), RFC 3830 §6.12 (RFC 4738 and RFC 6043 add error numbers).
//!
//! ```text
//! !  Next Payload ! Error no      !           Reserved            !
//! ```

use super::codes::{ErrorNo, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::EncodeError;
use super::error::ParseError;
use super::reader::Reader;

/// The ERR field layout (RFC 3830 §6.12): fixed, 4 bytes.
pub(crate) mod field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Error no.
    pub const ERROR_NO: usize = 1;
    /// Reserved (16 bits) from here.
    pub const RESERVED: usize = 2;
    /// The payload's length.
    pub const LEN: usize = 4;
}

/// One error reported by the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ErrorPayload {
    /// The error number.
    pub error_no: ErrorNo,
    /// The reserved field, kept for an exact round trip (0 when sent by this crate).
    pub reserved: u16,
}

impl ErrorPayload {
    /// An error payload with a zero reserved field.
    pub const fn new(error_no: ErrorNo) -> Self {
        Self {
            error_no,
            reserved: 0,
        }
    }
}

impl<'a> PayloadBody<'a> for ErrorPayload {
    const TYPE: PayloadType = PayloadType::Err;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("ERR");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let error_no = ErrorNo::from_wire(b.u8(field::ERROR_NO, "Error no")?);
        let reserved = b.u16(field::RESERVED..field::LEN, "Reserved")?;
        r.advance(field::LEN);
        Ok((Self { error_no, reserved }, next))
    }

    fn encoded_len(&self) -> usize {
        field::LEN
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut b = [0u8; field::LEN];
        b[field::NEXT] = next.to_wire();
        b[field::ERROR_NO] = self.error_no.to_wire();
        b[field::RESERVED..].copy_from_slice(&self.reserved.to_be_bytes());
        out.extend_from_slice(&b);
        Ok(())
    }
}
