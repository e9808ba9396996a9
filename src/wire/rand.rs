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
        let next = PayloadType::from_wire(r.u8("RAND", "next payload")?);
        let n = r.u8("RAND", "RAND len")? as usize;
        Ok((
            Self {
                rand: Cow::Borrowed(r.take(n, "RAND", "RAND")?),
            },
            next,
        ))
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
        let next = PayloadType::from_wire(r.u8("RANDR", "next payload")?);
        let role = RandRole::from_wire(r.u8("RANDR", "RAND Role")?);
        let n = r.u8("RANDR", "RAND length")? as usize;
        Ok((
            Self {
                role,
                rand: Cow::Borrowed(r.take(n, "RANDR", "RAND")?),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        3 + self.rand.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = len_u8("RANDR", "RAND length", self.rand.len())?;
        out.extend_from_slice(&[next.to_wire(), self.role.to_wire(), n]);
        out.extend_from_slice(&self.rand);
        Ok(())
    }
}
