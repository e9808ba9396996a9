//! What every payload parser shares, placed below the payloads (RFC 3830 §6): the parse
//! options, the parse context (strict or lenient, with the [`Quirk`]s of real devices it
//! tolerated) and the [`PayloadBody`] codec trait. The payload modules, the fast walk
//! ([`walk`](super::walk)) and the message layer ([`message`](super::message)) all import
//! it; it imports none of them.

use super::codes::{DataType, PayloadType};
use super::encode::EncodeError;
use super::error::ParseError;
use super::reader::Reader;

/// A departure from RFC 3830 that real devices make and that lenient parsing accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Quirk {
    /// One 0x00 byte after the last payload (Milestone XProtect).
    TrailingZero = 1,
    /// SRTP "Session Auth. key length" = 10 with HMAC-SHA-1, where 20 is meant (GStreamer
    /// writes the tag length there).
    SrtpAuthKeyLen10 = 2,
    /// A NUL-terminated NAI/URI in an ID or IDR payload (MCPTT clients).
    NulTerminatedId = 4,
    /// The ID len of a NAI/URI identity of 256 octets or more in an IDR payload written
    /// with its high octet 0 (shipped MIKEY-SAKKE stacks): see
    /// [`IdRoleId`](super::IdRoleId)'s parser.
    IdrLenHighOctetZero = 8,
}

impl Quirk {
    const ALL: [Quirk; 4] = [
        Quirk::TrailingZero,
        Quirk::SrtpAuthKeyLen10,
        Quirk::NulTerminatedId,
        Quirk::IdrLenHighOctetZero,
    ];

    /// A short description.
    pub const fn describe(self) -> &'static str {
        match self {
            Quirk::TrailingZero => "one 0x00 byte after the last payload (Milestone XProtect)",
            Quirk::SrtpAuthKeyLen10 => {
                "SRTP session auth key length 10 for HMAC-SHA-1, read as 20 (GStreamer)"
            }
            Quirk::NulTerminatedId => "NUL-terminated NAI/URI in ID/IDR (MCPTT clients)",
            Quirk::IdrLenHighOctetZero => {
                "IDR ID len of an identity of 256 octets or more with its high octet 0 (MIKEY-SAKKE stacks)"
            }
        }
    }
}

/// The set of quirks a lenient parse tolerated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Quirks(u8);

impl Quirks {
    /// Whether `q` was tolerated.
    pub const fn contains(self, q: Quirk) -> bool {
        self.0 & q as u8 != 0
    }

    /// True when nothing was tolerated.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tolerated quirks.
    pub fn iter(self) -> impl Iterator<Item = Quirk> {
        Quirk::ALL.into_iter().filter(move |q| self.contains(*q))
    }
}

/// Parse state shared by the payload parsers.
#[derive(Clone, Debug)]
pub struct ParseCtx {
    /// Accept the [`Quirk`]s of real devices.
    pub lenient: bool,
    /// What was tolerated so far.
    pub quirks: Quirks,
    /// Check everything (NULL-encrypted KEMAC contents as key data sub-payloads, SP
    /// parameter TLVs, ID text). False when re-reading bytes that were already checked.
    pub validate: bool,
    /// Whether a KEMAC plaintext starts with an ID payload (public-key methods).
    pub kemac_with_id: bool,
}

impl Default for ParseCtx {
    fn default() -> Self {
        Self {
            lenient: false,
            quirks: Quirks::default(),
            validate: true,
            kemac_with_id: false,
        }
    }
}

impl ParseCtx {
    /// Records a tolerated quirk.
    pub fn quirk(&mut self, q: Quirk) {
        self.quirks.0 |= q as u8;
    }
}

/// One payload type's codec: parse from a reader (including its next payload field), and
/// encode with a given next payload field.
pub trait PayloadBody<'a>: Sized {
    /// The payload type code.
    const TYPE: PayloadType;
    /// Parses the payload at the reader; returns it and its next payload field.
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError>;
    /// Encoded length in bytes.
    fn encoded_len(&self) -> usize;
    /// Appends the payload with `next` as its next payload field, after checking that every
    /// length, count and code fits its field; on error nothing is written.
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// Parse options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept the known departures of real devices (see [`Quirk`]) and report them.
    pub lenient: bool,
}

impl ParseOptions {
    /// Strict parsing (the default).
    pub const STRICT: Self = Self { lenient: false };
    /// Lenient parsing.
    pub const LENIENT: Self = Self { lenient: true };
}

/// The parse context for a message of `data_type`: a NULL-encrypted KEMAC starts with an
/// ID payload in the public-key messages (RFC 3830 §6.2).
pub(crate) fn ctx_for(opts: ParseOptions, data_type: DataType) -> ParseCtx {
    ParseCtx {
        lenient: opts.lenient,
        kemac_with_id: matches!(data_type, DataType::PkInit | DataType::RsaRResp),
        ..ParseCtx::default()
    }
}
