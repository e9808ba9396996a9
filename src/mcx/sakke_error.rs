//! Errors of the MIKEY-SAKKE key material, KMS and I_MESSAGE operations of TS 33.180
//! ([`kms_server`](super::kms_server), [`user_keys`](super::user_keys),
//! [`imessage_make`](super::imessage_make), [`imessage_open`](super::imessage_open)).

use super::error::McxError;
use super::kms::KmsError;
use crate::crypto::eccsi::EccsiError;
use crate::crypto::sakke::SakkeError;
use crate::wire::ParseError;
use core::fmt;

/// Why key material was refused, a message could not be made, or a received I_MESSAGE
/// was refused. Every variant names what was wrong; none carries a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MikeySakkeError {
    /// The bytes are not a MIKEY message (RFC 3830 §6).
    Parse(ParseError),
    /// A TS 33.180 field, payload or derivation failed.
    Mcx(McxError),
    /// A KMS document (TS 33.180 Annex D) is malformed.
    Kms(KmsError),
    /// ECCSI (RFC 6507): a key that does not validate, or a signature that does not verify.
    Eccsi(EccsiError),
    /// SAKKE (RFC 6508): a key that does not validate, or data that does not decapsulate.
    Sakke(SakkeError),
    /// The message names a KMS whose certificate is not in the trusted set (TS 33.180 5.2.4:
    /// key material is only accepted from provisioned KMSs).
    UntrustedKms(String),
    /// Key material that is inconsistent: a key set for another KMS, a `UserID` that is not
    /// the UID of its user, a revoked key set.
    KeyMaterial {
        /// Which value.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The I_MESSAGE is addressed to another user (IDRr is not our UID or URI).
    NotForUs,
    /// The timestamp is outside the allowed clock skew (RFC 3830 §5.4, TS 33.180 E.1.1).
    Timestamp,
    /// A field holds a value this profile does not use (RFC 6509 §4: SAKKE parameter set 1,
    /// ECCSI signatures of 129 octets).
    Unsupported {
        /// The field.
        field: &'static str,
        /// What is expected.
        expected: &'static str,
    },
}

impl fmt::Display for MikeySakkeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "{e}"),
            Self::Mcx(e) => write!(f, "{e}"),
            Self::Kms(e) => write!(f, "{e}"),
            Self::Eccsi(e) => write!(f, "{e}"),
            Self::Sakke(e) => write!(f, "{e}"),
            Self::UntrustedKms(uri) => write!(f, "KMS {uri:?} is not trusted"),
            Self::KeyMaterial { what, reason } => write!(f, "key material, {what}: {reason}"),
            Self::NotForUs => f.write_str("I_MESSAGE is addressed to another user"),
            Self::Timestamp => f.write_str("I_MESSAGE timestamp outside the allowed skew"),
            Self::Unsupported { field, expected } => write!(f, "{field}: expected {expected}"),
        }
    }
}

impl std::error::Error for MikeySakkeError {}

impl From<ParseError> for MikeySakkeError {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}

impl From<McxError> for MikeySakkeError {
    fn from(e: McxError) -> Self {
        Self::Mcx(e)
    }
}

impl From<KmsError> for MikeySakkeError {
    fn from(e: KmsError) -> Self {
        Self::Kms(e)
    }
}

impl From<EccsiError> for MikeySakkeError {
    fn from(e: EccsiError) -> Self {
        Self::Eccsi(e)
    }
}

impl From<SakkeError> for MikeySakkeError {
    fn from(e: SakkeError) -> Self {
        Self::Sakke(e)
    }
}
