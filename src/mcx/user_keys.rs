//! A user's MIKEY-SAKKE key material, loaded from the KMS documents of TS 33.180 Annex D
//! and validated before use, and the set of KMS certificates a user trusts.
//!
//! * [`TrustedKms`]: a KMS certificate (D.3.2) with its KPAK and Z parsed and checked
//!   (points of the right groups, RFC 6507 §4.2 and RFC 6508 §2.2).
//! * [`KmsTrust`]: the trusted certificates keyed by KMS URI; users of several KMSs key
//!   each other (IDRkmsi ≠ IDRkmsr) with the keys found here, and a message naming a KMS
//!   that is not here is refused ([`MikeySakkeError::UntrustedKms`]).
//! * [`UserKeys`]: a key set (D.3.3) checked against its certificate: the KMS URI, the
//!   `UserID` against the UID of F.2.1 (raw, or its hex text as some KMSs issue it), not
//!   revoked, the SSK against the PVT and KPAK (RFC 6507 §5.1.2) and the RSK against Z
//!   (RFC 6508 §6.1.2).

use super::kms::{KmsCertificate, KmsKeySet, UserIdForm};
use super::sakke_error::MikeySakkeError;
use super::uid::{KeyPeriod, Uid};
use crate::crypto::eccsi::{Kpak, Pvt, SigningKey, Ssk};
use crate::crypto::sakke::{Identifier, KmsPublicKey, Receiver, Rsk};
use core::fmt;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A KMS certificate whose public keys parsed and passed their group checks.
#[derive(Clone)]
pub struct TrustedKms {
    certificate: KmsCertificate,
    kpak: Kpak,
    z: KmsPublicKey,
    hex_text_ids: bool,
}

impl fmt::Debug for TrustedKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustedKms")
            .field("kms_uri", &self.certificate.kms_uri)
            .finish_non_exhaustive()
    }
}

impl TrustedKms {
    /// Checks `cert`: `UserIdFormat` 2 (UIDs), parameter set 1 when given, not revoked, a
    /// KPAK on P-256 and a Z of order q.
    ///
    /// # Errors
    /// [`MikeySakkeError::KeyMaterial`], [`MikeySakkeError::Eccsi`] or
    /// [`MikeySakkeError::Sakke`] naming what is wrong.
    pub fn new(cert: KmsCertificate) -> Result<TrustedKms, MikeySakkeError> {
        let refuse = |what, reason| Err(MikeySakkeError::KeyMaterial { what, reason });
        if cert.user_id_format != "2" {
            return refuse(
                "UserIdFormat",
                "only 2 (the UID of TS 33.180 F.2.1) is used",
            );
        }
        if cert.parameter_set.is_some_and(|p| p != 1) {
            return refuse("ParameterSet", "only 1 (RFC 6509 Appendix A) is supported");
        }
        if cert.revoked == Some(true) {
            return refuse("KmsCertificate", "revoked");
        }
        let kpak = Kpak::from_bytes(&cert.pub_auth_key)?;
        let z = KmsPublicKey::from_bytes(&cert.pub_enc_key)?;
        Ok(TrustedKms {
            certificate: cert,
            kpak,
            z,
            hex_text_ids: false,
        })
    }

    /// Marks this KMS as one that issues its users' keys for the lower-case hex text of
    /// their UIDs (a KMS seen in the field, [`McxQuirk::KmsUserIdHexText`]): messages to
    /// its users encapsulate to that text.
    ///
    /// [`McxQuirk::KmsUserIdHexText`]: crate::mcx::McxQuirk::KmsUserIdHexText
    pub fn with_hex_text_user_ids(mut self, on: bool) -> Self {
        self.hex_text_ids = on;
        self
    }

    /// Whether this KMS issues keys for the hex text of UIDs.
    pub fn hex_text_user_ids(&self) -> bool {
        self.hex_text_ids
    }

    /// The KMS URI.
    pub fn uri(&self) -> &str {
        &self.certificate.kms_uri
    }

    /// The certificate.
    pub fn certificate(&self) -> &KmsCertificate {
        &self.certificate
    }

    /// The ECCSI KPAK (verifies the signatures of this KMS's users).
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// The SAKKE public key Z (encapsulates to this KMS's users).
    pub fn public_key(&self) -> &KmsPublicKey {
        &self.z
    }

    /// The key period of the certificate.
    pub fn key_period(&self) -> KeyPeriod {
        self.certificate.key_period
    }
}

/// The KMS certificates a user trusts, keyed by KMS URI.
#[derive(Clone, Debug, Default)]
pub struct KmsTrust {
    by_uri: BTreeMap<String, Arc<TrustedKms>>,
}

impl KmsTrust {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks `cert` ([`TrustedKms::new`]) and trusts it; replaces a certificate of the same
    /// KMS URI.
    ///
    /// # Errors
    /// As [`TrustedKms::new`].
    pub fn add(&mut self, cert: KmsCertificate) -> Result<Arc<TrustedKms>, MikeySakkeError> {
        let kms = Arc::new(TrustedKms::new(cert)?);
        self.by_uri.insert(kms.uri().to_string(), kms.clone());
        Ok(kms)
    }

