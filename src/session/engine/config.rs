//! What every responder is configured with ([`ResponderConfig`]), whatever its mode.

use super::super::TimestampPolicy;
use super::limits::ResponderLimits;
use crate::wire::Id;

/// Responder settings shared by every mode: limits, leniency, our identity and streams.
/// Mode-specific settings (DH groups, RSA-R key sizes, our certificates) are set on the
/// responder itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderConfig {
    /// Bounds on memory and on what is accepted (clock skew, replay cache, bundles, COUNTER
    /// identities, keys, message size).
    pub limits: ResponderLimits,
    /// Timestamps that are not the time, and initial messages without RAND (shipping
    /// devices send both): off by default, and reported when used.
    pub timestamps: TimestampPolicy,
    /// Accept NULL KEMAC encryption (RTSP/ONVIF over TLS). Off by default.
    pub allow_null_encryption: bool,
    /// Accept a NULL MAC (RTSP/ONVIF over TLS). Off by default.
    pub allow_null_mac: bool,
    /// Answer rejected messages with an Error message (RFC 3830 §5.1.2); those that did not
    /// authenticate within [`ResponderLimits::error_replies_per_sec`].
    pub send_errors: bool,
    /// Our identity, sent as IDr in responses.
    pub id_r: Option<Id<'static>>,
    /// SSRCs of our streams, used in order to fill crypto sessions whose SSRC is 0
    /// (RFC 3830 §6.1).
    pub local_ssrcs: Vec<u32>,
    /// Parse leniently and accept what shipping devices send (see
    /// [`Quirk`](crate::wire::Quirk) and [`Leniency`](crate::session::Leniency)); each
    /// acceptance is reported.
    pub lenient: bool,
    /// Public-key modes: also accept SIGN payloads made with SHA-1 (RFC 3830 §6.5 does not
    /// signal the hash; SHA-256 is always tried first). Off by default.
    pub sha1_signatures: bool,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        Self {
            limits: ResponderLimits::default(),
            timestamps: TimestampPolicy::default(),
            allow_null_encryption: false,
            allow_null_mac: false,
            send_errors: true,
            id_r: None,
            local_ssrcs: Vec::new(),
            lenient: false,
            sha1_signatures: false,
        }
    }
}

impl ResponderConfig {
    /// The "MIKEY-NULL" profile used by RTSP(S)/ONVIF devices: NULL encryption and MAC
    /// accepted (the transport is TLS) and quirks of real devices tolerated.
    pub fn mikey_null() -> Self {
        Self {
            allow_null_encryption: true,
            allow_null_mac: true,
            lenient: true,
            ..Self::default()
        }
    }

    /// The parse options these settings ask for.
    pub(crate) fn parse_options(&self) -> crate::wire::ParseOptions {
        if self.lenient {
            crate::wire::ParseOptions::LENIENT
        } else {
            crate::wire::ParseOptions::STRICT
        }
    }
}
