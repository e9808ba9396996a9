//! Key management in SDP and RTSP (RFC 4567): the `a=key-mgmt` attribute (RFC 4567 §3.1)
//! and the RTSP `KeyMgmt` header (RFC 4567 §3.2, with verified erratum 2247 adding the
//! `data` parameter).
//!
//! SDP handling is built on [`sdp_types`]: [`key_mgmt_from_sdp`] lists every `key-mgmt`
//! attribute of a session description, [`mikey_for_media`] applies the RFC 4567 §3.1 rule
//! "an attribute at media level overrides one at session level", and [`set_key_mgmt`]
//! writes a MIKEY attribute.
//!
//! ```
//! use mikey::sdp::{key_mgmt_from_sdp, mikey_for_media, set_key_mgmt, KeyMgmtLevel};
//! let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!            a=key-mgmt:mikey AQID\r\nm=audio 9 RTP/SAVP 0\r\n";
//! let entries = key_mgmt_from_sdp(sdp).unwrap();
//! assert_eq!(entries[0].level, KeyMgmtLevel::Session);
//! assert_eq!(entries[0].attr.data, [1, 2, 3]);
//!
//! let mut session = sdp_types::Session::parse(sdp.as_bytes()).unwrap();
//! assert_eq!(mikey_for_media(&session, 0), Some(vec![1, 2, 3]));
//! set_key_mgmt(&mut session, KeyMgmtLevel::Media(0), &[4, 5]).unwrap();
//! assert_eq!(mikey_for_media(&session, 0), Some(vec![4, 5]));
//! ```
//!
//! The RTSP header:
//!
//! ```
//! use mikey::sdp::KeyMgmtHeader;
//! let h = KeyMgmtHeader::parse(r#"prot=mikey; uri="rtsp://cam/track1"; data="AQID""#).unwrap();
//! assert_eq!(h.entries[0].uri.as_deref(), Some("rtsp://cam/track1"));
//! assert_eq!(h.mikey(), Some(&[1u8, 2, 3][..]));
//! assert_eq!(h.to_string(), r#"prot=mikey; uri="rtsp://cam/track1"; data="AQID""#);
//! ```
//!
//! Built on these:
//! * [`offer_answer`]: MIKEY in the SDP offer/answer model (RFC 4567 §4.1.2, SIP): the
//!   initiator message in the offer, the verification message in the answer, SSRCs from
//!   `a=ssrc` (RFC 5576) filling crypto sessions.
//! * [`onvif`]: the ONVIF streaming profile over RTSPS (`KeyMgmt` in SETUP, re-keying by
//!   SET_PARAMETER, multicast keys by GET_PARAMETER).
//! * [`KeyMgmtFailure`]: the RTSP 463 / SIP 488 answer to a key management failure
//!   (RFC 4567 §4.1.2, §4.2).

use base64::Engine as _;
use core::fmt;

pub mod failure;
pub mod offer_answer;
pub mod onvif;

pub use failure::{KeyMgmtError, KeyMgmtFailure};

/// The prtcl-id / KMPID of MIKEY (RFC 4567 §7.1).
pub const MIKEY_PRTCL_ID: &str = "mikey";

/// The SDP attribute name (RFC 4567 §3.1).
pub const KEY_MGMT_ATTRIBUTE: &str = "key-mgmt";

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

/// Decodes strict base64 (RFC 4648 alphabet, `=` padding required, canonical trailing bits),
/// reporting where it fails. `base` is added to offsets.
pub fn decode_base64(text: &str, base: usize) -> Result<Vec<u8>, SdpError> {
    let err = |offset: usize, problem| SdpError::Base64 {
        offset: base + offset,
        problem,
    };
    if text.is_empty() {
        return Err(err(0, Base64Problem::Empty));
    }
    let bytes = text.as_bytes();
    let pad_start = text.trim_end_matches('=').len();
    for (i, c) in text.char_indices() {
        let ok = c.is_ascii_alphanumeric() || c == '+' || c == '/';
        if c == '=' {
            if i < pad_start || bytes.len() - pad_start > 2 {
                return Err(err(i, Base64Problem::Padding));
            }
        } else if c.is_whitespace() {
            return Err(err(i, Base64Problem::Whitespace));
        } else if !ok {
            return Err(err(i, Base64Problem::InvalidChar(c)));
        }
    }
    if !bytes.len().is_multiple_of(4) {
        return Err(err(bytes.len(), Base64Problem::Length));
    }
    base64::engine::general_purpose::STANDARD
        .decode(bytes)
        .map_err(|e| match e {
            base64::DecodeError::InvalidLastSymbol(o, _) => err(o, Base64Problem::TrailingBits),
            base64::DecodeError::InvalidByte(o, b) => {
                err(o, Base64Problem::InvalidChar(char::from(b)))
            }
            base64::DecodeError::InvalidLength(o) => err(o, Base64Problem::Length),
            base64::DecodeError::InvalidPadding => err(pad_start, Base64Problem::Padding),
        })
}

