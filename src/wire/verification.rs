//! Verification message payload (V), RFC 3830 §6.9.
//!
//! ```text
//! ! Next Payload  ! Auth alg      ! Ver data                      ~
//! ```
//! The length of Ver data is implied by the MAC algorithm: an unknown one stops parsing.

use super::codes::{MacAlg, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{implied, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

/// The V field layout (RFC 3830 §6.9), written once: the parser, the encoder, the fast
/// walk ([`walk`](super::walk)) and [`PayloadRef::verification`](super::PayloadRef::verification)
/// read it from here.
pub(crate) mod field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Auth alg.
    pub const AUTH_ALG: usize = 1;
    /// Ver data (the MAC, its length implied by Auth alg) from here.
    pub const MAC: usize = 2;
}

/// The verification MAC of a response (RFC 3830 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification<'a> {
    /// MAC algorithm.
    pub auth_alg: MacAlg,
    /// The MAC.
    pub mac: Data<'a>,
}

impl Verification<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Verification<'static> {
        Verification {
            auth_alg: self.auth_alg,
            mac: own(self.mac),
        }
    }
}

impl<'a> PayloadBody<'a> for Verification<'a> {
    const TYPE: PayloadType = PayloadType::V;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("V");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let auth_alg = MacAlg::from_wire(b.u8(field::AUTH_ALG, "Auth alg")?);
        let Some(n) = auth_alg.mac_len() else {
            return Err(b.error(
                field::AUTH_ALG,
                "Auth alg",
                ErrorKind::UnknownLayout {
                    value: auth_alg.to_wire().into(),
                },
            ));
        };
        let mac = b.bytes(field::MAC, n, "Ver data")?;
        r.advance(field::MAC + n);
        Ok((
            Self {
                auth_alg,
                mac: Cow::Borrowed(mac),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::MAC + self.mac.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let alg = self.auth_alg.to_wire();
        implied(
            "V",
            "Ver data",
            "Auth alg",
            alg,
            self.mac.len(),
            self.auth_alg.mac_len(),
        )?;
        let mut head = [0u8; field::MAC];
        head[field::NEXT] = next.to_wire();
        head[field::AUTH_ALG] = alg;
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.mac);
        Ok(())
    }
}
