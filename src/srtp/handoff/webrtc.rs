//! The webrtc-rs `srtp` crate (`webrtc-srtp` 0.17): the arguments of
//! `Context::new(master_key, master_salt, profile, None, None)`.
//!
//! Its `ProtectionProfile` has AES-128/256-CM with HMAC-SHA1 80/32 and AES-128/256-GCM;
//! it has no MKI, no way to set a starting ROC (its `set_roc` is private), no key
//! derivation rate, RCC, interval or unencrypted SRTCP: all refused.

use super::{refuse_unsupported, HandoffError, Supports};
use crate::crypto::SecretBytes;
use crate::srtp::{SrtpParams, SrtpSuite};

/// The `Context::new` arguments of one stream. `Debug` does not show the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebrtcSrtpArgs {
    /// The `srtp::protection_profile::ProtectionProfile` variant name, e.g.
    /// `Aes128CmHmacSha1_80`.
    pub profile: &'static str,
    /// `master_key`.
    pub master_key: SecretBytes,
    /// `master_salt`.
    pub master_salt: SecretBytes,
}

impl WebrtcSrtpArgs {
    /// The arguments of `p`, or what webrtc-rs cannot take.
    pub fn new(p: &SrtpParams) -> Result<Self, HandoffError> {
        let consumer = "webrtc-rs";
        refuse_unsupported(
            p,
            Supports {
                consumer,
                mki: false,
                roc: false,
                kdr: false,
                srtcp_unencrypted: false,
            },
        )?;
        let profile = match p.suite {
            SrtpSuite::AesCm128HmacSha1_80 => "Aes128CmHmacSha1_80",
            SrtpSuite::AesCm128HmacSha1_32 => "Aes128CmHmacSha1_32",
            SrtpSuite::AesCm256HmacSha1_80 => "Aes256CmHmacSha1_80",
            SrtpSuite::AesCm256HmacSha1_32 => "Aes256CmHmacSha1_32",
            SrtpSuite::AeadAes128Gcm => "AeadAes128Gcm",
            SrtpSuite::AeadAes256Gcm => "AeadAes256Gcm",
            s => {
                return Err(HandoffError {
                    consumer,
                    parameter: format!("the suite {s}"),
                })
            }
        };
        Ok(Self {
            profile,
            master_key: p.master_key.clone(),
            master_salt: p.master_salt.clone(),
        })
    }
}
