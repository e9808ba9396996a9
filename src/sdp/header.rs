//! The RTSP `KeyMgmt` header (RFC 4567 §3.2 with verified erratum 2247 adding the `data`
//! parameter): [`KeyMgmtHeader`] parses and formats a header value of one or more
//! [`KeyMgmtEntry`] key-mgmt-specs.

use core::fmt;

use super::b64::is_kmpid;
use super::scanner::Scanner;
use super::{decode_base64, encode_base64, SdpError, MIKEY_PRTCL_ID};

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
        let mut sc = Scanner::new(header_value);
        let mut entries = Vec::new();
        sc.ows();
        loop {
            entries.push(parse_spec(&mut sc, entries.len())?);
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

/// The parameters of one key-mgmt-spec as they are read.
#[derive(Default)]
struct SpecParams {
    prot: Option<String>,
    uri: Option<String>,
    data: Option<Vec<u8>>,
}

impl SpecParams {
    /// Records parameter `name` (case-insensitive) found at `name_off` with its `value`
    /// found at `value_off`: rejects duplicates, unknown names, a prot that is not a
    /// KMPID and bad base64 data.
    fn set(
        &mut self,
        name: &str,
        name_off: usize,
        value: String,
        value_off: usize,
    ) -> Result<(), SdpError> {
        let lname = name.to_ascii_lowercase();
        let dup = || SdpError::DuplicateParameter {
            name: lname.clone(),
            offset: name_off,
        };
        match lname.as_str() {
            "prot" => {
                if self.prot.is_some() {
                    return Err(dup());
                }
                if !is_kmpid(&value) {
                    return Err(SdpError::PrtclId { offset: value_off });
                }
                self.prot = Some(value);
            }
            "uri" => {
                if self.uri.is_some() {
                    return Err(dup());
                }
                self.uri = Some(value);
            }
            "data" => {
                if self.data.is_some() {
                    return Err(dup());
                }
                self.data = Some(decode_base64(&value, value_off)?);
            }
            _ => {
                return Err(SdpError::UnknownParameter {
                    name: name.to_owned(),
                    offset: name_off,
                })
            }
        }
        Ok(())
    }
}

/// One `name = value` parameter of a key-mgmt-spec, recorded in `params`.
fn parse_param(sc: &mut Scanner<'_>, params: &mut SpecParams) -> Result<(), SdpError> {
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
    let (value, value_off) = sc.value()?;
    params.set(name, name_off, value, value_off)
}

/// One key-mgmt-spec (the `index`-th): `;`-separated parameters (a trailing `;` allowed),
/// up to a `,` or the end of the header, with `prot` and `data` required.
fn parse_spec(sc: &mut Scanner<'_>, index: usize) -> Result<KeyMgmtEntry, SdpError> {
    let mut params = SpecParams::default();
    loop {
        parse_param(sc, &mut params)?;
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
    let prot = params.prot.ok_or(SdpError::MissingParameter {
        name: "prot",
        entry: index,
    })?;
    let data = params.data.ok_or(SdpError::MissingParameter {
        name: "data",
        entry: index,
    })?;
    Ok(KeyMgmtEntry {
        prot,
        uri: params.uri,
        data,
    })
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
