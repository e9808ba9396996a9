//! The 3GPP mission-critical (MCPTT, MCVideo, MCData) profile of MIKEY-SAKKE: 3GPP TS 33.180
//! (and its Release 13 predecessor for MCPTT, TS 33.179), the parts that need no pairing or
//! elliptic-curve arithmetic.
//!
//! * [`kdf`]: the KDF of TS 33.220 Annex B.1 (HMAC-SHA-256 over `FC || P0 || L0 || ...`).
//! * [`KeyId`], [`PurposeTag`]: 32-bit key identifiers with their 4-bit purpose tag
//!   (TS 33.180 clause 5.2.2).
//! * [`derive`](mod@derive): the GUK-ID (F.1.3) and the DPCK (F.1.5).
//! * [`uid`]: the MIKEY-SAKKE UID (F.2.1) and the key period number.
//! * [`key_params`], [`protected`], [`ext7`]: the key-parameters general extension (type 7,
//!   E.6) in its protected form (clause 8.5.4, AES-128-GCM) and its older clear form.
//! * [`kms`]: the KMS documents of Annex D (KMS certificate, user key sets) in XML.
//! * [`imessage`], [`imessage_build`]: a typed view of the I_MESSAGE (E.1 to E.4) with the
//!   quirks of shipped stacks ([`McxQuirk`]), and the builder of its unsigned part.
//! * [`kms_server`]: a KMS (keys, certificate, user provisioning); [`user_keys`]: a user's
//!   key material validated before use, and the trusted KMS certificates.
//! * [`imessage_make`], [`imessage_open`]: making and opening an I_MESSAGE (SAKKE, ECCSI);
//!   [`media`]: the SRTP master keys of the media (7.4); [`gms`]: a group management
//!   server keying a group (join, leave).
//!
//! Everything here is behind the cargo feature `sakke`.

pub mod derive;
pub mod error;
pub mod ext7;
pub mod gms;
pub mod imessage;
pub mod imessage_build;
pub mod imessage_make;
pub mod imessage_open;
pub mod kdf;
pub mod key_id;
pub mod key_params;
pub mod kms;
pub mod kms_server;
pub mod media;
pub mod protected;
pub mod quirks;
pub mod sakke_error;
pub mod uid;
pub mod user_keys;

pub use error::McxError;
pub use ext7::KeyParamsExt;
pub use key_id::{KeyId, PurposeTag};
pub use key_params::{KeyParameters, PlaintextForm};
pub use protected::ProtectedPayload;
pub use quirks::{McxQuirk, McxQuirks};
pub use sakke_error::MikeySakkeError;
pub use uid::{KeyPeriod, Uid};
