//! The key parameters carried in the 3GPP general extension payload (type 7) of a
//! MIKEY-SAKKE I_MESSAGE, TS 33.180 E.6: key type (E.6.11), status (E.6.9), activation time
//! (E.6.4), expiry time (E.6.10), text (E.6.5) and the group identifiers (E.6.3), encoded
//! as MONP information elements (TS 24.379 Annex I: V fields, LV-E with a 2-octet length).
//!
//! ```text
//! Key type (V, 1) | Status (V, 4) | Activation time (V, 5) | Expiry time (V, 5)
//! Text (LV-E)     | [Group IDs (LV-E): number (1), then per group IEI (1), length (2), id]
//! ```
//!
//! E.6.1 wraps this content in a type 6 (TLV-E) information element: a Key Parameters IEI
//! and a 2-octet length. The two vendors whose messages are in `testvectors/` (Streamwide,
//! ALEA) send the content without that wrapper: [`KeyParameters::parse`] accepts both and
//! reports which it saw ([`PlaintextForm`]).

use super::error::McxError;
use super::key_id::PurposeTag;
use crate::wire::{ErrorKind, ParseError, Reader};

const P: &str = "Key parameters";

/// The Key Parameters IEI this crate writes in the E.6.1 wrapper.
///
/// The value could not be confirmed from the material available when this was written
/// (no published message carries the wrapper): it is a constant to adjust in one place.
pub const KEY_PARAMETERS_IEI: u8 = 0x00;

/// `Status` bit: the key is not revoked (TS 33.180 E.6.9, as the Streamwide stack reads it).
pub const STATUS_NOT_REVOKED: u32 = 0b01;
/// `Status` bit: the key is shared with a security gateway (TS 33.180 E.6.9, as the
/// Streamwide stack reads it).
pub const STATUS_SHARED_WITH_GATEWAY: u32 = 0b10;

/// The largest 5-octet time value (TS 33.180 E.6.4 and E.6.10).
pub const MAX_TIME: u64 = (1 << 40) - 1;

/// How the key parameters were framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlaintextForm {
    /// Inside the E.6.1 type 6 information element (IEI and 2-octet length).
    Wrapped {
        /// The IEI read.
        iei: u8,
    },
    /// The content alone, as Streamwide and ALEA send it (a quirk).
    Bare,
}

impl PlaintextForm {
    /// The form E.6.1 specifies: the wrapper with [`KEY_PARAMETERS_IEI`].
    pub const STANDARD: PlaintextForm = PlaintextForm::Wrapped {
        iei: KEY_PARAMETERS_IEI,
    };
}

/// One group identifier of E.6.3 (a TLV-E element: IEI, 2-octet length, identifier).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupId {
    /// The element's IEI.
    pub iei: u8,
    /// The group identifier (an MC service group ID URI).
    pub id: Vec<u8>,
}

/// The key parameters of TS 33.180 E.6.1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyParameters {
    /// The type of key (E.6.11; the same codes as the key identifier's purpose tag).
    pub key_type: PurposeTag,
    /// The key status bits (E.6.9).
    pub status: u32,
    /// When the key may start to be used (E.6.4, 5 octets).
    pub activation_time: u64,
    /// When the key may no longer be used (E.6.10, 5 octets).
    pub expiry_time: u64,
    /// A human-readable name for the key (E.6.5).
    pub text: Vec<u8>,
    /// The groups the key is for (E.6.3), when the element is present.
    pub group_ids: Option<Vec<GroupId>>,
    /// Octets after the known elements, kept for an exact round trip.
    pub extra: Vec<u8>,
}

fn time(r: &mut Reader<'_>, field: &'static str) -> Result<u64, ParseError> {
    let b = r.array::<5>(P, field)?;
    Ok(b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x)))
}

fn lv_e<'a>(r: &mut Reader<'a>, field: &'static str) -> Result<&'a [u8], ParseError> {
    let n = r.u16(P, field)?;
    r.take(usize::from(n), P, field)
}

fn group_ids(data: &[u8], base: usize) -> Result<Vec<GroupId>, ParseError> {
    let mut r = Reader::with_base(data, base);
    let mut ids = Vec::new();
    if r.is_empty() {
        return Ok(ids);
    }
    let count = r.u8(P, "Number of group IDs")?;
    for _ in 0..count {
        let iei = r.u8(P, "Group ID IEI")?;
        let id = lv_e(&mut r, "Group ID")?.to_vec();
        ids.push(GroupId { iei, id });
    }
    if !r.is_empty() {
        return Err(r.error(
            P,
            "Group IDs",
            ErrorKind::TrailingBytes {
                count: r.remaining(),
            },
        ));
    }
    Ok(ids)
}

fn put_lv_e(out: &mut Vec<u8>, field: &'static str, v: &[u8]) -> Result<(), McxError> {
    let n = u16::try_from(v.len()).map_err(|_| McxError::TooLong {
        field,
        len: v.len(),
        max: usize::from(u16::MAX),
    })?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(v);
    Ok(())
}

fn put_time(out: &mut Vec<u8>, field: &'static str, t: u64) -> Result<(), McxError> {
    if t > MAX_TIME {
        return Err(McxError::TooLong {
            field,
            len: 8,
            max: 5,
        });
    }
    out.extend_from_slice(&t.to_be_bytes()[3..]);
    Ok(())
}

impl KeyParameters {
    /// Parameters of a key with no text and no group identifiers.
    pub fn new(key_type: PurposeTag, status: u32, activation_time: u64, expiry_time: u64) -> Self {
        KeyParameters {
            key_type,
            status,
            activation_time,
            expiry_time,
            text: Vec::new(),
            group_ids: None,
            extra: Vec::new(),
        }
    }

