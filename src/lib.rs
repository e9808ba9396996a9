//! # mikey — Multimedia Internet KEYing (RFC 3830 and extensions)
//!
//! * [`wire`]: an exact, zero-copy codec for every registered MIKEY payload and message.
//! * [`crypto`]: the MIKEY PRF, key derivation, KEMAC encryption and MACs.
//! * [`sdp`]: key management in SDP (`a=key-mgmt`) and the RTSP `KeyMgmt` header (RFC 4567).
//! * [`srtp`]: SRTP parameters exported from a key exchange, and an SRTP/SRTCP transform
//!   that proves them on real packets.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod crypto;
pub mod sdp;
pub mod session;
pub mod srtp;
pub mod wire;
