//! Key data sub-payload (RFC 3830 §6.13, RFC 6043 §6.2.1) and key validity data (§6.14).
//!
//! ```text
//! !  Next Payload ! Type  ! KV    ! Key data len                  !
//! !                         Key data                              ~
//! ! Salt len (optional)           ! Salt data (optional)          ~
//! !                        KV data (optional)                     ~
//! ```

use super::codes::{KeyDataType, KvType, PayloadType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{code_bits, len_u16, len_u8, EncodeError, EncodeErrorKind};
use super::error::{ErrorKind, ParseError};
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "Key data";

/// The key data sub-payload field layout (RFC 3830 §6.13), written once.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Type (4 bits) and KV (4 bits).
    pub const TYPE_KV: usize = 1;
    /// Key data len (16 bits).
    pub const KEY_LEN: Range<usize> = 2..4;
    /// Key data from here; then, for the +SALT types, Salt len (16 bits) and Salt data; then
    /// the KV data.
    pub const KEY: usize = 4;
    /// The length of the Salt len field.
    pub const SALT_LEN: usize = 2;
    /// Salt len (16 bits, +SALT types), after `n` bytes of Key data.
    pub const fn salt_len(n: usize) -> Range<usize> {
        KEY + n..KEY + n + SALT_LEN
    }
    /// Salt data (+SALT types), after `n` bytes of Key data.
    pub const fn salt(n: usize) -> usize {
        KEY + n + SALT_LEN
    }
    /// Type (the high 4 bits of [`TYPE_KV`]).
    pub const fn key_type(type_kv: u8) -> u8 {
        type_kv >> 4
    }
    /// KV (the low 4 bits of [`TYPE_KV`]).
    pub const fn kv(type_kv: u8) -> u8 {
        type_kv & 0x0f
    }
    /// The [`TYPE_KV`] byte of a 4-bit type and a KV code (its low 4 bits).
    pub const fn type_kv(key_type: u8, kv: u8) -> u8 {
        (key_type << 4) | (kv & 0x0f)
    }
}

/// The key validity data layout (RFC 3830 §6.14), from the first byte of the KV data:
/// SPI Length and SPI, or VF Length, Valid From, VT Length and Valid To.
pub(crate) mod kv_field {
    /// SPI Length / VF Length (8 bits).
    pub const LEN: usize = 0;
    /// SPI / Valid From: `LEN` bytes from here.
    pub const DATA: usize = 1;
    /// VT Length (8 bits), after `n` bytes of Valid From.
    pub const fn vt_len(n: usize) -> usize {
        DATA + n
    }
    /// Valid To, after `n` bytes of Valid From.
    pub const fn vt(n: usize) -> usize {
        DATA + n + 1
    }
}

/// Key validity data (RFC 3830 §6.14), part of a key data sub-payload or a DH payload.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum KeyValidity<'a> {
    /// No specific usage rule.
    #[default]
    Null,
    /// SPI (an MKI for SRTP), at most 255 bytes.
    Spi(Data<'a>),
    /// Valid from / valid to (for SRTP: 6-byte packet indices), each at most 255 bytes.
    Interval {
        /// Valid From.
        from: Data<'a>,
        /// Valid To.
        to: Data<'a>,
    },
}

impl<'a> KeyValidity<'a> {
    /// The KV type code.
    pub fn kv_type(&self) -> KvType {
        match self {
            Self::Null => KvType::Null,
            Self::Spi(_) => KvType::Spi,
            Self::Interval { .. } => KvType::Interval,
        }
    }

    pub(crate) fn parse(
        kv: KvType,
        r: &mut Reader<'a>,
        payload: &'static str,
    ) -> Result<Self, ParseError> {
        use kv_field as f;
        let b = r.fields(payload);
        match kv {
            KvType::Null => Ok(Self::Null),
            KvType::Spi => {
                let n = b.u8(f::LEN, "SPI Length")? as usize;
                let spi = b.bytes(f::DATA, n, "SPI")?;
                r.advance(f::DATA + n);
                Ok(Self::Spi(Cow::Borrowed(spi)))
            }
            KvType::Interval => {
                let n = b.u8(f::LEN, "VF Length")? as usize;
                let from = b.bytes(f::DATA, n, "Valid From")?;
                let m = b.u8(f::vt_len(n), "VT Length")? as usize;
                let to = b.bytes(f::vt(n), m, "Valid To")?;
                r.advance(f::vt(n) + m);
                Ok(Self::Interval {
                    from: Cow::Borrowed(from),
                    to: Cow::Borrowed(to),
                })
            }
            KvType::Unknown(v) => {
                Err(r.error(payload, "KV", ErrorKind::UnknownLayout { value: v.into() }))
            }
        }
    }

