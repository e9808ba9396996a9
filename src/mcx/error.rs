//! Errors of the 3GPP TS 33.180 layer: which field, what was wrong.

use crate::wire::{EncodeError, ParseError};
use core::fmt;

/// What went wrong in a TS 33.180 derivation, payload or message view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum McxError {
    /// A field is longer than its length field can say (TS 33.220 Annex B.1: 2-octet
    /// lengths; 2-octet LV-E lengths of TS 24.379 Annex I).
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length in octets.
        len: usize,
        /// The largest length its encoding allows.
        max: usize,
    },
    /// A payload does not parse: which payload, which field, which offset.
    Parse(ParseError),
    /// A MIKEY payload does not fit its fields (RFC 3830 §6): which payload, which field,
    /// what length and maximum.
    Encode(EncodeError),
    /// A field holds a value the specification does not allow here.
    Invalid {
        /// The payload or structure.
        what: &'static str,
        /// The field.
        field: &'static str,
        /// What is expected.
        expected: &'static str,
    },
    /// A required payload or field is missing.
    Missing {
        /// What is missing.
        what: &'static str,
    },
    /// The AES-GCM tag of a protected payload does not verify (wrong key, or altered).
    AuthFailed,
}

impl fmt::Display for McxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            McxError::TooLong { field, len, max } => {
                write!(f, "{field}: {len} octets, at most {max} can be encoded")
            }
            McxError::Parse(e) => write!(f, "{e}"),
            McxError::Encode(e) => write!(f, "{e}"),
            McxError::Invalid {
                what,
                field,
                expected,
            } => write!(f, "{what} {field}: expected {expected}"),
            McxError::Missing { what } => write!(f, "missing {what}"),
            McxError::AuthFailed => write!(f, "protected payload: AES-GCM tag does not verify"),
        }
    }
}

impl std::error::Error for McxError {}

impl From<EncodeError> for McxError {
    fn from(e: EncodeError) -> Self {
        McxError::Encode(e)
    }
}

impl From<ParseError> for McxError {
    fn from(e: ParseError) -> Self {
        McxError::Parse(e)
    }
}
