//! The KMS documents of 3GPP TS 33.180 Annex D: the `KmsResponse` (D.2.3) wrapping a
//! `KmsInit` with the KMS certificate (D.3.2) or a `KmsKeyProv` with user key sets (D.3.3),
//! in namespace `urn:3gpp:ns:mcsecKMSInterface:1.0`. Read and written with quick-xml
//! (namespace-aware, no DOM dependency, writer included).
//!
//! Values are `xsd:hexBinary`; points carry the `04` (uncompressed) prefix; the key elements
//! of a key set have the abstract type `abstractKeyContentType` and need `xsi:type`
//! (accepted when missing, as KMSs in the field send them, and reported). Elements of other
//! namespaces (extensions) are ignored on read. Signed (`SignedKmsResponse`) and encrypted
//! key variants are not handled.
//!
//! ```
//! use mikey::mcx::kms::{KmsMessage, KmsResponse};
//! let xml = r#"<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0">
//!   <UserUri>sip:alice@example.org</UserUri><KmsUri>kms.example.org</KmsUri>
//!   <Time>2025-06-20T10:00:00</Time><ClientReqUrl>https://kms.example.org/init</ClientReqUrl>
//! </KmsResponse>"#;
//! let r = KmsResponse::from_xml(xml).unwrap();
//! assert_eq!(r.user_uri, "sip:alice@example.org");
//! assert!(r.message.is_none());
//! assert_eq!(KmsResponse::from_xml(&r.to_xml().unwrap()).unwrap(), r);
//! ```

mod dom;
mod read;
mod write;

use crate::crypto::SecretBytes;
use crate::mcx::error::McxError;
use crate::mcx::quirks::McxQuirks;
use crate::mcx::uid::{KeyPeriod, Uid};
use core::fmt;

/// The namespace of the KMS interface (TS 33.180 D.2).
pub const NS: &str = "urn:3gpp:ns:mcsecKMSInterface:1.0";
/// The XML Schema instance namespace (`xsi:type`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The `xsi:type` of a key element holding hexBinary (D.3.3).
pub const KEY_CONTENT_TYPE: &str = "KeyContentType";

/// Why a document was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Not well-formed XML (quick-xml's message).
    Xml(String),
    /// The root is not a `KmsResponse` of the KMS interface namespace.
    NotKmsResponse,
    /// A required element is missing.
    Missing,
    /// An element that may appear once appears again.
    Repeated,
    /// Not `xsd:hexBinary`.
    NotHex,
    /// Not a non-negative integer.
    NotInteger,
    /// Not an `xsd:boolean`.
    NotBoolean,
    /// A point without the `04` prefix, or of the wrong length for the parameter set.
    BadPoint {
        /// The expected length in octets (with the prefix).
        expected: usize,
    },
    /// A value of the wrong length.
    BadLength {
        /// The expected length in octets.
        expected: usize,
    },
    /// Encrypted key content (`EncKeyContentType`), not handled here.
    EncryptedKey,
    /// Too deep, too many elements, or too large.
    TooLarge,
}

/// A KMS document error: the element and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsError {
    /// The element (local name).
    pub element: String,
    /// What is wrong.
    pub reason: Reason,
}

impl KmsError {
    pub(crate) fn new(element: &str, reason: Reason) -> Self {
        KmsError {
            element: element.to_string(),
            reason,
        }
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KMS document, element {}: {:?}",
            self.element, self.reason
        )
    }
}

impl std::error::Error for KmsError {}

/// How a key set's `UserID` was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserIdForm {
    /// The octets of the identifier (for UserIdFormat 2, the 32 octets of the UID).
    Raw,
    /// The lower-case hex text of the UID, as octets (64 ASCII characters): seen in the
    /// field, where the keys were issued for that text.
    HexText,
}

/// The `UserID` of a key set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserId {
    /// The octets as written.
    pub bytes: Vec<u8>,
    /// How they were written.
    pub form: UserIdForm,
}

impl UserId {
    /// The UID it names, when it is one (32 octets, or their hex text).
    pub fn uid(&self) -> Option<Uid> {
        match self.form {
            UserIdForm::Raw => Uid::from_slice(&self.bytes),
            UserIdForm::HexText => {
                let raw = hex::decode(&self.bytes).ok()?;
                Uid::from_slice(&raw)
            }
        }
    }

    /// A `UserID` holding the UID's 32 octets.
    pub fn from_uid(uid: Uid) -> Self {
        UserId {
            bytes: uid.0.to_vec(),
            form: UserIdForm::Raw,
        }
    }
}

