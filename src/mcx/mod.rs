//! The 3GPP mission-critical (MCPTT, MCVideo, MCData) profile of MIKEY-SAKKE: 3GPP TS 33.180
//! (and its Release 13 predecessor for MCPTT, TS 33.179), the parts that need no pairing or
//! elliptic-curve arithmetic.
//!
//! * [`kdf`]: the KDF of TS 33.220 Annex B.1 (HMAC-SHA-256 over `FC || P0 || L0 || ...`).
//! * [`KeyId`], [`PurposeTag`]: 32-bit key identifiers with their 4-bit purpose tag
//!   (TS 33.180 clause 5.2.2).
//! * [`derive`]: the GUK-ID (F.1.3) and the DPCK (F.1.5).
//! * [`uid`]: the MIKEY-SAKKE UID (F.2.1) and the key period number.
//!
//! Everything here is behind the cargo feature `sakke`.

pub mod derive;
pub mod error;
pub mod kdf;
pub mod key_id;
pub mod uid;

pub use error::McxError;
pub use key_id::{KeyId, PurposeTag};
pub use uid::{KeyPeriod, Uid};