    /// Parses the plaintext of a type-7 payload, with or without the E.6.1 wrapper.
    pub fn parse(plain: &[u8]) -> Result<(Self, PlaintextForm), ParseError> {
        // The wrapper is recognised by its length field: in the bare content the same
        // octets are the top of the status, which is not the length of the rest.
        if let [iei, hi, lo, rest @ ..] = plain {
            if usize::from(u16::from_be_bytes([*hi, *lo])) == rest.len() {
                let kp = Self::parse_content(rest, 3)?;
                return Ok((kp, PlaintextForm::Wrapped { iei: *iei }));
            }
        }
        Ok((Self::parse_content(plain, 0)?, PlaintextForm::Bare))
    }

    /// Parses the content of E.6.1 (no wrapper); `base` is its offset for errors.
    pub fn parse_content(content: &[u8], base: usize) -> Result<Self, ParseError> {
        let mut r = Reader::with_base(content, base);
        let key_type = PurposeTag::from_code(r.u8(P, "Key type")?);
        let status = r.u32(P, "Status")?;
        let activation_time = time(&mut r, "Activation time")?;
        let expiry_time = time(&mut r, "Expiry time")?;
        let text = lv_e(&mut r, "Text")?.to_vec();
        let group_ids = if r.is_empty() {
            None
        } else {
            let at = r.offset() + 2;
            Some(group_ids(lv_e(&mut r, "Group IDs")?, at)?)
        };
        Ok(KeyParameters {
            key_type,
            status,
            activation_time,
            expiry_time,
            text,
            group_ids,
            extra: r.rest().to_vec(),
        })
    }

    /// The E.6.1 content (no wrapper).
    pub fn encode_content(&self) -> Result<Vec<u8>, McxError> {
        let mut out = Vec::with_capacity(17 + self.text.len());
        out.push(self.key_type.code());
        out.extend_from_slice(&self.status.to_be_bytes());
        put_time(&mut out, "Activation time", self.activation_time)?;
        put_time(&mut out, "Expiry time", self.expiry_time)?;
        put_lv_e(&mut out, "Text", &self.text)?;
        if let Some(ids) = &self.group_ids {
            let count = u8::try_from(ids.len()).map_err(|_| McxError::TooLong {
                field: "Group IDs",
                len: ids.len(),
                max: usize::from(u8::MAX),
            })?;
            let mut g = vec![count];
            for id in ids {
                g.push(id.iei);
                put_lv_e(&mut g, "Group ID", &id.id)?;
            }
            put_lv_e(&mut out, "Group IDs", &g)?;
        }
        out.extend_from_slice(&self.extra);
        Ok(out)
    }

    /// The plaintext in the given form: [`PlaintextForm::Wrapped`] is what E.6.1 specifies,
    /// [`PlaintextForm::Bare`] what the deployed stacks send.
    pub fn encode(&self, form: PlaintextForm) -> Result<Vec<u8>, McxError> {
        let content = self.encode_content()?;
        match form {
            PlaintextForm::Bare => Ok(content),
            PlaintextForm::Wrapped { iei } => {
                let mut out = Vec::with_capacity(3 + content.len());
                out.push(iei);
                put_lv_e(&mut out, "Key parameters", &content)?;
                Ok(out)
            }
        }
    }

    /// Whether the status says the key is not revoked.
    pub fn not_revoked(&self) -> bool {
        self.status & STATUS_NOT_REVOKED != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> KeyParameters {
        let mut kp = KeyParameters::new(PurposeTag::Gmk, STATUS_NOT_REVOKED, 1, MAX_TIME);
        kp.text = b"group A".to_vec();
        kp.group_ids = Some(vec![GroupId {
            iei: 0x7e,
            id: b"sip:group-a@example.org".to_vec(),
        }]);
        kp
    }

    #[test]
    fn both_forms_round_trip() {
        let kp = sample();
        for form in [PlaintextForm::Bare, PlaintextForm::Wrapped { iei: 0x7a }] {
            let b = kp.encode(form).unwrap();
            assert_eq!(KeyParameters::parse(&b).unwrap(), (kp.clone(), form));
        }
        let bare = kp.encode(PlaintextForm::Bare).unwrap();
        assert_eq!(bare[..5], [0, 0, 0, 0, 1]);
        assert_eq!(bare.len(), 17 + 7 + 2 + 1 + 3 + 23);
    }

    #[test]
    fn widths_are_checked_not_truncated() {
        let mut kp = sample();
        kp.expiry_time = MAX_TIME + 1;
        assert!(matches!(
            kp.encode(PlaintextForm::Bare),
            Err(McxError::TooLong {
                field: "Expiry time",
                ..
            })
        ));
        let mut kp = sample();
        kp.text = vec![b'a'; 65536];
        assert!(kp.encode(PlaintextForm::Bare).is_err());
        let mut kp = sample();
        kp.group_ids = Some(vec![GroupId { iei: 1, id: vec![] }; 256]);
        assert!(kp.encode(PlaintextForm::Bare).is_err());
    }

    #[test]
    fn truncations_are_errors_with_offsets() {
        let b = sample().encode(PlaintextForm::Bare).unwrap();
        for n in 0..b.len() {
            if n == 17 + 7 {
                continue; // ends after Text: a valid encoding without group IDs
            }
            let e = KeyParameters::parse_content(&b[..n], 0).unwrap_err();
            assert!(e.offset <= n, "{n}: {e}");
        }
    }
}
