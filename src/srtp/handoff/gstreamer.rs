//! GStreamer `srtpenc` / `srtpdec` (gst-plugins-bad `ext/srtp`): the `application/x-srtp`
//! caps srtpdec's `request-key` signal returns, and the srtpenc properties.
//!
//! `srtp-key` is master key ‖ master salt; ciphers are `aes-128-icm`, `aes-256-icm`,
//! `aes-128-gcm`, `aes-256-gcm`, `null`; authentications `hmac-sha1-80`, `hmac-sha1-32`,
//! `null` (GCM suites authenticate with their own tag: auth `null`). srtpdec also reads
//! `roc` and `mki`. AES-192, RCC, intervals and a key derivation rate have no field, and
//! the NULL-cipher suites are refused: GStreamer 1.22's srtpdec cannot create a stream for
//! cipher `null` with HMAC-SHA1 and a master key.

use super::{hex, key_and_salt, refuse_unsupported, HandoffError, Supports};
use crate::crypto::SecretBytes;
use crate::srtp::{SrtpParams, SrtpSuite};

/// The caps fields of one stream. `Debug` does not show the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GstSrtpCaps {
    /// `ssrc` (uint).
    pub ssrc: u32,
    /// `srtp-key` (buffer): master key ‖ master salt; also srtpenc's `key` property.
    pub srtp_key: SecretBytes,
    /// `srtp-cipher` and srtpenc's `rtp-cipher`.
    pub srtp_cipher: &'static str,
    /// `srtp-auth` and srtpenc's `rtp-auth`.
    pub srtp_auth: &'static str,
    /// `srtcp-cipher` and srtpenc's `rtcp-cipher`.
    pub srtcp_cipher: &'static str,
    /// `srtcp-auth` and srtpenc's `rtcp-auth`.
    pub srtcp_auth: &'static str,
    /// `roc` (uint), the ROC srtpdec starts from.
    pub roc: u32,
    /// `mki` (buffer), srtpenc's `mki` property.
    pub mki: Option<Vec<u8>>,
}

/// (cipher, auth) names of a suite's SRTP side, `None` where GStreamer lacks the cipher.
fn names(suite: SrtpSuite) -> Option<(&'static str, &'static str)> {
    use SrtpSuite as S;
    Some(match suite {
        S::AesCm128HmacSha1_80 => ("aes-128-icm", "hmac-sha1-80"),
        S::AesCm128HmacSha1_32 => ("aes-128-icm", "hmac-sha1-32"),
        S::AesCm256HmacSha1_80 => ("aes-256-icm", "hmac-sha1-80"),
        S::AesCm256HmacSha1_32 => ("aes-256-icm", "hmac-sha1-32"),
        S::AeadAes128Gcm => ("aes-128-gcm", "null"),
        S::AeadAes256Gcm => ("aes-256-gcm", "null"),
        // No AES-192 cipher; srtpdec fails to create a stream for cipher null with
        // HMAC-SHA1 and a key (GStreamer 1.22, peers/tests/gstreamer_srtp.rs).
        S::AesCm192HmacSha1_80
        | S::AesCm192HmacSha1_32
        | S::NullHmacSha1_80
        | S::NullHmacSha1_32 => return None,
    })
}

impl GstSrtpCaps {
    /// The caps of `p`, or what GStreamer cannot take.
    pub fn new(p: &SrtpParams) -> Result<Self, HandoffError> {
        let consumer = "GStreamer";
        refuse_unsupported(
            p,
            Supports {
                consumer,
                mki: true,
                roc: true,
                kdr: false,
                srtcp_unencrypted: !p.suite.is_aead(),
            },
        )?;
        let (cipher, auth) = names(p.suite).ok_or_else(|| HandoffError {
            consumer,
            parameter: format!("the suite {}", p.suite),
        })?;
        // The _32 suites keep an 80-bit SRTCP tag (RFC 4568 §6.2.2).
        let srtcp_auth = if p.suite.is_aead() {
            "null"
        } else {
            "hmac-sha1-80"
        };
        Ok(Self {
            ssrc: p.ssrc,
            srtp_key: key_and_salt(p),
            srtp_cipher: cipher,
            srtp_auth: auth,
            srtcp_cipher: if p.srtcp_encryption { cipher } else { "null" },
            srtcp_auth,
            roc: p.roc,
            mki: p.mki.clone(),
        })
    }

    /// The caps as `gst_caps_from_string` reads them (contains the key in hex).
    pub fn to_caps_string(&self) -> String {
        let mut s = format!(
            "application/x-srtp, ssrc=(uint){}, srtp-key=(buffer){}, srtp-cipher=(string){}, \
             srtp-auth=(string){}, srtcp-cipher=(string){}, srtcp-auth=(string){}, roc=(uint){}",
            self.ssrc,
            hex(self.srtp_key.as_bytes()),
            self.srtp_cipher,
            self.srtp_auth,
            self.srtcp_cipher,
            self.srtcp_auth,
            self.roc
        );
        if let Some(m) = &self.mki {
            s.push_str(&format!(", mki=(buffer){}", hex(m)));
        }
        s
    }
}