/// Encodes base64 with padding (RFC 4648 §4).
pub fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn is_kmpid(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The value of an `a=key-mgmt:` attribute (RFC 4567 §3.1):
/// `key-mgmt-att-value = 0*1SP prtcl-id SP keymgmt-data`.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMgmtAttr {
    /// The key management protocol identifier (KMPID, case-sensitive, e.g. `mikey`).
    pub prtcl_id: String,
    /// The decoded key management data (for MIKEY: a MIKEY message).
    pub data: Vec<u8>,
}

impl fmt::Debug for KeyMgmtAttr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The data may carry NULL-encrypted keys: show only its length.
        f.debug_struct("KeyMgmtAttr")
            .field("prtcl_id", &self.prtcl_id)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish()
    }
}

impl KeyMgmtAttr {
    /// A MIKEY attribute.
    pub fn mikey(data: impl Into<Vec<u8>>) -> Self {
        Self {
            prtcl_id: MIKEY_PRTCL_ID.to_owned(),
            data: data.into(),
        }
    }

    /// Parses an attribute value such as `mikey AQAF...` (RFC 4567 §3.1). One leading
    /// space is allowed; otherwise exactly one space separates the fields, and the data
    /// must be strict padded base64 with nothing after it.
    pub fn parse(value: &str) -> Result<Self, SdpError> {
        let start = usize::from(value.starts_with(' '));
        let rest = &value[start..];
        let id_len = rest
            .bytes()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let prtcl_id = &rest[..id_len];
        if prtcl_id.is_empty() {
            return Err(SdpError::PrtclId { offset: start });
        }
        let after = &rest[id_len..];
        match after.as_bytes().first() {
            Some(b' ') => {}
            None => {
                return Err(SdpError::MissingSeparator {
                    offset: start + id_len,
                })
            }
            Some(_) => {
                return Err(SdpError::PrtclId {
                    offset: start + id_len,
                })
            }
        }
        let data_off = start + id_len + 1;
        let data = decode_base64(&after[1..], data_off)?;
        Ok(Self {
            prtcl_id: prtcl_id.to_owned(),
            data,
        })
    }

    /// Whether this is a MIKEY attribute (prtcl-id `mikey`, case-sensitive per RFC 4567 §3).
    pub fn is_mikey(&self) -> bool {
        self.prtcl_id == MIKEY_PRTCL_ID
    }
}

impl fmt::Display for KeyMgmtAttr {
    /// The attribute value: `<prtcl-id> <base64>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.prtcl_id, encode_base64(&self.data))
    }
}

/// Where a `key-mgmt` attribute sits in a session description (RFC 4567 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyMgmtLevel {
    /// Session level (before the first `m=` line).
    Session,
    /// Media level: index of the media description (0-based, in `m=` order).
    Media(usize),
}

impl fmt::Display for KeyMgmtLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Session => f.write_str("session level"),
            Self::Media(i) => write!(f, "media {i}"),
        }
    }
}

/// One `a=key-mgmt:` attribute found in an SDP, with its level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdpKeyMgmt {
    /// Session or media level.
    pub level: KeyMgmtLevel,
    /// The parsed attribute value.
    pub attr: KeyMgmtAttr,
}

fn attrs_at(session: &sdp_types::Session, level: KeyMgmtLevel) -> &[sdp_types::Attribute] {
    match level {
        KeyMgmtLevel::Session => &session.attributes,
        KeyMgmtLevel::Media(i) => session.medias.get(i).map_or(&[], |m| &m.attributes),
    }
}