    /// Encoded length of the KV data.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Null => 0,
            Self::Spi(s) => 1 + s.len(),
            Self::Interval { from, to } => 2 + from.len() + to.len(),
        }
    }

    /// Checks that the KV data fits its 8-bit length fields (RFC 3830 §6.14); `payload`
    /// names the payload it is part of.
    pub(crate) fn check(&self, payload: &'static str) -> Result<(), EncodeError> {
        match self {
            Self::Null => {}
            Self::Spi(s) => {
                len_u8(payload, "SPI Length", s.len())?;
            }
            Self::Interval { from, to } => {
                len_u8(payload, "VF Length", from.len())?;
                len_u8(payload, "VT Length", to.len())?;
            }
        }
        Ok(())
    }

    /// Writes the KV data, once [`KeyValidity::check`] passed (lengths clamped, never
    /// reached).
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let n = |d: &[u8]| d.len().min(255) as u8;
        match self {
            Self::Null => {}
            Self::Spi(s) => {
                out.push(n(s));
                out.extend_from_slice(s);
            }
            Self::Interval { from, to } => {
                out.push(n(from));
                out.extend_from_slice(from);
                out.push(n(to));
                out.extend_from_slice(to);
            }
        }
    }

    /// The SPI/MKI when the KV type is SPI.
    pub fn spi(&self) -> Option<&[u8]> {
        match self {
            Self::Spi(s) => Some(s),
            _ => None,
        }
    }

    /// A copy borrowing this one's bytes (no allocation).
    pub fn borrowed(&self) -> KeyValidity<'_> {
        match self {
            Self::Null => KeyValidity::Null,
            Self::Spi(s) => KeyValidity::Spi(Cow::Borrowed(s)),
            Self::Interval { from, to } => KeyValidity::Interval {
                from: Cow::Borrowed(from),
                to: Cow::Borrowed(to),
            },
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> KeyValidity<'static> {
        match self {
            Self::Null => KeyValidity::Null,
            Self::Spi(s) => KeyValidity::Spi(own(s)),
            Self::Interval { from, to } => KeyValidity::Interval {
                from: own(from),
                to: own(to),
            },
        }
    }
}

/// One key data sub-payload. The key bytes are secret: `Debug` shows only lengths.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyData<'a> {
    /// Key type (TGK, TEK, ...). The salt field is present exactly when the type has one.
    pub key_type: KeyDataType,
    /// The key.
    pub key: Data<'a>,
    /// The salt, for the `+SALT` key types.
    pub salt: Option<Data<'a>>,
    /// Key validity.
    pub kv: KeyValidity<'a>,
}

impl core::fmt::Debug for KeyData<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyData")
            .field("key_type", &self.key_type)
            .field("key", &format_args!("<{} bytes>", self.key.len()))
            .field("salt", &self.salt.as_ref().map(|s| s.len()))
            .field("kv", &self.kv)
            .finish()
    }
}

