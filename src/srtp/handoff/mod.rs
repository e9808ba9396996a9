//! Hand-off of exported SRTP parameters to the SRTP stacks people debug with: GStreamer's
//! `srtpenc`/`srtpdec` caps ([`gstreamer`]), libsrtp2's `srtp_policy_t` and its
//! `rtp_decoder` test tool ([`libsrtp`]), an SDES `a=crypto` line ([`sdes`], RFC 4568),
//! the webrtc-rs `srtp` crate's `Context::new` arguments ([`webrtc`]), and JSON
//! ([`json`]).
//!
//! Each consumer can express only part of what MIKEY negotiates: a parameter it cannot
//! take (RFC 4771 RCC, `<From, To>` intervals, a key derivation rate, an MKI, a suite it
//! lacks) is a [`HandoffError`], never silently dropped.

pub mod gstreamer;
pub mod json;
pub mod libsrtp;
pub mod sdes;
pub mod webrtc;

use super::SrtpParams;
use core::fmt;

/// A parameter of [`SrtpParams`] that a consumer cannot express.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoffError {
    /// The consumer: `"GStreamer"`, `"libsrtp2"`, `"rtp_decoder"`, `"SDES"`, `"webrtc-rs"`.
    pub consumer: &'static str,
    /// What it cannot take, e.g. `"RFC 4771 RCC (RCCm3)"`.
    pub parameter: String,
}

impl fmt::Display for HandoffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cannot take {}", self.consumer, self.parameter)
    }
}

impl std::error::Error for HandoffError {}

/// What each consumer supports beyond suite, key, salt and SSRC.
#[derive(Clone, Copy)]
struct Supports {
    consumer: &'static str,
    mki: bool,
    roc: bool,
    kdr: bool,
    srtcp_unencrypted: bool,
}

/// Refuses what `s` cannot express: RCC and intervals always (no consumer has them), and
/// MKI, non-zero ROC, KDR, unencrypted SRTCP as `s` says.
fn refuse_unsupported(p: &SrtpParams, s: Supports) -> Result<(), HandoffError> {
    let no = |parameter: String| {
        Err(HandoffError {
            consumer: s.consumer,
            parameter,
        })
    };
    if let Some(r) = p.rcc {
        return no(format!(
            "RFC 4771 ROC-carrying transform ({}, R = {})",
            r.mode, r.rate
        ));
    }
    if !matches!(p.interval(), Ok(None)) {
        return no("a <From, To> key-validity interval (RFC 3711 §8.1.1)".into());
    }
    if p.mki.is_some() && !s.mki {
        return no("an MKI".into());
    }
    if p.roc != 0 && !s.roc {
        return no(format!("a starting ROC of {}", p.roc));
    }
    if p.kdr != 0 && !s.kdr {
        return no(format!("a key derivation rate of {}", p.kdr));
    }
    if p.suite.encrypts() && !p.srtcp_encryption && !s.srtcp_unencrypted {
        return no("unencrypted SRTCP with an encrypting suite".into());
    }
    Ok(())
}

/// Master key || master salt, the key material most stacks take in one piece.
fn key_and_salt(p: &SrtpParams) -> crate::crypto::SecretBytes {
    let (k, s) = (p.master_key.as_bytes(), p.master_salt.as_bytes());
    let mut v = crate::crypto::SecretBytes::zeroed(k.len() + s.len());
    v.as_mut_bytes()[..k.len()].copy_from_slice(k);
    v.as_mut_bytes()[k.len()..].copy_from_slice(s);
    v
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests;
