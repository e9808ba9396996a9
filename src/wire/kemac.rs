//! Key data transport payload (KEMAC), RFC 3830 §6.2 (RFC 6043 §6.2 adds AES-CM-256 and
//! HMAC-SHA-256-256).
//!
//! ```text
//! ! Next payload  ! Encr alg      ! Encr data len                 !
//! !                        Encr data                              ~
//! ! Mac alg       !        MAC                                    ~
//! ```
//! The MAC length is implied by the MAC algorithm: an unknown MAC algorithm stops parsing.

use super::codes::{EncrAlg, MacAlg, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{implied, len_u16, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::key_data::KeyDataList;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "KEMAC";

/// The field layout (RFC 3830 §6.2), written once: the parser, the encoder, the fast walk
/// ([`walk`](super::walk)) and [`KemacRef`](super::KemacRef) all read it from here.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Encr alg.
    pub const ENCR_ALG: usize = 1;
    /// Encr data len (16 bits).
    pub const ENCR_LEN: Range<usize> = 2..4;
    /// Encr data: `n` bytes from here.
    pub const ENCR_DATA: usize = 4;
    /// Mac alg, after `n` bytes of Encr data.
    pub const fn mac_alg(n: usize) -> usize {
        ENCR_DATA + n
    }
    /// MAC (its length implied by Mac alg), after `n` bytes of Encr data.
    pub const fn mac(n: usize) -> usize {
        ENCR_DATA + n + 1
    }
}

/// KEMAC payload. `encr_data` holds the (encrypted) key data sub-payloads as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kemac<'a> {
    /// Encryption algorithm of `encr_data`.
    pub encr_alg: EncrAlg,
    /// Encrypted key data sub-payloads (plaintext when `encr_alg` is NULL).
    pub encr_data: Data<'a>,
    /// MAC algorithm.
    pub mac_alg: MacAlg,
    /// The MAC (its length matches `mac_alg`).
    pub mac: Data<'a>,
}

impl<'a> Kemac<'a> {
    /// With NULL encryption, the key data sub-payloads carried in clear (RFC 3830 §4.2.3).
    /// `with_id` for public-key messages whose plaintext starts with an ID payload.
    pub fn plaintext_keys(&self, with_id: bool) -> Option<Result<KeyDataList<'_>, ParseError>> {
        (self.encr_alg == EncrAlg::Null).then(|| KeyDataList::parse(&self.encr_data, with_id, 0))
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Kemac<'static> {
        Kemac {
            encr_alg: self.encr_alg,
            encr_data: own(self.encr_data),
            mac_alg: self.mac_alg,
            mac: own(self.mac),
        }
    }

    /// Offset of the MAC field from the start of this payload's encoding.
    pub fn mac_offset(&self) -> usize {
        field::mac(self.encr_data.len())
    }
}

impl<'a> PayloadBody<'a> for Kemac<'a> {
    const TYPE: PayloadType = PayloadType::Kemac;

    #[inline]
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let encr_alg = EncrAlg::from_wire(b.u8(field::ENCR_ALG, "Encr alg")?);
        let n = b.u16(field::ENCR_LEN, "Encr data len")? as usize;
        let data_offset = r.offset() + field::ENCR_DATA;
        let encr_data = b.bytes(field::ENCR_DATA, n, "Encr data")?;
        let mac_alg = MacAlg::from_wire(b.u8(field::mac_alg(n), "Mac alg")?);
        let Some(mac_len) = mac_alg.mac_len() else {
            return Err(b.error(
                field::mac_alg(n),
                "Mac alg",
                ErrorKind::UnknownLayout {
                    value: mac_alg.to_wire().into(),
                },
            ));
        };
        let mac = b.bytes(field::mac(n), mac_len, "MAC")?;
        r.advance(field::mac(n) + mac_len);
        if encr_alg == EncrAlg::Null && ctx.validate {
            KeyDataList::validate(encr_data, ctx.kemac_with_id, data_offset)?;
        }
        Ok((
            Self {
                encr_alg,
                encr_data: Cow::Borrowed(encr_data),
                mac_alg,
                mac: Cow::Borrowed(mac),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::mac(self.encr_data.len()) + self.mac.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = len_u16(P, "Encr data len", self.encr_data.len())?.to_be_bytes();
        let mac_alg = self.mac_alg.to_wire();
        implied(
            P,
            "MAC",
            "Mac alg",
            mac_alg,
            self.mac.len(),
            self.mac_alg.mac_len(),
        )?;
        let mut head = [0u8; field::ENCR_DATA];
        head[field::NEXT] = next.to_wire();
        head[field::ENCR_ALG] = self.encr_alg.to_wire();
        head[field::ENCR_LEN].copy_from_slice(&n);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.encr_data);
        out.push(mac_alg);
        out.extend_from_slice(&self.mac);
        Ok(())
    }
}
