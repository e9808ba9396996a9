//! The errors of the SDP and RTSP key management helpers: [`SdpError`] (every failure
//! names the offset in the text handed to the failing function) and [`Base64Problem`]
//! (what is wrong with a base64 field, RFC 4567 §3.1).

use core::fmt;

use super::KeyMgmtLevel;

/// What is wrong with a base64 field (RFC 4567 §3.1: base64 as in RFC 4566, with padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base64Problem {
    /// A character outside the base64 alphabet.
    InvalidChar(char),
    /// Whitespace inside the base64 text.
    Whitespace,
    /// The length is not a multiple of 4 (padding missing or extra characters).
    Length,
    /// Misplaced or superfluous `=` padding.
    Padding,
    /// The last symbol has non-zero unused bits (not canonical base64).
    TrailingBits,
    /// No data at all.
    Empty,
}

impl fmt::Display for Base64Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidChar(c) => write!(f, "invalid character {c:?}"),
            Self::Whitespace => f.write_str("whitespace inside base64"),
            Self::Length => f.write_str("length is not a multiple of 4 (padding missing?)"),
            Self::Padding => f.write_str("misplaced '=' padding"),
            Self::TrailingBits => f.write_str("non-zero trailing bits in the last symbol"),
            Self::Empty => f.write_str("empty base64 data"),
        }
    }
}

/// Errors of the SDP and RTSP key management helpers. Offsets count bytes from the start
/// of the text handed to the failing function.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SdpError {
    /// The SDP itself does not parse (message of the `sdp_types` parser).
    Sdp(String),
    /// A `key-mgmt` attribute has no value (RFC 4567 §3.1 requires `prtcl-id SP data`).
    MissingValue {
        /// Where the attribute is.
        level: KeyMgmtLevel,
    },
    /// A `key-mgmt` attribute at `level` is malformed.
    Attribute {
        /// Where the attribute is.
        level: KeyMgmtLevel,
        /// What is wrong with its value.
        error: Box<SdpError>,
    },
    /// The prtcl-id / KMPID is empty or not `1*(ALPHA / DIGIT)` (RFC 4567 §3).
    PrtclId {
        /// Offset of the offending character (or of the empty id).
        offset: usize,
    },
    /// The single space between prtcl-id and data is missing (RFC 4567 §3.1).
    MissingSeparator {
        /// Offset where the space was expected.
        offset: usize,
    },
    /// Bad base64.
    Base64 {
        /// Offset of the problem.
        offset: usize,
        /// The problem.
        problem: Base64Problem,
    },
    /// A media index beyond the session's media descriptions.
    MediaIndex {
        /// The index asked for.
        index: usize,
        /// The number of media descriptions.
        count: usize,
    },
    /// RTSP `KeyMgmt` header syntax error (RFC 4567 §3.2).
    HeaderSyntax {
        /// Offset of the unexpected input.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// A quoted string without its closing quote.
    UnterminatedQuote {
        /// Offset of the opening quote.
        offset: usize,
    },
    /// A parameter given twice in one key-mgmt-spec.
    DuplicateParameter {
        /// Parameter name.
        name: String,
        /// Offset of the second occurrence.
        offset: usize,
    },
    /// A parameter other than `prot`, `uri`, `data`.
    UnknownParameter {
        /// Parameter name.
        name: String,
        /// Offset of the name.
        offset: usize,
    },
    /// A key-mgmt-spec lacks a required parameter (`prot`, or `data`).
    MissingParameter {
        /// Parameter name.
        name: &'static str,
        /// Index of the key-mgmt-spec (0-based).
        entry: usize,
    },
}

impl fmt::Display for SdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sdp(e) => write!(f, "SDP does not parse: {e}"),
            Self::MissingValue { level } => write!(f, "key-mgmt attribute at {level} has no value"),
            Self::Attribute { level, error } => write!(f, "key-mgmt attribute at {level}: {error}"),
            Self::PrtclId { offset } => {
                write!(
                    f,
                    "invalid prtcl-id at offset {offset} (RFC 4567 §3: 1*(ALPHA / DIGIT))"
                )
            }
            Self::MissingSeparator { offset } => {
                write!(
                    f,
                    "expected one space before the key management data at offset {offset}"
                )
            }
            Self::Base64 { offset, problem } => {
                write!(f, "bad base64 at offset {offset}: {problem}")
            }
            Self::MediaIndex { index, count } => {
                write!(
                    f,
                    "media index {index} out of range ({count} media descriptions)"
                )
            }
            Self::HeaderSyntax { offset, expected } => {
                write!(f, "KeyMgmt header: expected {expected} at offset {offset}")
            }
            Self::UnterminatedQuote { offset } => {
                write!(
                    f,
                    "KeyMgmt header: unterminated quoted string starting at offset {offset}"
                )
            }
            Self::DuplicateParameter { name, offset } => {
                write!(
                    f,
                    "KeyMgmt header: duplicate parameter {name:?} at offset {offset}"
                )
            }
            Self::UnknownParameter { name, offset } => {
                write!(
                    f,
                    "KeyMgmt header: unknown parameter {name:?} at offset {offset}"
                )
            }
            Self::MissingParameter { name, entry } => {
                write!(
                    f,
                    "KeyMgmt header: key-mgmt-spec {entry} has no {name:?} parameter"
                )
            }
        }
    }
}

impl std::error::Error for SdpError {}