/// The KMS certificate (D.3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsCertificate {
    /// `Version` attribute.
    pub version: Option<String>,
    /// `Role` attribute (`Root` or `External`).
    pub role: Option<String>,
    /// `CertUri`.
    pub cert_uri: Option<String>,
    /// `KmsUri`.
    pub kms_uri: String,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `ValidFrom` (xsd:dateTime, as written).
    pub valid_from: Option<String>,
    /// `ValidTo` (xsd:dateTime, as written).
    pub valid_to: Option<String>,
    /// `Revoked`.
    pub revoked: Option<bool>,
    /// `UserIdFormat` (2: the MIKEY-SAKKE UID of F.2.1).
    pub user_id_format: String,
    /// `UserKeyPeriod` and `UserKeyOffset`, seconds.
    pub key_period: KeyPeriod,
    /// `PubEncKey`: the SAKKE KMS public key Z (RFC 6508), `04 || x || y`.
    pub pub_enc_key: Vec<u8>,
    /// `PubAuthKey`: the ECCSI KMS public authentication key KPAK (RFC 6507), `04 || x || y`.
    pub pub_auth_key: Vec<u8>,
    /// `ParameterSet` (1: RFC 6509 Appendix A).
    pub parameter_set: Option<u64>,
    /// `KmsDomainList`.
    pub kms_domains: Vec<String>,
}

/// A user key set (D.3.3). The RSK and SSK are secrets: zeroized on drop, not printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsKeySet {
    /// `Version` attribute.
    pub version: Option<String>,
    /// `KmsUri`.
    pub kms_uri: String,
    /// `CertUri`.
    pub cert_uri: Option<String>,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `UserUri`.
    pub user_uri: String,
    /// `UserID`.
    pub user_id: UserId,
    /// `ValidFrom`.
    pub valid_from: Option<String>,
    /// `ValidTo`.
    pub valid_to: Option<String>,
    /// `KeyPeriodNo`.
    pub key_period_no: u64,
    /// `Revoked`.
    pub revoked: Option<bool>,
    /// `UserDecryptKey`: the SAKKE Receiver Secret Key (RSK), `04 || x || y`.
    pub user_decrypt_key: SecretBytes,
    /// `UserSigningKeySSK`: the ECCSI Secret Signing Key.
    pub user_signing_key: SecretBytes,
    /// `UserPubTokenPVT`: the ECCSI Public Validation Token, `04 || x || y`.
    pub user_pub_token: Vec<u8>,
}

impl KmsKeySet {
    /// The UID this key set's `UserID` should name under `cert` (F.2.1): the user's URI,
    /// the certificate's KMS URI and key period, this set's period number.
    pub fn expected_uid(&self, cert: &KmsCertificate) -> Result<Uid, McxError> {
        Uid::derive(
            self.user_uri.as_bytes(),
            cert.kms_uri.as_bytes(),
            cert.key_period,
            self.key_period_no,
        )
    }

    /// Whether `UserID` (in either form) names [`KmsKeySet::expected_uid`].
    pub fn user_id_matches(&self, cert: &KmsCertificate) -> bool {
        match (self.user_id.uid(), self.expected_uid(cert)) {
            (Some(got), Ok(want)) => got == want,
            _ => false,
        }
    }
}

/// `KmsInit` (D.2.3): the KMS certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsInit {
    /// `Version` attribute.
    pub version: Option<String>,
    /// `xsi:type` attribute (e.g. `KmsInitTkIkType`).
    pub xsi_type: Option<String>,
    /// The certificate.
    pub certificate: KmsCertificate,
}

/// `KmsKeyProv` (D.2.3): user key sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsKeyProv {
    /// `Version` attribute.
    pub version: Option<String>,
    /// `xsi:type` attribute (e.g. `KmsKeyProvTkIkType`).
    pub xsi_type: Option<String>,
    /// The key sets.
    pub key_sets: Vec<KmsKeySet>,
}

/// The message of a KMS response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KmsMessage {
    /// `KmsInit`.
    Init(Box<KmsInit>),
    /// `KmsKeyProv`.
    KeyProv(KmsKeyProv),
}

/// `KmsError` of a response (D.2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsErrorInfo {
    /// `ErrorCode`.
    pub code: u64,
    /// `ErrorMsg`.
    pub message: String,
}

/// A `KmsResponse` (D.2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsResponse {
    /// `Id` attribute.
    pub id: Option<String>,
    /// `UserUri`.
    pub user_uri: String,
    /// `KmsUri`.
    pub kms_uri: String,
    /// `Time` (xsd:dateTime, as written).
    pub time: String,
    /// `KmsId`.
    pub kms_id: Option<String>,
    /// `ClientReqUrl`.
    pub client_req_url: String,
    /// `KmsMessage`.
    pub message: Option<KmsMessage>,
    /// `KmsError`.
    pub error: Option<KmsErrorInfo>,
    /// What was accepted that the schema does not allow ([`McxQuirk::KmsKeyWithoutXsiType`],
    /// [`McxQuirk::KmsUserIdHexText`]); not written back.
    ///
    /// [`McxQuirk::KmsKeyWithoutXsiType`]: crate::mcx::McxQuirk::KmsKeyWithoutXsiType
    /// [`McxQuirk::KmsUserIdHexText`]: crate::mcx::McxQuirk::KmsUserIdHexText
    pub quirks: McxQuirks,
}

impl KmsResponse {
    /// Reads a `KmsResponse` document.
    pub fn from_xml(xml: &str) -> Result<Self, KmsError> {
        read::response(&dom::parse(xml)?)
    }

    /// Writes the document (with `xsi:type="KeyContentType"` on key elements).
    pub fn to_xml(&self) -> Result<String, KmsError> {
        write::response(self)
    }
}