    /// Adds an already checked KMS.
    pub fn insert(&mut self, kms: Arc<TrustedKms>) {
        self.by_uri.insert(kms.uri().to_string(), kms);
    }

    /// The KMS of `uri`.
    ///
    /// # Errors
    /// [`MikeySakkeError::UntrustedKms`] when it is not trusted.
    pub fn get(&self, uri: &str) -> Result<&Arc<TrustedKms>, MikeySakkeError> {
        self.by_uri
            .get(uri)
            .ok_or_else(|| MikeySakkeError::UntrustedKms(uri.to_string()))
    }

    /// The trusted KMS URIs.
    pub fn uris(&self) -> impl Iterator<Item = &str> {
        self.by_uri.keys().map(String::as_str)
    }

    /// How many KMSs are trusted.
    pub fn len(&self) -> usize {
        self.by_uri.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.by_uri.is_empty()
    }
}

/// A user's validated key material: URI, UID, identifier the keys were issued for, ECCSI
/// signing key and SAKKE receiver (with its Miller lines and its KMS's table of Z; a user
/// who opens many messages in a key period can add the identity's own table with
/// `keys.receiver().precompute()`, see [`Receiver::precompute`]).
pub struct UserKeys {
    user_uri: String,
    uid: Uid,
    identifier: Vec<u8>,
    period_no: u64,
    kms: Arc<TrustedKms>,
    signer: SigningKey,
    receiver: Receiver,
}

impl fmt::Debug for UserKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserKeys")
            .field("user_uri", &self.user_uri)
            .field("uid", &self.uid.to_string())
            .field("kms_uri", &self.kms.uri())
            .field("period_no", &self.period_no)
            .finish_non_exhaustive()
    }
}

impl UserKeys {
    /// Loads `set` issued under `cert`, validating it first (see the [module docs](self)).
    ///
    /// # Errors
    /// [`MikeySakkeError::KeyMaterial`] for a set of another KMS, a `UserID` that is not
    /// the user's UID, a revoked set; [`MikeySakkeError::Eccsi`]
    /// ([`EccsiError::SskValidation`](crate::crypto::eccsi::EccsiError::SskValidation))
    /// or [`MikeySakkeError::Sakke`]
    /// ([`SakkeError::RskValidation`](crate::crypto::sakke::SakkeError::RskValidation)) for
    /// keys that do not validate.
    pub fn load(cert: &KmsCertificate, set: &KmsKeySet) -> Result<UserKeys, MikeySakkeError> {
        Self::load_trusted(Arc::new(TrustedKms::new(cert.clone())?), set)
    }

    /// As [`UserKeys::load`], with the certificate already checked.
    ///
    /// # Errors
    /// As [`UserKeys::load`].
    pub fn load_trusted(
        kms: Arc<TrustedKms>,
        set: &KmsKeySet,
    ) -> Result<UserKeys, MikeySakkeError> {
        let refuse = |what, reason| Err(MikeySakkeError::KeyMaterial { what, reason });
        if set.kms_uri != kms.uri() {
            return refuse("KmsUri", "the key set is of another KMS");
        }
        if set.revoked == Some(true) {
            return refuse("KmsKeySet", "revoked");
        }
        let uid = set.expected_uid(kms.certificate())?;
        if set.user_id.uid() != Some(uid) {
            return refuse("UserID", "is not the UID of UserUri (TS 33.180 F.2.1)");
        }
        // The keys were issued for the identifier as written (the UID's octets, or its hex
        // text, RFC 6507 §5.1.1 and RFC 6508 §6.1.1 hash and use those octets).
        let identifier = match set.user_id.form {
            UserIdForm::Raw => uid.as_bytes().to_vec(),
            UserIdForm::HexText => set.user_id.bytes.clone(),
        };
        let ssk = Ssk::from_bytes(set.user_signing_key.as_bytes())?;
        let pvt = Pvt::from_bytes(&set.user_pub_token)?;
        let signer = SigningKey::new(kms.kpak(), &identifier, &ssk, &pvt)?;
        let rsk = Rsk::from_bytes(set.user_decrypt_key.as_bytes())?;
        let receiver = Receiver::new(kms.public_key(), Identifier::new(&identifier)?, &rsk)?;
        Ok(UserKeys {
            user_uri: set.user_uri.clone(),
            uid,
            identifier,
            period_no: set.key_period_no,
            kms,
            signer,
            receiver,
        })
    }

    /// The user's URI.
    pub fn user_uri(&self) -> &str {
        &self.user_uri
    }

    /// The UID (F.2.1).
    pub fn uid(&self) -> Uid {
        self.uid
    }

    /// The identifier octets the keys were issued for (the UID, or its hex text).
    pub fn identifier(&self) -> &[u8] {
        &self.identifier
    }

    /// The key period number of the key set.
    pub fn period_no(&self) -> u64 {
        self.period_no
    }

    /// The user's KMS.
    pub fn kms(&self) -> &Arc<TrustedKms> {
        &self.kms
    }

    /// The ECCSI signing key (validated).
    pub fn signer(&self) -> &SigningKey {
        &self.signer
    }

    /// The SAKKE receiver (validated RSK).
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }
}
