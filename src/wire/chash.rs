//! Cert hash payload (CHASH), RFC 3830 §6.8 (RFC 6043 §6.7 adds SHA-256).
//!
//! ```text
//! ! Next Payload  ! Hash func     ! Hash                          ~
//! ```
//! The hash length is implied by the function: an unknown function stops parsing.

use super::codes::{HashFunc, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{implied, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

/// The CHASH field layout (RFC 3830 §6.8), written once.
pub(crate) mod field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Hash func.
    pub const HASH_FUNC: usize = 1;
    /// Hash (its length implied by Hash func) from here.
    pub const HASH: usize = 2;
}

/// Hash of the certificate used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chash<'a> {
    /// Hash function.
    pub hash_func: HashFunc,
    /// The hash.
    pub hash: Data<'a>,
}

impl Chash<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Chash<'static> {
        Chash {
            hash_func: self.hash_func,
            hash: own(self.hash),
        }
    }
}

impl<'a> PayloadBody<'a> for Chash<'a> {
    const TYPE: PayloadType = PayloadType::Chash;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("CHASH");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let hash_func = HashFunc::from_wire(b.u8(field::HASH_FUNC, "Hash func")?);
        let Some(n) = hash_func.hash_len() else {
            return Err(b.error(
                field::HASH_FUNC,
                "Hash func",
                ErrorKind::UnknownLayout {
                    value: hash_func.to_wire().into(),
                },
            ));
        };
        let hash = b.bytes(field::HASH, n, "Hash")?;
        r.advance(field::HASH + n);
        Ok((
            Self {
                hash_func,
                hash: Cow::Borrowed(hash),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::HASH + self.hash.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let f = self.hash_func.to_wire();
        implied(
            "CHASH",
            "Hash",
            "Hash func",
            f,
            self.hash.len(),
            self.hash_func.hash_len(),
        )?;
        let mut head = [0u8; field::HASH];
        head[field::NEXT] = next.to_wire();
        head[field::HASH_FUNC] = f;
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.hash);
        Ok(())
    }
}
