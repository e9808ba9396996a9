//! Errors of the SRTP / SRTCP transform.

use std::fmt;

/// Errors of the SRTP / SRTCP transform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SrtpError {
    /// The packet is too short for its header, MKI and tag.
    Truncated,
    /// The packet is not an RTP/RTCP version 2 packet.
    Malformed,
    /// The authentication tag (HMAC or AEAD tag) did not verify.
    AuthFailed,
    /// The packet index was already received or is older than the
    /// replay window (RFC 3711 §3.3.2).
    Replay,
    /// The MKI carried by the packet differs from the context's MKI
    /// (RFC 3711 §3.1).
    MkiMismatch,
    /// The master key length does not match the suite.
    BadKeyLength,
    /// The master salt length does not match the suite.
    BadSaltLength,
    /// The key derivation rate is not 0 or a power of two up to 2^24
    /// (RFC 3711 §4.3.1).
    BadKdr,
    /// The packet index would leave its range (ROC underflow/overflow,
    /// exhausted 31-bit SRTCP index): the master key must be replaced
    /// (RFC 3711 §3.3.1, §9.2).
    IndexOutOfRange,
    /// No master key of the context is valid for the packet: its index lies outside
    /// the `<From, To>` interval of every key (RFC 3711 §8.1.1, RFC 3830 §6.14), or the
    /// key its MKI names is not valid for its index.
    NoValidKey,
    /// An MKI whose length differs from the context's, or one the context already holds
    /// (RFC 3711 §3.2.1: one MKI length per context).
    BadMki,
    /// A key-validity interval whose From lies after its To (RFC 3711 §8.1.1).
    BadInterval,
    /// ROC-carrying settings the transform cannot honour (RFC 4771 §3-4): a rate R of 0,
    /// or mode 1 or 2 (HMAC-SHA1 MACs) with an AEAD suite.
    BadRcc,
    /// The context already tracks its maximum number of SSRCs (a bound on the state
    /// that packets can create).
    TooManyStreams,
    /// Internal cipher failure (should not happen).
    Crypto,
}

impl fmt::Display for SrtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SrtpError::Truncated => "SRTP: packet truncated",
            SrtpError::Malformed => "SRTP: malformed RTP/RTCP packet",
            SrtpError::AuthFailed => "SRTP: authentication failed",
            SrtpError::Replay => "SRTP: replayed or too old packet",
            SrtpError::MkiMismatch => "SRTP: MKI mismatch",
            SrtpError::BadKeyLength => "SRTP: bad master key length",
            SrtpError::BadSaltLength => "SRTP: bad master salt length",
            SrtpError::BadKdr => "SRTP: bad key derivation rate",
            SrtpError::IndexOutOfRange => "SRTP: packet index out of range",
            SrtpError::NoValidKey => "SRTP: no master key valid for this packet",
            SrtpError::BadMki => "SRTP: MKI of the wrong length or already held",
            SrtpError::BadInterval => "SRTP: key validity interval From after To",
            SrtpError::BadRcc => "SRTP: ROC-carrying settings not supported",
            SrtpError::TooManyStreams => "SRTP: too many SSRCs in one context",
            SrtpError::Crypto => "SRTP: cipher failure",
        })
    }
}

impl std::error::Error for SrtpError {}