fn parse_level(
    session: &sdp_types::Session,
    level: KeyMgmtLevel,
    out: &mut Vec<SdpKeyMgmt>,
) -> Result<(), SdpError> {
    for a in attrs_at(session, level) {
        if a.attribute != KEY_MGMT_ATTRIBUTE {
            continue;
        }
        let Some(v) = &a.value else {
            return Err(SdpError::MissingValue { level });
        };
        let attr = KeyMgmtAttr::parse(v).map_err(|e| SdpError::Attribute {
            level,
            error: Box::new(e),
        })?;
        out.push(SdpKeyMgmt { level, attr });
    }
    Ok(())
}

/// Every `key-mgmt` attribute of a parsed session, of any protocol, session level first,
/// then each media in order (RFC 4567 §3.1).
pub fn key_mgmt_from_session(session: &sdp_types::Session) -> Result<Vec<SdpKeyMgmt>, SdpError> {
    let mut out = Vec::new();
    parse_level(session, KeyMgmtLevel::Session, &mut out)?;
    for i in 0..session.medias.len() {
        parse_level(session, KeyMgmtLevel::Media(i), &mut out)?;
    }
    Ok(out)
}

/// Parses an SDP body and returns every `a=key-mgmt:` attribute, of any protocol, with
/// its level (RFC 4567 §3.1). A malformed `key-mgmt` attribute is an error.
pub fn key_mgmt_from_sdp(sdp_text: &str) -> Result<Vec<SdpKeyMgmt>, SdpError> {
    let session =
        sdp_types::Session::parse(sdp_text.as_bytes()).map_err(|e| SdpError::Sdp(e.to_string()))?;
    key_mgmt_from_session(&session)
}

fn mikey_at(session: &sdp_types::Session, level: KeyMgmtLevel) -> Option<Option<Vec<u8>>> {
    let a = attrs_at(session, level).iter().find(|a| {
        a.attribute == KEY_MGMT_ATTRIBUTE
            && a.value.as_deref().is_some_and(|v| {
                let v = v.strip_prefix(' ').unwrap_or(v);
                v.split(' ').next() == Some(MIKEY_PRTCL_ID)
            })
    })?;
    Some(
        a.value
            .as_deref()
            .and_then(|v| KeyMgmtAttr::parse(v).ok())
            .map(|k| k.data),
    )
}

/// The MIKEY message that applies to media `media_index`: the media-level
/// `a=key-mgmt:mikey` if there is one, else the session-level one (RFC 4567 §3.1: "if the
/// media-level attribute is present, the session level attribute MUST be ignored for this
/// media"). Attributes of other protocols are ignored. Returns `None` when there is no
/// MIKEY attribute for the media, when the index is out of range, or when the applicable
/// attribute is malformed (a malformed media-level attribute still hides the session one).
pub fn mikey_for_media(session: &sdp_types::Session, media_index: usize) -> Option<Vec<u8>> {
    if media_index >= session.medias.len() {
        return None;
    }
    match mikey_at(session, KeyMgmtLevel::Media(media_index)) {
        Some(found) => found,
        None => mikey_at(session, KeyMgmtLevel::Session).flatten(),
    }
}

/// Writes `a=key-mgmt:mikey <base64>` at `level`, replacing the existing MIKEY attribute(s)
/// there (attributes of other protocols are kept) (RFC 4567 §3.1). Fails only for a media
/// index out of range.
pub fn set_key_mgmt(
    session: &mut sdp_types::Session,
    level: KeyMgmtLevel,
    mikey_bytes: &[u8],
) -> Result<(), SdpError> {
    let count = session.medias.len();
    let attrs = match level {
        KeyMgmtLevel::Session => &mut session.attributes,
        KeyMgmtLevel::Media(i) => match session.medias.get_mut(i) {
            Some(m) => &mut m.attributes,
            None => return Err(SdpError::MediaIndex { index: i, count }),
        },
    };
    let value = KeyMgmtAttr::mikey(mikey_bytes).to_string();
    let is_mikey = |a: &sdp_types::Attribute| {
        a.attribute == KEY_MGMT_ATTRIBUTE
            && a.value.as_deref().is_some_and(|v| {
                let v = v.strip_prefix(' ').unwrap_or(v);
                v.split(' ').next() == Some(MIKEY_PRTCL_ID)
            })
    };
    match attrs.iter().position(is_mikey) {
        Some(pos) => {
            attrs[pos].value = Some(value);
            let mut i = 0;
            attrs.retain(|a| {
                i += 1;
                i - 1 == pos || !is_mikey(a)
            });
        }
        None => attrs.push(sdp_types::Attribute::with_value(KEY_MGMT_ATTRIBUTE, value)),
    }
    Ok(())
}

