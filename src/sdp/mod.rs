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

mod attr;
mod b64;
mod error;
mod header;
mod scanner;

pub mod failure;
pub mod offer_answer;
pub mod onvif;

pub use attr::{
    key_mgmt_from_sdp, key_mgmt_from_session, mikey_for_media, set_key_mgmt, KeyMgmtAttr,
    KeyMgmtLevel, SdpKeyMgmt,
};
pub use b64::{decode_base64, encode_base64};
pub use error::{Base64Problem, SdpError};
pub use failure::{KeyMgmtError, KeyMgmtFailure};
pub use header::{KeyMgmtEntry, KeyMgmtHeader};

use attr::mikey_at;

/// The prtcl-id / KMPID of MIKEY (RFC 4567 §7.1).
pub const MIKEY_PRTCL_ID: &str = "mikey";

/// The SDP attribute name (RFC 4567 §3.1).
pub const KEY_MGMT_ATTRIBUTE: &str = "key-mgmt";

#[cfg(test)]
mod tests;
