//! Typed parse errors: which payload, which field, which byte offset, what was expected.

use core::fmt;

/// What went wrong while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The field runs past the end of the input.
    Truncated {
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A code whose value implies the payload layout is unknown, so parsing cannot continue
    /// (unknown payload type, DH group, MAC, TS type, hash, key data type or KV type).
    UnknownLayout {
        /// The code value found.
        value: u32,
    },
    /// A field holds a value the RFC does not allow here.
    InvalidValue {
        /// The value found.
        value: u32,
        /// What the RFC allows.
        expected: &'static str,
    },
    /// Bytes remain after the last payload.
    TrailingBytes {
        /// How many bytes remain.
        count: usize,
    },
    /// A payload is not allowed where it stands.
    Misplaced {
        /// Why.
        reason: &'static str,
    },
}

/// A parse failure, naming the payload, the field and the byte offset (from the start of the
/// message) where it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The payload (RFC short name, e.g. `"KEMAC"`, `"HDR"`, `"Key data"`).
    pub payload: &'static str,
    /// The field of that payload.
    pub field: &'static str,
    /// Byte offset of the field from the start of the input.
    pub offset: usize,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl ParseError {
    /// Builds an error.
    pub const fn new(
        payload: &'static str,
        field: &'static str,
        offset: usize,
        kind: ErrorKind,
    ) -> Self {
        Self {
            payload,
            field,
            offset,
            kind,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} at offset {}: ",
            self.payload, self.field, self.offset
        )?;
        match self.kind {
            ErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} left")
            }
            ErrorKind::UnknownLayout { value } => {
                write!(
                    f,
                    "unknown value {value} implies a layout this parser cannot know"
                )
            }
            ErrorKind::InvalidValue { value, expected } => {
                write!(f, "invalid value {value}, expected {expected}")
            }
            ErrorKind::TrailingBytes { count } => {
                write!(f, "{count} bytes after the last payload")
            }
            ErrorKind::Misplaced { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for ParseError {}
