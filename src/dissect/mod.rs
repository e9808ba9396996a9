//! A MIKEY dissector: decode as much of a message as the wire allows and list each
//! departure from the RFCs as a [`Deviation`], instead of refusing the message at the
//! first one (what `mikey decode` prints; `--strict` makes them fatal).
//!
//! [`split`] finds the messages in a text or binary input (one per line, any mix of hex,
//! base64, SDP `a=key-mgmt` attributes, RTSP `KeyMgmt` headers and ONVIF `mikey:` bodies),
//! each line decoded on its own so one odd line does not hide the others. [`dissect`] then
//! parses one message leniently and checks it:
//!
//! - the device quirks the lenient parser tolerates ([`Quirk`], e.g. GStreamer's
//!   session auth key length 10, RFC 3830 §6.10.1);
//! - the payloads RFC 3830 §3, RFC 4650 §3 and RFC 6509 §2.1 require for the data type;
//! - NTP timestamps that do not read as a time between 2000 and 2036 (RFC 3830 §6.6):
//!   clients that send another clock (a counter, a Windows FILETIME) in an NTP field;
//! - an RFC 4771 ROC transmission rate that is not a non-zero 16-bit integer.
//!
//! ```
//! // gortsplib's case "a" (testvectors/): GStreamer's auth key length 10 in the SP.
//! let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/gortsplib-mikey-a.hex"))?;
//! let found = mikey::dissect::split(&text);
//! let bytes = found[0].data.as_ref().map_err(|e| e.clone())?;
//! let d = mikey::dissect::dissect(bytes)?;
//! assert_eq!(d.deviations[0].id, "srtp_auth_key_len_10");
//! assert!(d.strict_error.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checks;
mod split;

pub use split::{decode_hex, split, Chunk, MAX_MESSAGES};

use crate::wire::{MessageView, ParseError, ParseOptions, Quirk};

/// One departure from the RFCs found in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deviation {
    /// A stable identifier, e.g. `"srtp_auth_key_len_10"`, `"missing_payload"`,
    /// `"odd_timestamp"`.
    pub id: &'static str,
    /// The offset in the message bytes of the payload or field concerned, when there is one.
    pub offset: Option<usize>,
    /// The rule departed from, e.g. `"RFC 3830 §3.1"`.
    pub rule: &'static str,
    /// A one-line description.
    pub text: String,
}

/// A message decoded by [`dissect`].
#[derive(Clone, Debug)]
pub struct Dissection<'a> {
    /// The message, parsed leniently (its quirks in [`MessageView::quirks`]).
    pub view: MessageView<'a>,
    /// The departures from the RFCs, in message order within each kind.
    pub deviations: Vec<Deviation>,
    /// Observations that are not departures (e.g. a message without RAND reads as an
    /// update message, RFC 3830 §4.5).
    pub notes: Vec<String>,
    /// Why the strict parser refuses the message, when it does.
    pub strict_error: Option<ParseError>,
}

/// The identifier of a tolerated quirk in [`Deviation::id`].
pub fn quirk_id(q: Quirk) -> &'static str {
    match q {
        Quirk::TrailingZero => "trailing_zero",
        Quirk::SrtpAuthKeyLen10 => "srtp_auth_key_len_10",
        Quirk::NulTerminatedId => "nul_terminated_id",
        Quirk::IdrLenHighOctetZero => "idr_len_high_octet_zero",
    }
}

fn quirk_rule(q: Quirk) -> &'static str {
    match q {
        Quirk::TrailingZero => "RFC 3830 §6 (no data after the last payload)",
        Quirk::SrtpAuthKeyLen10 => "RFC 3830 §6.10.1, RFC 3711 §8.2",
        Quirk::NulTerminatedId => "RFC 3830 §6.7, RFC 6043 §6.6",
        Quirk::IdrLenHighOctetZero => "RFC 6043 §6.6 (ID len, 16 bits)",
    }
}

/// Decodes one message leniently and lists its deviations; an error only when even the
/// lenient parser cannot read it (the error names payload, field and offset).
pub fn dissect(bytes: &[u8]) -> Result<Dissection<'_>, ParseError> {
    let (view, strict_error) = match MessageView::parse_with(bytes, ParseOptions::STRICT) {
        Ok(v) => (v, None),
        Err(e) => (
            MessageView::parse_with(bytes, ParseOptions::LENIENT)?,
            Some(e),
        ),
    };
    let mut deviations: Vec<Deviation> = view
        .quirks()
        .iter()
        .map(|q| Deviation {
            id: quirk_id(q),
            offset: (q == Quirk::TrailingZero).then(|| view.as_bytes().len()),
            rule: quirk_rule(q),
            text: q.describe().to_owned(),
        })
        .collect();
    let mut notes = Vec::new();
    checks::structure(&view, &mut deviations, &mut notes);
    checks::timestamps(&view, &mut deviations);
    checks::policies(&view, &mut deviations);
    Ok(Dissection {
        view,
        deviations,
        notes,
        strict_error,
    })
}

#[cfg(test)]
mod tests;
