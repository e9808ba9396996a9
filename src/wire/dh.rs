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
    /// KV data (RFC 3830 §6.14), after `n` bytes of DH-value.
    pub const fn kv_data(n: usize) -> usize {
        VALUE + n + 1
    }
    /// Reserv (the high 4 bits of the Reserv/KV byte).
    pub const fn reserv(reserv_kv: u8) -> u8 {
        reserv_kv >> 4
    }
    /// KV (the low 4 bits of the Reserv/KV byte).
    pub const fn kv(reserv_kv: u8) -> u8 {
        reserv_kv & 0x0f
    }
    /// The Reserv/KV byte of a 4-bit Reserv and a KV code (its low 4 bits).
    pub const fn reserv_kv_byte(reserv: u8, kv: u8) -> u8 {
        (reserv << 4) | (kv & 0x0f)
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
        let b = r.fields(P);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let group = DhGroup::from_wire(b.u8(field::GROUP, "DH-Group")?);
        let Some(len) = group.value_len() else {
            return Err(b.error(
                field::GROUP,
                "DH-Group",
                ErrorKind::UnknownLayout {
                    value: group.to_wire().into(),
                },
            ));
        };
        let value = b.bytes(field::VALUE, len, "DH-value")?;
        let rk = b.u8(field::reserv_kv(len), "Reserv/KV")?;
        // The KV data (RFC 3830 §6.14, `key_data::kv_field`) follows.
        r.advance(field::kv_data(len));
        let kv = KeyValidity::parse(KvType::from_wire(field::kv(rk)), r, P)?;
        Ok((
            Self {
                group,
                value: Cow::Borrowed(value),
                reserved: field::reserv(rk),
                kv,
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::kv_data(self.value.len()) + self.kv.encoded_len()
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
        out.push(field::reserv_kv_byte(
            self.reserved,
            self.kv.kv_type().to_wire(),
        ));
        self.kv.write(out);
        Ok(())
    }
}