/// One key-mgmt-spec of an RTSP `KeyMgmt` header (RFC 4567 §3.2 with erratum 2247).
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMgmtEntry {
    /// `prot`: the KMPID, e.g. `mikey`.
    pub prot: String,
    /// `uri`: the RTSP (session or media) URI the data applies to. `None` when absent;
    /// `Some("")` for the empty `uri=""` some clients send (ONVIF example, Genetec); both
    /// mean the request URI.
    pub uri: Option<String>,
    /// `data`: the decoded key management data.
    pub data: Vec<u8>,
}

impl fmt::Debug for KeyMgmtEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyMgmtEntry")
            .field("prot", &self.prot)
            .field("uri", &self.uri)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish()
    }
}

impl KeyMgmtEntry {
    /// A MIKEY entry.
    pub fn mikey(uri: Option<String>, data: impl Into<Vec<u8>>) -> Self {
        Self {
            prot: MIKEY_PRTCL_ID.to_owned(),
            uri,
            data: data.into(),
        }
    }

    /// The URI, with an empty one treated as absent (RFC 4567 §3.2: no uri means the
    /// request URI).
    pub fn effective_uri(&self) -> Option<&str> {
        self.uri.as_deref().filter(|u| !u.is_empty())
    }
}

/// The RTSP `KeyMgmt` header value (RFC 4567 §3.2 with erratum 2247):
/// `key-mgmt-spec *("," key-mgmt-spec)`, each `prot=KMPID[;uri="URI"][;data="base64"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyMgmtHeader {
    /// The key-mgmt-specs in order.
    pub entries: Vec<KeyMgmtEntry>,
}

struct Scanner<'s> {
    s: &'s str,
    pos: usize,
}

impl<'s> Scanner<'s> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &'s str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b"-_.!~*'+%/:=@?&#[]$".contains(&b) {
                self.pos += 1;
            } else {
                break;
            }
        }
        &self.s[start..self.pos]
    }

    fn name(&mut self) -> &'s str {
        let start = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    /// A quoted string (RFC 2326 quoted-string with quoted-pair); the opening quote is at
    /// `self.pos`. Returns the unescaped content and its start offset.
    fn quoted(&mut self) -> Result<(String, usize), SdpError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.s[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok((out, open + 1));
                }
                '\\' => match chars.next() {
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                _ => out.push(c),
            }
        }
        Err(SdpError::UnterminatedQuote { offset: open })
    }

    fn syntax(&self, expected: &'static str) -> SdpError {
        SdpError::HeaderSyntax {
            offset: self.pos,
            expected,
        }
    }
}

impl KeyMgmtHeader {
    /// A header with one MIKEY entry.
    pub fn for_mikey(uri: Option<String>, data: impl Into<Vec<u8>>) -> Self {
        Self {
            entries: vec![KeyMgmtEntry::mikey(uri, data)],
        }
    }

