//! # mikey — Multimedia Internet KEYing (RFC 3830 and extensions)
//!
//! * [`wire`]: an exact, zero-copy codec for every registered MIKEY payload and message.
//! * [`bundle`]: the crypto session bundle both ends hold after an exchange (keys, RAND,
//!   crypto sessions, policies): what the key exchanges produce and the SRTP export reads.
//! * [`crypto`]: the MIKEY PRF, key derivation, KEMAC encryption and MACs.
//! * [`sdp`]: key management in SDP (`a=key-mgmt`) and the RTSP `KeyMgmt` header (RFC 4567).
//! * [`srtp`]: SRTP parameters exported from a key exchange, an SRTP/SRTCP transform
//!   that proves them on real packets, and their hand-off to GStreamer, libsrtp2, SDES,
//!   webrtc-rs.
//! * `capture` (feature `pcap`): decrypt the SRTP of a pcap/pcapng capture with the MIKEY
//!   keys it carries.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// `ok_or_else(|| SessionError::X)` is deliberate: the error types own Strings, so the eager
// `ok_or(SessionError::X)` builds and drops an error on the success path (measured: about 1%
// of a PSK exchange). Clippy counts such a constructor as cheap.
#![allow(clippy::unnecessary_lazy_evaluations)]

pub mod bundle;
#[cfg(feature = "pcap")]
pub mod capture;
pub mod crypto;
pub mod sdp;
pub mod session;
pub mod srtp;
pub mod wire;
