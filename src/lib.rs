//! # mikey — Multimedia Internet KEYing (RFC 3830 and extensions)
//!
//! * [`wire`]: an exact, zero-copy codec for every registered MIKEY payload and message.
//! * [`bundle`]: the crypto session bundle both ends hold after an exchange (keys, RAND,
//!   crypto sessions, policies): what the key exchanges produce and the SRTP export reads.
//! * [`crypto`]: the MIKEY PRF, key derivation, KEMAC encryption and MACs.
//! * [`sdp`]: key management in SDP (`a=key-mgmt`) and the RTSP `KeyMgmt` header (RFC 4567).
//! * [`srtp`]: SRTP parameters exported from a key exchange, and an SRTP/SRTCP transform
//!   that proves them on real packets.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// `ok_or_else(|| SessionError::X)` is deliberate: the error types own Strings, so the eager
// `ok_or(SessionError::X)` builds and drops an error on the success path (measured: about 1%
// of a PSK exchange). Clippy counts such a constructor as cheap.
#![allow(clippy::unnecessary_lazy_evaluations)]

pub mod bundle;
pub mod crypto;
#[cfg(feature = "sakke")]
pub mod mcx;
pub mod sdp;
pub mod session;
pub mod srtp;
pub mod wire;
