//! DH data payload, RFC 3830 §6.4.
//!
//! ```text
//! !  Next Payload ! DH-Group      !  DH-value                     ~
//! ! Reserv! KV    ! KV data (optional)                            ~
//! ```
//! The DH value length is implied by the group: an unknown group stops parsing.

use super::codes::{DhGroup, KvType, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{code_bits, implied, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::key_data::KeyValidity;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "DH";

/// The DH field layout (RFC 3830 §6.4), written once.
pub(crate) mod field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// DH-Group.
    pub const GROUP: usize = 1;
    /// DH-value (its length implied by the group) from here.
    pub const VALUE: usize = 2;
    /// Reserv (4 bits) and KV type (4 bits), after `n` bytes of DH-value; KV data follows.
    pub const fn reserv_kv(n: usize) -> usize {
        VALUE + n
    }
}

/// DH data: group, public value and key validity of the resulting TGK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dh<'a> {
    /// DH group.
    pub group: DhGroup,
    /// Public value, exactly as long as the group's modulus.
    pub value: Data<'a>,
    /// The 4 reserved bits, kept for an exact round trip.
    pub reserved: u8,
    /// Key validity.
    pub kv: KeyValidity<'a>,
}

impl Dh<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Dh<'static> {
        Dh {
            group: self.group,
            value: own(self.value),
            reserved: self.reserved,
            kv: self.kv.into_owned(),
        }
    }
}

impl<'a> PayloadBody<'a> for Dh<'a> {
    const TYPE: PayloadType = PayloadType::Dh;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let next = PayloadType::from_wire(r.u8(P, "next payload")?);
        let group = DhGroup::from_wire(r.u8(P, "DH-Group")?);
        let Some(len) = group.value_len() else {
            return Err(r.error_back(
                1,
                P,
                "DH-Group",
                ErrorKind::UnknownLayout {
                    value: group.to_wire().into(),
                },
            ));
        };
        let value = r.take(len, P, "DH-value")?;
        let rk = r.u8(P, "Reserv/KV")?;
        let kv = KeyValidity::parse(KvType::from_wire(rk & 0x0f), r, P)?;
        Ok((
            Self {
                group,
                value: Cow::Borrowed(value),
                reserved: rk >> 4,
                kv,
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::reserv_kv(self.value.len()) + 1 + self.kv.encoded_len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let g = self.group.to_wire();
        implied(
            P,
            "DH-value",
            "DH-Group",
            g,
            self.value.len(),
            self.group.value_len(),
        )?;
        code_bits(P, "Reserv", self.reserved.into(), 4)?;
        self.kv.check(P)?;
        let mut head = [0u8; field::VALUE];
        head[field::NEXT] = next.to_wire();
        head[field::GROUP] = g;
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.value);
        out.push((self.reserved << 4) | (self.kv.kv_type().to_wire() & 0x0f));
        self.kv.write(out);
        Ok(())
    }
}