    /// Parses a header value (RFC 4567 §3.2, erratum 2247). Parameters may come in any
    /// order after `prot` is given (erratum 2247), names are case-insensitive, values may
    /// be quoted or plain tokens, optional whitespace is allowed around `;`, `=` and `,`,
    /// and a trailing `;` is accepted. Rejected: duplicate parameters, unknown parameters,
    /// a spec without `prot` or `data`, a prot that is not a KMPID, unterminated quotes,
    /// bad base64, empty input.
    pub fn parse(header_value: &str) -> Result<Self, SdpError> {
        let mut sc = Scanner {
            s: header_value,
            pos: 0,
        };
        let mut entries = Vec::new();
        sc.ows();
        loop {
            let index = entries.len();
            let (mut prot, mut uri, mut data): (Option<String>, Option<String>, Option<Vec<u8>>) =
                (None, None, None);
            loop {
                sc.ows();
                let name_off = sc.pos;
                let name = sc.name();
                if name.is_empty() {
                    return Err(sc.syntax("a parameter name (prot, uri or data)"));
                }
                sc.ows();
                if sc.peek() != Some(b'=') {
                    return Err(sc.syntax("'='"));
                }
                sc.pos += 1;
                sc.ows();
                let (value, value_off) = if sc.peek() == Some(b'"') {
                    sc.quoted()?
                } else {
                    let off = sc.pos;
                    let t = sc.token();
                    if t.is_empty() {
                        return Err(sc.syntax("a parameter value"));
                    }
                    (t.to_owned(), off)
                };
                let lname = name.to_ascii_lowercase();
                let dup = || SdpError::DuplicateParameter {
                    name: lname.clone(),
                    offset: name_off,
                };
                match lname.as_str() {
                    "prot" => {
                        if prot.is_some() {
                            return Err(dup());
                        }
                        if !is_kmpid(&value) {
                            return Err(SdpError::PrtclId { offset: value_off });
                        }
                        prot = Some(value);
                    }
                    "uri" => {
                        if uri.is_some() {
                            return Err(dup());
                        }
                        uri = Some(value);
                    }
                    "data" => {
                        if data.is_some() {
                            return Err(dup());
                        }
                        data = Some(decode_base64(&value, value_off)?);
                    }
                    _ => {
                        return Err(SdpError::UnknownParameter {
                            name: name.to_owned(),
                            offset: name_off,
                        })
                    }
                }
                sc.ows();
                match sc.peek() {
                    Some(b';') => {
                        sc.pos += 1;
                        sc.ows();
                        if matches!(sc.peek(), None | Some(b',')) {
                            break;
                        }
                    }
                    None | Some(b',') => break,
                    Some(_) => return Err(sc.syntax("';', ',' or the end of the header")),
                }
            }
            let prot = prot.ok_or(SdpError::MissingParameter {
                name: "prot",
                entry: index,
            })?;
            let data = data.ok_or(SdpError::MissingParameter {
                name: "data",
                entry: index,
            })?;
            entries.push(KeyMgmtEntry { prot, uri, data });
            match sc.peek() {
                None => break,
                Some(b',') => {
                    sc.pos += 1;
                    sc.ows();
                }
                Some(_) => return Err(sc.syntax("',' or the end of the header")),
            }
        }
        Ok(Self { entries })
    }

    /// Parses a whole header line `KeyMgmt: <value>` (name case-insensitive, optional
    /// trailing CRLF).
    pub fn parse_line(line: &str) -> Result<Self, SdpError> {
        let line = line.trim_end_matches(['\r', '\n']);
        let Some(colon) = line.find(':') else {
            return Err(SdpError::HeaderSyntax {
                offset: 0,
                expected: "\"KeyMgmt:\"",
            });
        };
        if !line[..colon].trim().eq_ignore_ascii_case("KeyMgmt") {
            return Err(SdpError::HeaderSyntax {
                offset: 0,
                expected: "\"KeyMgmt:\"",
            });
        }
        Self::parse(&line[colon + 1..]).map_err(|e| shift(e, colon + 1))
    }

    /// The data of the first MIKEY entry.
    pub fn mikey(&self) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|e| e.prot == MIKEY_PRTCL_ID)
            .map(|e| e.data.as_slice())
    }

    /// The header value as text (same as `to_string()`).
    pub fn format(&self) -> String {
        self.to_string()
    }
}

