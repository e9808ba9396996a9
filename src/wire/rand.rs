//! RAND payload, RFC 3830 §6.11, and RAND with role (RANDR), RFC 6043 §6.8.
//!
//! ```text
//! RAND:  ! Next payload  ! RAND len      ! RAND                          ~
//! RANDR: ! Next Payload  !    RAND Role  !  RAND length  !     RAND      ~
//! ```

use super::codes::{PayloadType, RandRole};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{len_u8, EncodeError};
use super::error::ParseError;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

/// The RAND field layout (RFC 3830 §6.11), written once: the parser, the encoder and the
/// fast walk ([`walk`](super::walk)) read it from here.
pub(crate) mod field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// RAND len (8 bits).
    pub const LEN: usize = 1;
    /// RAND: `RAND len` bytes from here.
    pub const RAND: usize = 2;
}

/// The RANDR field layout (RFC 6043 §6.8), written once: the parser and the encoder read
/// it from here.
pub(crate) mod randr_field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// RAND Role.
    pub const ROLE: usize = 1;
    /// RAND length (8 bits).
    pub const LEN: usize = 2;
    /// RAND: `RAND length` bytes from here.
    pub const RAND: usize = 3;
}

/// A random bit string, fresh per CSB (RFC 3830 §6.11: at least 16 bytes recommended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rand<'a> {
    /// The random bytes (at most 255).
    pub rand: Data<'a>,
}

impl Rand<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Rand<'static> {
        Rand {
            rand: own(self.rand),
        }
    }
}

impl<'a> PayloadBody<'a> for Rand<'a> {
    const TYPE: PayloadType = PayloadType::Rand;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("RAND");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let n = b.u8(field::LEN, "RAND len")? as usize;
        let rand = b.bytes(field::RAND, n, "RAND")?;
        r.advance(field::RAND + n);
        let rand = Cow::Borrowed(rand);
        Ok((Self { rand }, next))
    }

    fn encoded_len(&self) -> usize {
        field::RAND + self.rand.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut head = [0u8; field::RAND];
        head[field::NEXT] = next.to_wire();
        head[field::LEN] = len_u8("RAND", "RAND len", self.rand.len())?;
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.rand);
        Ok(())
    }
}

/// RAND with role (RFC 6043 §6.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandRoleRand<'a> {
    /// Who generated it.
    pub role: RandRole,
    /// The random bytes (at most 255).
    pub rand: Data<'a>,
}

impl RandRoleRand<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> RandRoleRand<'static> {
        RandRoleRand {
            role: self.role,
            rand: own(self.rand),
        }
    }
}

impl<'a> PayloadBody<'a> for RandRoleRand<'a> {
    const TYPE: PayloadType = PayloadType::Randr;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        use randr_field as f;
        let b = r.fields("RANDR");
        let next = PayloadType::from_wire(b.u8(f::NEXT, "next payload")?);
        let role = RandRole::from_wire(b.u8(f::ROLE, "RAND Role")?);
        let n = b.u8(f::LEN, "RAND length")? as usize;
        let rand = Cow::Borrowed(b.bytes(f::RAND, n, "RAND")?);
        r.advance(f::RAND + n);
        Ok((Self { role, rand }, next))
    }

    fn encoded_len(&self) -> usize {
        randr_field::RAND + self.rand.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        use randr_field as f;
        let mut head = [0u8; f::RAND];
        head[f::NEXT] = next.to_wire();
        head[f::ROLE] = self.role.to_wire();
        head[f::LEN] = len_u8("RANDR", "RAND length", self.rand.len())?;
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.rand);
        Ok(())
    }
}