impl<'a> KeyData<'a> {
    /// A key without salt and without key validity.
    pub fn new(key_type: KeyDataType, key: impl Into<Data<'a>>) -> Self {
        Self {
            key_type,
            key: key.into(),
            salt: None,
            kv: KeyValidity::Null,
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> KeyData<'static> {
        KeyData {
            key_type: self.key_type,
            key: own(self.key),
            salt: self.salt.map(own),
            kv: self.kv.into_owned(),
        }
    }
}

impl<'a> PayloadBody<'a> for KeyData<'a> {
    const TYPE: PayloadType = PayloadType::KeyData;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let tkv = b.u8(field::TYPE_KV, "Type/KV")?;
        let key_type = KeyDataType::from_wire(field::key_type(tkv));
        let kv_type = KvType::from_wire(field::kv(tkv));
        let Some(has_salt) = key_type.has_salt() else {
            return Err(b.error(
                field::TYPE_KV,
                "Type",
                ErrorKind::UnknownLayout {
                    value: field::key_type(tkv).into(),
                },
            ));
        };
        let n = b.u16(field::KEY_LEN, "Key data len")? as usize;
        let key = Cow::Borrowed(b.bytes(field::KEY, n, "Key data")?);
        let (salt, kv_at) = if has_salt {
            let s = b.u16(field::salt_len(n), "Salt len")? as usize;
            let salt = b.bytes(field::salt(n), s, "Salt data")?;
            (Some(Cow::Borrowed(salt)), field::salt(n) + s)
        } else {
            (None, field::KEY + n)
        };
        // The KV data (RFC 3830 §6.14, `kv_field`) follows.
        r.advance(kv_at);
        let kv = KeyValidity::parse(kv_type, r, P)?;
        Ok((
            Self {
                key_type,
                key,
                salt,
                kv,
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::KEY
            + self.key.len()
            + self.salt.as_ref().map_or(0, |s| field::SALT_LEN + s.len())
            + self.kv.encoded_len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let t = self.key_type.to_wire();
        code_bits(P, "Type", t.into(), 4)?;
        // The salt field is there exactly when the type says so (RFC 3830 §6.13).
        match (self.key_type.has_salt(), &self.salt) {
            (None, _) => {
                let kind = EncodeErrorKind::BadCode {
                    value: t.into(),
                    max: 0,
                };
                return Err(EncodeError::new(P, "Type", kind));
            }
            (Some(has), salt) if has != salt.is_some() => {
                let kind = EncodeErrorKind::Misplaced {
                    reason: "a salt is sent exactly with the +SALT key types",
                };
                return Err(EncodeError::new(P, "Salt data", kind));
            }
            _ => {}
        }
        let n = len_u16(P, "Key data len", self.key.len())?.to_be_bytes();
        let salt_len = match &self.salt {
            Some(s) => len_u16(P, "Salt len", s.len())?.to_be_bytes(),
            None => [0; 2],
        };
        self.kv.check(P)?;
        let mut head = [0u8; field::KEY];
        head[field::NEXT] = next.to_wire();
        head[field::TYPE_KV] = field::type_kv(t, self.kv.kv_type().to_wire());
        head[field::KEY_LEN].copy_from_slice(&n);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.key);
        if let Some(s) = &self.salt {
            out.extend_from_slice(&salt_len);
            out.extend_from_slice(s);
        }
        self.kv.write(out);
        Ok(())
    }
}

/// The plaintext of a KEMAC's Encr data: an optional leading ID payload (public-key
/// methods, RFC 3830 §6.2) followed by a chain of key data sub-payloads.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KeyDataList<'a> {
    /// The initiator's (or, in RSA-R, responder's) identity, first in the plaintext.
    pub id: Option<super::id::Id<'a>>,
    /// The key data sub-payloads, in order.
    pub keys: Vec<KeyData<'a>>,
}

impl<'a> KeyDataList<'a> {
    /// Parses a KEMAC plaintext. `with_id` says whether an ID payload leads it (RFC 3830
    /// §6.2: public-key transport). `base` is the absolute offset of `data` for errors.
    pub fn parse(data: &'a [u8], with_id: bool, base: usize) -> Result<Self, ParseError> {
        let mut keys = Vec::new();
        let id = Self::parse_each(data, with_id, base, |k| keys.push(k))?;
        Ok(KeyDataList { id, keys })
    }

