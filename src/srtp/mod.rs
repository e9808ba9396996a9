//! SRTP / SRTCP packet protection (RFC 3711) for the keys exported by MIKEY.
//!
//! [`SrtpSuite`] names the crypto suites (RFC 3711 §8.2, RFC 4568 §6.2,
//! RFC 6188 §6, RFC 7714 §14) and [`SrtpContext`] implements the packet
//! transform (RFC 3711 §3-4, RFC 7714 §8-9).

pub mod context;
pub mod export;
pub mod handoff;
pub mod policy;
pub mod suite;

pub use context::{KeyInterval, RccMode, SrtpContext, SrtpError};
pub use export::{ExportError, SrtpParams};
pub use policy::RocCarrying;
pub use suite::SrtpSuite;
