//! SRTP keys for ONVIF streaming over RTSPS (ONVIF Streaming Specification, section
//! "Key management through RTSP", `xml:id="srtp-mikey"`; RFC 4567 §3.2, §4.2). No
//! transport here: these helpers turn header values and bodies into SRTP parameters and
//! back, the caller runs RTSP over TLS.
//!
//! The ONVIF profile, which every helper enforces:
//! * MIKEY-PSK only (RFC 3830 §3.1), with a NULL-encrypted KEMAC and a NULL MAC ("MIKEY
//!   NULL"): the keys travel in clear because RTSPS (TLS) protects the signalling.
//! * The client supplies the key in the `KeyMgmt` header of SETUP (RFC 4567 §3.2):
//!   [`OnvifClient::setup_header`] → [`OnvifDevice::setup`].
//! * Keys are TEKs: master key || master salt in one TEK for AES_CM_128_HMAC_SHA1_80,
//!   TEK+SALT for the other suites (AES-GCM, RFC 7714); [`onvif_transport_key`].
//! * Every key carries a 4-byte MKI (KV type SPI), also sent in every SRTP packet;
//!   [`check_onvif_profile`] rejects keys without one.
//! * Re-keying: SET_PARAMETER with the `text/parameters` body `mikey: <base64>`, applied as
//!   an update (new MKI, ROC kept): [`OnvifClient::rekey_body`] → [`OnvifDevice::rekey`].
//! * Multicast: the client asks with `GET_PARAMETER` body `mikey`
//!   ([`GET_PARAMETER_MIKEY_BODY`]); the device answers `mikey: <base64>` with the
//!   multicast key, SSRC and current ROC: [`OnvifDevice::multicast_key_body`] →
//!   [`OnvifClient::handle_multicast_key`].
//! * Failures are answered with RTSP 463 "Key Management Failure" (RFC 4567 §4.2), see
//!   [`KeyMgmtFailure`](super::KeyMgmtFailure).
//!
//! The Genetec client of the ONVIF examples sends NTP timestamps that are not the current
//! time and omits RAND; a device that must accept it opts in with
//! [`OnvifTolerances::GENETEC`] (replay protection then rests on the replay cache alone).
//!
//! ```
//! use core::time::Duration;
//! use mikey::sdp::onvif::{OnvifClient, OnvifDevice, OnvifTolerances};
//! use mikey::session::OsEntropy;
//! use mikey::srtp::SrtpSuite;
//!
//! let now = Duration::from_secs(1_800_000_000);
//! let mut client = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::STRICT);
//! let mut device = OnvifDevice::new(OnvifTolerances::STRICT);
//!
//! // SETUP rtsps://cam/track1 with "KeyMgmt: prot=mikey; uri=...; data=...".
//! let header = client.setup_header(Some("rtsps://cam/track1"), now, &mut OsEntropy).unwrap();
//! let keys = device.setup(Some(&header.to_string()), Some(0x1234_5678), now).unwrap();
//! assert_eq!(keys.srtp[0].mki.as_deref(), Some(&[0, 0, 0, 1][..]));
//! assert_eq!(keys.srtp[0].ssrc, 0x1234_5678);
//!
//! // SET_PARAMETER with "mikey: <base64>": a new key with the next MKI, the ROC kept.
//! let body = client.rekey_body(now + Duration::from_secs(60), &mut OsEntropy).unwrap();
//! assert!(body.starts_with("mikey: "));
//! let new = device.rekey(keys.csb_id, &body, Some(3), now + Duration::from_secs(60)).unwrap();
//! assert_eq!(new.srtp[0].mki.as_deref(), Some(&[0, 0, 0, 2][..]));
//! assert_eq!((new.srtp[0].ssrc, new.srtp[0].roc), (0x1234_5678, 3));
//!
//! // Data that is no MIKEY message: 463 Key Management Failure; no header at all: 403.
//! let f = device.setup(Some("prot=mikey; data=\"AQID\""), None, now).unwrap_err();
//! assert_eq!(f.rtsp_status_line(), "RTSP/1.0 463 Key Management Failure");
//! assert_eq!(device.setup(None, None, now).unwrap_err().status, 403);
//! ```

mod client;
mod device;
mod profile;

pub use client::OnvifClient;
pub use device::OnvifDevice;
pub use profile::{
    check_onvif_profile, onvif_policy, onvif_transport_key, OnvifKeys, OnvifTolerances,
};

use super::failure::KeyMgmtError;
use super::{decode_base64, encode_base64};

/// Length of the MKI every ONVIF key carries (ONVIF Streaming, "Key management through
/// RTSP": the MKI is mandatory and 4 bytes long).
pub const MKI_LEN: usize = 4;

/// Name of the `text/parameters` parameter carrying a MIKEY message in SET_PARAMETER and
/// GET_PARAMETER (ONVIF Streaming, re-keying and multicast key retrieval).
pub const MIKEY_PARAMETER: &str = "mikey";

/// The body of the client's `GET_PARAMETER` asking for the multicast key and ROC (ONVIF
/// Streaming, `Content-Type: text/parameters`, RFC 2326 §10.8).
pub const GET_PARAMETER_MIKEY_BODY: &str = "mikey\r\n";

/// The `text/parameters` body line `mikey: <base64>` of SET_PARAMETER (client re-key) and
/// of the device's answer to GET_PARAMETER (ONVIF Streaming; RFC 2326 §10.8, §10.9).
pub fn format_mikey_parameter(message: &[u8]) -> String {
    format!("{MIKEY_PARAMETER}: {}\r\n", encode_base64(message))
}

/// The MIKEY message of a `text/parameters` body: the first line `mikey: <base64>`
/// (name case-insensitive, optional whitespace around the value, strict padded base64).
/// Errors: no such line ([`KeyMgmtError::NoMikeyParameter`]) or bad base64 (offset from
/// the start of `body`).
pub fn parse_mikey_parameter(body: &str) -> Result<Vec<u8>, KeyMgmtError> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\r', '\n']);
        let Some(colon) = content.find(':') else {
            continue;
        };
        if !content[..colon]
            .trim()
            .eq_ignore_ascii_case(MIKEY_PARAMETER)
        {
            continue;
        }
        let raw = &content[colon + 1..];
        let value = raw.trim_start_matches([' ', '\t']);
        let value_off = start + colon + 1 + (raw.len() - value.len());
        let value = value.trim_end_matches([' ', '\t']);
        return decode_base64(value, value_off).map_err(KeyMgmtError::Sdp);
    }
    Err(KeyMgmtError::NoMikeyParameter)
}

/// Whether a `GET_PARAMETER` body asks for the `mikey` parameter (one parameter name per
/// line, RFC 2326 §10.8; name case-insensitive).
pub fn is_mikey_get_parameter(body: &str) -> bool {
    body.lines()
        .any(|l| l.trim().eq_ignore_ascii_case(MIKEY_PARAMETER))
}

#[cfg(test)]
mod tests;
