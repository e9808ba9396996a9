//! SAKKE payload, RFC 6509 §4.2.
//!
//! ```text
//! ! Next payload  ! SAKKE params  !   ID scheme   !  SAKKE data   ~
//! ~ length (cont) !                  SAKKE data                   ~
//! ```

use super::codes::{PayloadType, SakkeIdScheme, SakkeParams};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{len_u16, EncodeError};
use super::error::ParseError;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

/// The SAKKE field layout (RFC 6509 §4.2), written once.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// SAKKE params.
    pub const PARAMS: usize = 1;
    /// ID scheme.
    pub const ID_SCHEME: usize = 2;
    /// SAKKE data length (16 bits).
    pub const LEN: Range<usize> = 3..5;
    /// SAKKE data from here.
    pub const DATA: usize = 5;
}

/// SAKKE encapsulated data (RFC 6508 §4) with its parameter set and identifier scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SakkePayload<'a> {
    /// SAKKE parameter set.
    pub params: SakkeParams,
    /// Identifier scheme (3GPP uses 2, not in RFC 6509's table).
    pub id_scheme: SakkeIdScheme,
    /// Encapsulated data.
    pub data: Data<'a>,
}

impl SakkePayload<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> SakkePayload<'static> {
        SakkePayload {
            params: self.params,
            id_scheme: self.id_scheme,
            data: own(self.data),
        }
    }
}

impl<'a> PayloadBody<'a> for SakkePayload<'a> {
    const TYPE: PayloadType = PayloadType::Sakke;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("SAKKE");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let params = SakkeParams::from_wire(b.u8(field::PARAMS, "SAKKE params")?);
        let id_scheme = SakkeIdScheme::from_wire(b.u8(field::ID_SCHEME, "ID scheme")?);
        let n = b.u16(field::LEN, "SAKKE data length")? as usize;
        let data = Cow::Borrowed(b.bytes(field::DATA, n, "SAKKE data")?);
        r.advance(field::DATA + n);
        Ok((
            Self {
                params,
                id_scheme,
                data,
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::DATA + self.data.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = len_u16("SAKKE", "SAKKE data length", self.data.len())?.to_be_bytes();
        let mut head = [0u8; field::DATA];
        head[field::NEXT] = next.to_wire();
        head[field::PARAMS] = self.params.to_wire();
        head[field::ID_SCHEME] = self.id_scheme.to_wire();
        head[field::LEN].copy_from_slice(&n);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
