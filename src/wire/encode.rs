//! Typed encode errors, and the checks every encoder makes before it writes a byte: a
//! length or count must fit its field (RFC 3830 §6: 8-bit RAND, SPI and #CS fields, 16-bit
//! ID, key data and SP parameter lengths, the 12-bit signature and 14-bit PKE lengths), a
//! length implied by a code must match it (MAC by MAC algorithm, DH value by group, hash by
//! hash function), and a code must fit its bit field.
//!
//! ```
//! use mikey::wire::{EncodeErrorKind, Message, Header, DataType, Payload, Rand};
//! let too_long = Message::new(Header::new(DataType::PskInit, 1))
//!     .with(Payload::Rand(Rand { rand: vec![7; 256].into() }));
//! let e = too_long.encode().unwrap_err();
//! assert_eq!((e.payload, e.field), ("RAND", "RAND len"));
//! assert_eq!(e.kind, EncodeErrorKind::TooLong { len: 256, max: 255 });
//! ```

use core::fmt;

/// Why a value cannot be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A length or count does not fit its field.
    TooLong {
        /// The length (or count) of the value.
        len: usize,
        /// The largest the field can carry.
        max: usize,
    },
    /// A length fixed by a code (MAC algorithm, DH group, hash function, TS type, key
    /// type) is not the one the value has: the peer would read a different layout.
    WrongLength {
        /// The length of the value.
        len: usize,
        /// The length the code implies.
        expected: usize,
    },
    /// A code value does not fit its bit field (e.g. a 4-bit S type), or implies a layout
    /// no parser can know (an unknown MAC algorithm, DH group, TS type or key type).
    BadCode {
        /// The code value.
        value: u32,
        /// The largest value the field carries (0 when the layout is unknown).
        max: u32,
    },
    /// A payload where it cannot stand (RFC 3830 §6.5: nothing follows SIGN).
    Misplaced {
        /// Why.
        reason: &'static str,
    },
    /// Content a parser would reject (NULL-encrypted KEMAC data that is not a key data
    /// chain, RFC 3830 §4.2.3).
    Malformed {
        /// Why.
        reason: &'static str,
    },
}

/// An encode failure, naming the payload and the field (as in [`ParseError`](super::ParseError)).
/// Nothing was written when it is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeError {
    /// The payload (RFC short name, e.g. `"RAND"`, `"HDR"`, `"Key data"`).
    pub payload: &'static str,
    /// The field of that payload.
    pub field: &'static str,
    /// What does not fit.
    pub kind: EncodeErrorKind,
}

impl EncodeError {
    /// Builds an error.
    pub const fn new(payload: &'static str, field: &'static str, kind: EncodeErrorKind) -> Self {
        Self {
            payload,
            field,
            kind,
        }
    }

    /// The length (or count) of the value, for [`EncodeErrorKind::TooLong`] and
    /// [`EncodeErrorKind::WrongLength`].
    pub const fn value_len(&self) -> Option<usize> {
        match self.kind {
            EncodeErrorKind::TooLong { len, .. } | EncodeErrorKind::WrongLength { len, .. } => {
                Some(len)
            }
            _ => None,
        }
    }

    /// The maximum of the field, for [`EncodeErrorKind::TooLong`].
    pub const fn field_max(&self) -> Option<usize> {
        match self.kind {
            EncodeErrorKind::TooLong { max, .. } => Some(max),
            _ => None,
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode {} {}: ", self.payload, self.field)?;
        match self.kind {
            EncodeErrorKind::TooLong { len, max } => {
                write!(f, "length {len} does not fit, at most {max}")
            }
            EncodeErrorKind::WrongLength { len, expected } => {
                write!(f, "length {len}, its code implies {expected}")
            }
            EncodeErrorKind::BadCode { value, max: 0 } => {
                write!(f, "code {value} implies a layout no parser knows")
            }
            EncodeErrorKind::BadCode { value, max } => {
                write!(f, "code {value} does not fit, at most {max}")
            }
            EncodeErrorKind::Misplaced { reason } | EncodeErrorKind::Malformed { reason } => {
                write!(f, "{reason}")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// `len` as the value of a field that carries at most `max`.
#[inline]
pub(crate) fn fit(
    payload: &'static str,
    field: &'static str,
    len: usize,
    max: usize,
) -> Result<usize, EncodeError> {
    if len > max {
        return Err(EncodeError::new(
            payload,
            field,
            EncodeErrorKind::TooLong { len, max },
        ));
    }
    Ok(len)
}

/// `len` as an 8-bit length or count field.
#[inline]
pub(crate) fn len_u8(
    payload: &'static str,
    field: &'static str,
    len: usize,
) -> Result<u8, EncodeError> {
    u8::try_from(len).map_err(|_| {
        EncodeError::new(
            payload,
            field,
            EncodeErrorKind::TooLong {
                len,
                max: u8::MAX.into(),
            },
        )
    })
}

/// `len` checked against `max` (a field narrower than 8 bits, such as the 7-bit #P of
/// RFC 6043 §6.1.1) and returned as its byte.
#[inline]
pub(crate) fn fit_u8(
    payload: &'static str,
    field: &'static str,
    len: usize,
    max: u8,
) -> Result<u8, EncodeError> {
    fit(payload, field, len, max.into())?;
    len_u8(payload, field, len)
}

/// `len` as a 16-bit length field.
#[inline]
pub(crate) fn len_u16(
    payload: &'static str,
    field: &'static str,
    len: usize,
) -> Result<u16, EncodeError> {
    u16::try_from(len).map_err(|_| {
        EncodeError::new(
            payload,
            field,
            EncodeErrorKind::TooLong {
                len,
                max: u16::MAX.into(),
            },
        )
    })
}

/// A length that a code fixes: `expected` (or `None` when the code's layout is unknown,
/// `code` then names it).
#[inline]
pub(crate) fn implied(
    payload: &'static str,
    field: &'static str,
    code_field: &'static str,
    code: u8,
    len: usize,
    expected: Option<usize>,
) -> Result<(), EncodeError> {
    match expected {
        None => Err(EncodeError::new(
            payload,
            code_field,
            EncodeErrorKind::BadCode {
                value: code.into(),
                max: 0,
            },
        )),
        Some(e) if e != len => Err(EncodeError::new(
            payload,
            field,
            EncodeErrorKind::WrongLength { len, expected: e },
        )),
        Some(_) => Ok(()),
    }
}

/// A code value for a field of `bits` bits.
#[inline]
pub(crate) fn code_bits(
    payload: &'static str,
    field: &'static str,
    value: u32,
    bits: u32,
) -> Result<u32, EncodeError> {
    let max = (1u32 << bits) - 1;
    if value > max {
        return Err(EncodeError::new(
            payload,
            field,
            EncodeErrorKind::BadCode { value, max },
        ));
    }
    Ok(value)
}
