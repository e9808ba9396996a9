//! MIKEY (Multimedia Internet KEYing, RFC 3830 and extensions) with an SRTP/SRTCP
//! packet transform (RFC 3711, RFC 6188, RFC 7714) for exported keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod srtp;
