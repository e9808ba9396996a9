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
        let next = PayloadType::from_wire(r.u8("SAKKE", "next payload")?);
        let params = SakkeParams::from_wire(r.u8("SAKKE", "SAKKE params")?);
        let id_scheme = SakkeIdScheme::from_wire(r.u8("SAKKE", "ID scheme")?);
        let n = r.u16("SAKKE", "SAKKE data length")? as usize;
        let data = Cow::Borrowed(r.take(n, "SAKKE", "SAKKE data")?);
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
        5 + self.data.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = len_u16("SAKKE", "SAKKE data length", self.data.len())?.to_be_bytes();
        out.extend_from_slice(&[
            next.to_wire(),
            self.params.to_wire(),
            self.id_scheme.to_wire(),
            n[0],
            n[1],
        ]);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
