//! Why key management in SDP, SIP or RTSP failed, and the status to answer with:
//! RTSP 463 "Key Management Failure" (RFC 4567 §3.2, §4.2), RTSP 403 "Forbidden" for a
//! SETUP without the expected `KeyMgmt` header (RFC 4567 §4.2), SIP 488 "Not Acceptable
//! Here" with a 306 or 399 warning (RFC 4567 §4.1.2).
//!
//! ```
//! use mikey::sdp::{KeyMgmtError, KeyMgmtFailure};
//! use mikey::session::SessionError;
//! let f = KeyMgmtFailure::rtsp(KeyMgmtError::Mikey(SessionError::AuthFailure), None);
//! assert_eq!((f.status, f.reason), (463, "Key Management Failure"));
//! assert_eq!(f.to_string(), "463 Key Management Failure: MIKEY: authentication failure");
//! assert_eq!(KeyMgmtFailure::rtsp(KeyMgmtError::Missing, None).status, 403);
//! let s = KeyMgmtFailure::sip(KeyMgmtError::Mikey(SessionError::InvalidPrf(9)), None);
//! assert_eq!((s.status, s.sip_warning()), (488, Some((306, "Attribute not understood"))));
//! ```

use super::SdpError;
use crate::session::SessionError;
use core::fmt;

/// RTSP status code "Key Management Failure" (RFC 4567 §3.2, §9.2).
pub const RTSP_KEY_MANAGEMENT_FAILURE: u16 = 463;

/// RTSP status code "Forbidden", returned for a SETUP that lacks the expected `KeyMgmt`
/// header (RFC 4567 §4.2).
pub const RTSP_FORBIDDEN: u16 = 403;

/// RTSP status code "Parameter Not Understood" (RFC 2326 §11.3.8), for a SET_PARAMETER
/// body without the ONVIF `mikey` parameter.
pub const RTSP_PARAMETER_NOT_UNDERSTOOD: u16 = 451;

/// SIP status code "Not Acceptable Here", for an offer whose key management is rejected
/// (RFC 4567 §4.1.2).
pub const SIP_NOT_ACCEPTABLE_HERE: u16 = 488;

/// What went wrong with key management carried in SDP, SIP or RTSP.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMgmtError {
    /// The SDP, `a=key-mgmt` attribute, `KeyMgmt` header or base64 is malformed
    /// (RFC 4567 §3.1, §3.2).
    Sdp(SdpError),
    /// Key management was expected but none was sent (RFC 4567 §4.2: RTSP answers 403).
    Missing,
    /// Key management attributes or headers are present, but none uses MIKEY (RFC 4567
    /// §4.1.2: the answerer supports none of the offered protocols).
    NotMikey,
    /// A `text/parameters` body without a `mikey` parameter (ONVIF re-keying and multicast
    /// key retrieval).
    NoMikeyParameter,
    /// MIKEY rejected the message (RFC 3830 §5.3).
    Mikey(SessionError),
    /// The message breaks the ONVIF streaming profile (MIKEY-PSK, NULL KEMAC over TLS,
    /// TEKs with a 4-byte MKI).
    Profile(&'static str),
    /// The answer SDP does not have one media description per media description of the
    /// offer (RFC 3264 §6).
    AnswerMismatch {
        /// Media descriptions in the offer.
        offer: usize,
        /// Media descriptions in the answer.
        answer: usize,
    },
    /// No crypto session bundle is known for the RTSP session (re-keying before SETUP).
    UnknownSession(u32),
}

impl fmt::Display for KeyMgmtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sdp(e) => write!(f, "{e}"),
            Self::Missing => f.write_str("no key management data where it is required"),
            Self::NotMikey => f.write_str("no MIKEY key management data (other protocols only)"),
            Self::NoMikeyParameter => f.write_str("no \"mikey\" parameter in the body"),
            Self::Mikey(e) => write!(f, "MIKEY: {e}"),
            Self::Profile(s) => write!(f, "ONVIF profile: {s}"),
            Self::AnswerMismatch { offer, answer } => write!(
                f,
                "the answer has {answer} media descriptions, the offer {offer}"
            ),
            Self::UnknownSession(c) => {
                write!(f, "no crypto session bundle {c:#010x} for this session")
            }
        }
    }
}