    /// Parses a KEMAC plaintext like [`KeyDataList::parse`], handing each key data
    /// sub-payload to `f` instead of collecting them; returns the leading ID payload. No
    /// allocation.
    pub fn parse_each(
        data: &'a [u8],
        with_id: bool,
        base: usize,
        mut f: impl FnMut(KeyData<'a>),
    ) -> Result<Option<super::id::Id<'a>>, ParseError> {
        let mut r = Reader::with_base(data, base);
        let mut ctx = ParseCtx::default();
        if data.is_empty() {
            return Ok(None);
        }
        let (id, mut next) = if with_id {
            let (id, next) = super::id::Id::parse(&mut r, &mut ctx)?;
            (Some(id), next)
        } else {
            (None, PayloadType::KeyData)
        };
        while next != PayloadType::Last {
            if next != PayloadType::KeyData {
                return Err(r.error(
                    P,
                    "next payload",
                    ErrorKind::InvalidValue {
                        value: next.to_wire().into(),
                        expected: "Key data (20) or Last (0)",
                    },
                ));
            }
            let (kd, n) = KeyData::parse(&mut r, &mut ctx)?;
            f(kd);
            next = n;
        }
        if !r.is_empty() {
            return Err(r.error(
                P,
                "end",
                ErrorKind::TrailingBytes {
                    count: r.remaining(),
                },
            ));
        }
        Ok(id)
    }

    /// Checks a KEMAC plaintext like [`KeyDataList::parse`] without allocating (used when a
    /// message with a NULL-encrypted KEMAC is parsed).
    pub fn validate(data: &[u8], with_id: bool, base: usize) -> Result<(), ParseError> {
        KeyDataList::parse_each(data, with_id, base, drop).map(drop)
    }

    /// Encoded length.
    pub fn encoded_len(&self) -> usize {
        self.id.as_ref().map_or(0, |i| i.encoded_len())
            + self.keys.iter().map(|k| k.encoded_len()).sum::<usize>()
    }

    /// Appends the plaintext: ID (if any), then the key data chain. On error nothing is
    /// written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        encode_chain(self.id.as_ref(), self.keys.iter(), out)
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> KeyDataList<'static> {
        KeyDataList {
            id: self.id.map(|i| i.into_owned()),
            keys: self.keys.into_iter().map(|k| k.into_owned()).collect(),
        }
    }
}

/// Appends a KEMAC plaintext (RFC 3830 §6.2): `id` (if any), then the key data chain of
/// `keys`, sized first (`keys` is walked twice; its items may be built on the fly). On
/// error `out` is left as it was.
pub(crate) fn encode_chain<'k, K, I>(
    id: Option<&super::id::Id<'_>>,
    keys: I,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError>
where
    K: core::borrow::Borrow<KeyData<'k>>,
    I: ExactSizeIterator<Item = K> + Clone,
{
    let n = keys.len();
    out.reserve(
        id.map_or(0, |i| i.encoded_len())
            + keys
                .clone()
                .map(|k| k.borrow().encoded_len())
                .sum::<usize>(),
    );
    let start = out.len();
    let r = (|| {
        if let Some(id) = id {
            let next = if n == 0 {
                PayloadType::Last
            } else {
                PayloadType::KeyData
            };
            id.encode(next, out)?;
        }
        for (i, k) in keys.enumerate() {
            let next = if i + 1 < n {
                PayloadType::KeyData
            } else {
                PayloadType::Last
            };
            k.borrow().encode(next, out)?;
        }
        Ok(())
    })();
    if r.is_err() {
        // Key bytes already written are wiped before they are dropped.
        zeroize::Zeroize::zeroize(&mut out[start..]);
        out.truncate(start);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tek_with_spi_round_trip() {
        // From gortsplib "KEMAC key data with SPI": TEK, KV=SPI, key aabbcc, SPI 1122.
        let b = [0x00, 0x21, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x02, 0x11, 0x22];
        let l = KeyDataList::parse(&b, false, 0).unwrap();
        assert_eq!(l.keys.len(), 1);
        assert_eq!(l.keys[0].key_type, KeyDataType::Tek);
        assert_eq!(&*l.keys[0].key, &[0xaa, 0xbb, 0xcc]);
        assert_eq!(l.keys[0].kv.spi(), Some(&[0x11, 0x22][..]));
        let mut out = Vec::new();
        l.encode(&mut out).unwrap();
        assert_eq!(out, b);
        assert!(!format!("{:?}", l).contains("aa, bb"));
    }

    #[test]
    fn unknown_kv_is_an_error() {
        let b = [0x00, 0x23, 0x00, 0x01, 0xaa];
        let e = KeyDataList::parse(&b, false, 100).unwrap_err();
        assert_eq!(e.field, "KV");
        assert_eq!(e.offset, 105);
    }
}
