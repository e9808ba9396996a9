//! # mikey — Multimedia Internet KEYing (RFC 3830 and extensions)
//!
//! * [`wire`]: an exact, zero-copy codec for every registered MIKEY payload and message.
//! * [`crypto`]: the MIKEY PRF, key derivation, KEMAC encryption and MACs.
//! * [`srtp`]: SRTP parameters exported from a key exchange, and an SRTP/SRTCP transform
//!   that proves them on real packets.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod crypto;
pub mod session;
pub mod srtp;
pub mod wire;