impl std::error::Error for KeyMgmtError {}

impl From<SdpError> for KeyMgmtError {
    fn from(e: SdpError) -> Self {
        Self::Sdp(e)
    }
}

impl From<SessionError> for KeyMgmtError {
    fn from(e: SessionError) -> Self {
        Self::Mikey(e)
    }
}

/// A key management failure and the status line to answer it with.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMgmtFailure {
    /// Status code: 463 (RTSP), 403 (RTSP, key management missing), 451 (RTSP, no `mikey`
    /// parameter) or 488 (SIP).
    pub status: u16,
    /// The reason phrase of `status`.
    pub reason: &'static str,
    /// What went wrong.
    pub error: KeyMgmtError,
    /// A MIKEY Error message (RFC 3830 §5.1.2) the answer may carry to describe the cause
    /// (RFC 4567 §4.1.2, §4.2), when the responder built one.
    pub mikey_error: Option<Vec<u8>>,
}

impl fmt::Debug for KeyMgmtFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyMgmtFailure")
            .field("status", &self.status)
            .field("reason", &self.reason)
            .field("error", &self.error)
            .field(
                "mikey_error",
                &self
                    .mikey_error
                    .as_ref()
                    .map(|m| format!("<{} bytes>", m.len())),
            )
            .finish()
    }
}

impl KeyMgmtFailure {
    /// The RTSP failure for `error`: 403 "Forbidden" when key management is missing
    /// (RFC 4567 §4.2), 451 "Parameter Not Understood" for a body without the `mikey`
    /// parameter (RFC 2326 §11.3.8), else 463 "Key Management Failure" (RFC 4567 §4.2).
    pub fn rtsp(error: KeyMgmtError, mikey_error: Option<Vec<u8>>) -> Self {
        let (status, reason) = match error {
            KeyMgmtError::Missing => (RTSP_FORBIDDEN, "Forbidden"),
            KeyMgmtError::NoMikeyParameter => {
                (RTSP_PARAMETER_NOT_UNDERSTOOD, "Parameter Not Understood")
            }
            _ => (RTSP_KEY_MANAGEMENT_FAILURE, "Key Management Failure"),
        };
        Self {
            status,
            reason,
            error,
            mikey_error,
        }
    }

    /// The SIP failure for `error`: 488 "Not Acceptable Here" (RFC 4567 §4.1.2).
    pub fn sip(error: KeyMgmtError, mikey_error: Option<Vec<u8>>) -> Self {
        Self {
            status: SIP_NOT_ACCEPTABLE_HERE,
            reason: "Not Acceptable Here",
            error,
            mikey_error,
        }
    }

    /// The SIP Warning to add to a 488 (RFC 4567 §4.1.2, RFC 3261 §20.43): 306 "Attribute
    /// not understood" when a parameter is not supported, else 399 "Miscellaneous
    /// warning". `None` for RTSP failures.
    pub fn sip_warning(&self) -> Option<(u16, &'static str)> {
        if self.status != SIP_NOT_ACCEPTABLE_HERE {
            return None;
        }
        let unsupported = matches!(
            &self.error,
            KeyMgmtError::NotMikey
                | KeyMgmtError::Mikey(
                    SessionError::InvalidPrf(_)
                        | SessionError::InvalidEncryption(_)
                        | SessionError::InvalidMac(_)
                        | SessionError::InvalidSp(_)
                        | SessionError::InvalidSpPar(_)
                )
        );
        Some(if unsupported {
            (306, "Attribute not understood")
        } else {
            (399, "Miscellaneous warning")
        })
    }

    /// The RTSP status line, e.g. `RTSP/1.0 463 Key Management Failure`.
    pub fn rtsp_status_line(&self) -> String {
        format!("RTSP/1.0 {} {}", self.status, self.reason)
    }
}

impl fmt::Display for KeyMgmtFailure {
    /// `<status> <reason>: <error>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.reason, self.error)
    }
}

impl std::error::Error for KeyMgmtFailure {}