fn shift(e: SdpError, by: usize) -> SdpError {
    match e {
        SdpError::PrtclId { offset } => SdpError::PrtclId {
            offset: offset + by,
        },
        SdpError::Base64 { offset, problem } => SdpError::Base64 {
            offset: offset + by,
            problem,
        },
        SdpError::HeaderSyntax { offset, expected } => SdpError::HeaderSyntax {
            offset: offset + by,
            expected,
        },
        SdpError::UnterminatedQuote { offset } => SdpError::UnterminatedQuote {
            offset: offset + by,
        },
        SdpError::DuplicateParameter { name, offset } => SdpError::DuplicateParameter {
            name,
            offset: offset + by,
        },
        SdpError::UnknownParameter { name, offset } => SdpError::UnknownParameter {
            name,
            offset: offset + by,
        },
        other => other,
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

impl fmt::Display for KeyMgmtHeader {
    /// `prot=mikey; uri="..."; data="..."`, entries separated by `, ` (the form of the
    /// RFC 4567 §5 examples).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "prot={}", e.prot)?;
            if let Some(u) = &e.uri {
                f.write_str("; uri=")?;
                write_quoted(f, u)?;
            }
            write!(f, "; data=\"{}\"", encode_base64(&e.data))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(name: &str) -> String {
        let p = format!("{}/testvectors/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(p).unwrap().trim().to_owned()
    }

    fn rfc_sdp(session_attr: &str) -> String {
        format!(
            "v=0\r\no=alice 2891092738 2891092738 IN IP4 w-land.example.com\r\ns=Cool stuff\r\n\
             e=alice@w-land.example.com\r\nt=0 0\r\nc=IN IP4 w-land.example.com\r\n{session_attr}\
             m=audio 49000 RTP/SAVP 98\r\na=rtpmap:98 AMR/8000\r\n\
             m=video 52230 RTP/SAVP 31\r\na=rtpmap:31 H261/90000\r\n"
        )
    }

    #[test]
    fn rfc4567_example1_offer_and_answer() {
        for f in [
            "rfc4567-ex1-alice-psk-init.b64",
            "rfc4567-ex1-bob-psk-verify.b64",
        ] {
            let b64 = vector(f);
            let sdp = rfc_sdp(&format!("a=key-mgmt:mikey {b64}\r\n"));
            let e = key_mgmt_from_sdp(&sdp).unwrap();
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].level, KeyMgmtLevel::Session);
            assert!(e[0].attr.is_mikey());
            let msg = crate::wire::Message::parse(&e[0].attr.data).unwrap();
            assert_eq!(msg.header.csb_id, 0xcd177e50);
            let s = sdp_types::Session::parse(sdp.as_bytes()).unwrap();
            assert_eq!(mikey_for_media(&s, 0), Some(e[0].attr.data.clone()));
            assert_eq!(mikey_for_media(&s, 1), Some(e[0].attr.data.clone()));
            assert_eq!(mikey_for_media(&s, 2), None);
            assert_eq!(e[0].attr.to_string(), format!("mikey {b64}"));
        }
    }

    #[test]
    fn media_level_wins_and_other_protocols_are_ignored() {
        let sdp = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n\
                   a=key-mgmt:keyp1 AAAA\r\na=key-mgmt:mikey AQID\r\n\
                   m=audio 1 RTP/SAVP 0\r\na=key-mgmt:mikey BAUG\r\n\
                   m=video 2 RTP/SAVP 31\r\na=key-mgmt:keyp2 AAAA\r\n";
        let all = key_mgmt_from_sdp(sdp).unwrap();
        let summary: Vec<_> = all
            .iter()
            .map(|e| (e.level, e.attr.prtcl_id.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (KeyMgmtLevel::Session, "keyp1"),
                (KeyMgmtLevel::Session, "mikey"),
                (KeyMgmtLevel::Media(0), "mikey"),
                (KeyMgmtLevel::Media(1), "keyp2"),
            ]
        );
        let s = sdp_types::Session::parse(sdp.as_bytes()).unwrap();
        assert_eq!(mikey_for_media(&s, 0), Some(vec![4, 5, 6]));
        assert_eq!(mikey_for_media(&s, 1), Some(vec![1, 2, 3]));
    }

    #[test]
    fn set_then_parse_round_trip() {
        let mut s = sdp_types::Session::parse(rfc_sdp("").as_bytes()).unwrap();
        assert_eq!(mikey_for_media(&s, 0), None);
        set_key_mgmt(&mut s, KeyMgmtLevel::Session, &[1, 2, 3, 4]).unwrap();
        set_key_mgmt(&mut s, KeyMgmtLevel::Media(1), &[9]).unwrap();
        set_key_mgmt(&mut s, KeyMgmtLevel::Media(1), &[8, 7]).unwrap();
        assert_eq!(
            set_key_mgmt(&mut s, KeyMgmtLevel::Media(5), &[1]),
            Err(SdpError::MediaIndex { index: 5, count: 2 })
        );
        let mut out = Vec::new();
        s.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("a=key-mgmt:mikey AQIDBA==\r\n"), "{text}");
        let e = key_mgmt_from_sdp(&text).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].level, KeyMgmtLevel::Media(1));
        assert_eq!(e[1].attr.data, [8, 7]);
        let s2 = sdp_types::Session::parse(text.as_bytes()).unwrap();
        assert_eq!(mikey_for_media(&s2, 0), Some(vec![1, 2, 3, 4]));
        assert_eq!(mikey_for_media(&s2, 1), Some(vec![8, 7]));
    }

    #[test]
    fn attribute_grammar() {
        assert_eq!(KeyMgmtAttr::parse(" mikey AQID").unwrap().data, [1, 2, 3]);
        assert_eq!(
            KeyMgmtAttr::parse("mikey"),
            Err(SdpError::MissingSeparator { offset: 5 })
        );
        assert_eq!(KeyMgmtAttr::parse(""), Err(SdpError::PrtclId { offset: 0 }));
        assert_eq!(
            KeyMgmtAttr::parse("mi-key AQID"),
            Err(SdpError::PrtclId { offset: 2 })
        );
        assert_eq!(
            KeyMgmtAttr::parse("mikey  AQID"),
            Err(SdpError::Base64 {
                offset: 6,
                problem: Base64Problem::Whitespace
            })
        );
        assert_eq!(
            KeyMgmtAttr::parse("mikey AQ ID"),
            Err(SdpError::Base64 {
                offset: 8,
                problem: Base64Problem::Whitespace
            })
        );
        assert_eq!(
            KeyMgmtAttr::parse("mikey AQI"),
            Err(SdpError::Base64 {
                offset: 9,
                problem: Base64Problem::Length
            })
        );
        assert_eq!(
            KeyMgmtAttr::parse("mikey AQ*D"),
            Err(SdpError::Base64 {
                offset: 8,
                problem: Base64Problem::InvalidChar('*')
            })
        );
        assert!(matches!(
            KeyMgmtAttr::parse("mikey A=ID"),
            Err(SdpError::Base64 {
                problem: Base64Problem::Padding,
                ..
            })
        ));
        assert!(matches!(
            KeyMgmtAttr::parse("mikey AQJ="),
            Err(SdpError::Base64 {
                problem: Base64Problem::TrailingBits,
                ..
            })
        ));
        let e = key_mgmt_from_sdp("v=0\r\ns=-\r\nm=audio 1 RTP/SAVP 0\r\na=key-mgmt:mikey A\r\n")
            .unwrap_err();
        assert!(e.to_string().contains("media 0"), "{e}");
    }

    #[test]
    fn gortsplib_header() {
        let b64 = vector("gortsplib-sdp-keymgmt.b64");
        let line = format!(
            "KeyMgmt: prot=mikey;uri=\"rtsps://127.0.0.1:8322/stream/trackID=0\";data=\"{b64}\""
        );
        let h = KeyMgmtHeader::parse_line(&line).unwrap();
        assert_eq!(h.entries.len(), 1);
        let e = &h.entries[0];
        assert_eq!(e.prot, "mikey");
        assert_eq!(
            e.uri.as_deref(),
            Some("rtsps://127.0.0.1:8322/stream/trackID=0")
        );
        let (m, _) =
            crate::wire::Message::parse_with(&e.data, crate::wire::ParseOptions::LENIENT).unwrap();
        assert_eq!(m.header.csb_id, 2049124702);
        let again = KeyMgmtHeader::parse(&h.to_string()).unwrap();
        assert_eq!(again, h);
        assert_eq!(
            h.to_string(),
            format!("prot=mikey; uri=\"rtsps://127.0.0.1:8322/stream/trackID=0\"; data=\"{b64}\"")
        );
    }

    #[test]
    fn onvif_header_with_empty_uri() {
        let b64 = vector("onvif-streaming-setup-keymgmt-client.b64");
        let h = KeyMgmtHeader::parse(&format!("prot=mikey;uri=\"\";data=\"{b64}\"")).unwrap();
        assert_eq!(h.entries[0].uri.as_deref(), Some(""));
        assert_eq!(h.entries[0].effective_uri(), None);
        let m = crate::wire::Message::parse(h.mikey().unwrap()).unwrap();
        assert_eq!(m.header.csb_id, 0xfd6d77d0);
        assert_eq!(KeyMgmtHeader::parse(&h.format()).unwrap(), h);
    }

    #[test]
    fn header_whitespace_order_and_several_entries() {
        let h = KeyMgmtHeader::parse(
            " prot = mikey ; data = \"AQID\" ; uri = \"rtsp://a/1\" ;, PROT=keyp1;DATA=BAUG",
        )
        .unwrap();
        assert_eq!(h.entries.len(), 2);
        assert_eq!(h.entries[0].uri.as_deref(), Some("rtsp://a/1"));
        assert_eq!(h.entries[1].prot, "keyp1");
        assert_eq!(h.entries[1].data, [4, 5, 6]);
        assert_eq!(h.entries[1].uri, None);
        assert_eq!(KeyMgmtHeader::parse(&h.to_string()).unwrap(), h);
        let q = KeyMgmtHeader::for_mikey(Some("rtsp://x/\"q\"".into()), [1]);
        assert_eq!(KeyMgmtHeader::parse(&q.to_string()).unwrap(), q);
    }

    #[test]
    fn header_rejects_ambiguous_input() {
        let p = KeyMgmtHeader::parse;
        assert!(matches!(
            p("prot=mikey;prot=mikey;data=\"AQID\""),
            Err(SdpError::DuplicateParameter { offset: 11, .. })
        ));
        assert!(matches!(
            p("prot=mikey;data=\"AQID\";DATA=\"AQID\""),
            Err(SdpError::DuplicateParameter { .. })
        ));
        assert_eq!(
            p("uri=\"x\";data=\"AQID\""),
            Err(SdpError::MissingParameter {
                name: "prot",
                entry: 0
            })
        );
        assert_eq!(
            p("prot=mikey;uri=\"x\""),
            Err(SdpError::MissingParameter {
                name: "data",
                entry: 0
            })
        );
        assert_eq!(
            p("prot=mikey;data=\"AQID"),
            Err(SdpError::UnterminatedQuote { offset: 16 })
        );
        assert!(matches!(
            p("prot=mikey;data=\"AQ D\""),
            Err(SdpError::Base64 {
                offset: 19,
                problem: Base64Problem::Whitespace
            })
        ));
        assert!(matches!(
            p("prot=mikey;foo=1;data=AQID"),
            Err(SdpError::UnknownParameter { .. })
        ));
        assert!(matches!(
            p(""),
            Err(SdpError::HeaderSyntax { offset: 0, .. })
        ));
        assert!(matches!(
            p("prot=mi-key;data=AQID"),
            Err(SdpError::PrtclId { .. })
        ));
        assert!(matches!(
            p("prot=mikey data=AQID"),
            Err(SdpError::HeaderSyntax { .. })
        ));
        assert!(matches!(
            p("prot=mikey;data=AQID,"),
            Err(SdpError::HeaderSyntax { .. })
        ));
        assert!(matches!(
            KeyMgmtHeader::parse_line("Foo: prot=mikey;data=AQID"),
            Err(SdpError::HeaderSyntax { .. })
        ));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let inputs = [
            "\"",
            "\\",
            "prot=\"\\",
            "prot=é;data=é",
            "prot=mikey;data=\"é\"",
            ";;;,,,",
            "=",
            "é",
            "prot=mikey;uri=\"é\\é\";data=AQID",
            "\u{0}",
            "data=====",
            "prot=a;data=AA==,,",
        ];
        for s in inputs {
            let _ = KeyMgmtHeader::parse(s);
            let _ = KeyMgmtHeader::parse_line(s);
            let _ = KeyMgmtAttr::parse(s);
            let _ = key_mgmt_from_sdp(s);
            let _ = decode_base64(s, usize::MAX / 2);
        }
        let mut seed = 0x1234_5678u32;
        for len in 0..200 {
            let s: String = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    let alphabet: Vec<char> = "prot=mikey;uri\"data,AQ= \\\té".chars().collect();
                    alphabet[(seed >> 16) as usize % alphabet.len()]
                })
                .collect();
            let _ = KeyMgmtHeader::parse(&s);
            let _ = KeyMgmtAttr::parse(&s);
            let _ = key_mgmt_from_sdp(&format!("v=0\r\na=key-mgmt:{s}\r\n"));
        }
        assert_eq!(KeyMgmtAttr::parse("mikey AQID").unwrap().data, [1, 2, 3]);
        assert!(!format!("{:?}", KeyMgmtAttr::mikey([0xaa, 0xbb])).contains("170"));
    }
}
