//! MIKEY (Multimedia Internet KEYing, RFC 3830 and extensions).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod crypto;
