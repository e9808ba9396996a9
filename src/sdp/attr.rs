//! The SDP `a=key-mgmt` attribute (RFC 4567 §3.1): [`KeyMgmtAttr`] parses and formats its
//! value, [`key_mgmt_from_sdp`] and [`key_mgmt_from_session`] list the attributes of a
//! session description with their [`KeyMgmtLevel`], [`mikey_for_media`] applies the
//! media-over-session rule, and [`set_key_mgmt`] writes a MIKEY attribute.

use core::fmt;

use super::{decode_base64, encode_base64, SdpError, KEY_MGMT_ATTRIBUTE, MIKEY_PRTCL_ID};

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

pub(super) fn mikey_at(
    session: &sdp_types::Session,
    level: KeyMgmtLevel,
) -> Option<Option<Vec<u8>>> {
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
