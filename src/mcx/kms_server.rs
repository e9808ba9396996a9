//! A key management server (KMS) for MIKEY-SAKKE as TS 33.180 5.2.4 and Annex D describe
//! it, for tests and small deployments: the KMS keys (ECCSI KSAK/KPAK, RFC 6507 §4.2; SAKKE
//! master secret z and public key Z, RFC 6508 §6.1), its KMS certificate (D.3.2), and the
//! user key sets it provisions for an identity and key period (D.3.3: SSK and PVT, RFC 6507
//! §5.1.1; RSK, RFC 6508 §6.1.1), issued for the UID of F.2.1.
//!
//! Sans-IO: the caller passes the time and the randomness, and stores the secrets
//! ([`Kms::ksak_bytes`], [`Kms::master_secret_bytes`]) where it keeps secrets.
//!
//! ```
//! use mikey::mcx::kms_server::Kms;
//! use mikey::mcx::user_keys::UserKeys;
//! use mikey::mcx::KeyPeriod;
//! let period = KeyPeriod { length: 2_592_000, offset: 0 };
//! let kms = Kms::generate("kms.example.org", period, &mut mikey::crypto::OsEntropy).unwrap();
//! let cert = kms.certificate();
//! let set = kms.provision("sip:alice@example.org", 42, &mut mikey::crypto::OsEntropy).unwrap();
//! // A user validates what it was given before use (RFC 6507 §5.1.2, RFC 6508 §6.1.2).
//! let alice = UserKeys::load(&cert, &set).unwrap();
//! assert_eq!(alice.user_uri(), "sip:alice@example.org");
//! ```

use super::kms::{KmsCertificate, KmsInit, KmsKeyProv, KmsKeySet, KmsMessage, KmsResponse, UserId};
use super::quirks::McxQuirks;
use super::sakke_error::MikeySakkeError;
use super::uid::{KeyPeriod, Uid};
use crate::crypto::eccsi::{Kpak, Ksak};
use crate::crypto::sakke::{Identifier, KmsPublicKey, MasterSecret};
use crate::crypto::{Entropy, SecretBytes};
use core::fmt;
use std::time::Duration;

/// `UserIdFormat` 2: the MIKEY-SAKKE UID of F.2.1 (D.3.2).
pub const USER_ID_FORMAT_UID: &str = "2";

/// A KMS: its URI, key period, and the secrets of both schemes with their public keys.
pub struct Kms {
    kms_uri: String,
    key_period: KeyPeriod,
    ksak: Ksak,
    kpak: Kpak,
    z: MasterSecret,
    public: KmsPublicKey,
}

impl fmt::Debug for Kms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kms")
            .field("kms_uri", &self.kms_uri)
            .field("key_period", &self.key_period)
            .finish_non_exhaustive()
    }
}

impl Kms {
    /// A new KMS for `kms_uri` with key periods `key_period`: KSAK and z drawn from
    /// `entropy`, KPAK = \[KSAK\]G, Z = \[z\]P.
    ///
    /// # Errors
    /// When `entropy` gives no usable value, or the key period is zero.
    pub fn generate(
        kms_uri: &str,
        key_period: KeyPeriod,
        entropy: &mut dyn Entropy,
    ) -> Result<Kms, MikeySakkeError> {
        let ksak = Ksak::generate(entropy)?;
        let z = MasterSecret::generate(entropy)?;
        Self::assemble(kms_uri, key_period, ksak, z)
    }

    /// The KMS of `cert` with its secrets KSAK and z (as [`Kms::ksak_bytes`] and
    /// [`Kms::master_secret_bytes`] gave them); refused unless they give the certificate's
    /// KPAK and Z.
    ///
    /// # Errors
    /// [`MikeySakkeError::KeyMaterial`] when a secret does not match the certificate.
    pub fn from_certificate(
        cert: &KmsCertificate,
        ksak: &[u8],
        z: &[u8],
    ) -> Result<Kms, MikeySakkeError> {
        let kms = Self::assemble(
            &cert.kms_uri,
            cert.key_period,
            Ksak::from_bytes(ksak)?,
            MasterSecret::from_bytes(z)?,
        )?;
        if kms.kpak.to_bytes()[..] != cert.pub_auth_key[..] {
            return Err(MikeySakkeError::KeyMaterial {
                what: "KSAK",
                reason: "does not give the certificate's PubAuthKey (KPAK)",
            });
        }
        if kms.public.to_bytes()[..] != cert.pub_enc_key[..] {
            return Err(MikeySakkeError::KeyMaterial {
                what: "SAKKE master secret",
                reason: "does not give the certificate's PubEncKey (Z)",
            });
        }
        Ok(kms)
    }

    fn assemble(
        kms_uri: &str,
        key_period: KeyPeriod,
        ksak: Ksak,
        z: MasterSecret,
    ) -> Result<Kms, MikeySakkeError> {
        if key_period.length == 0 || kms_uri.is_empty() {
            return Err(MikeySakkeError::KeyMaterial {
                what: "KMS",
                reason: "needs a URI and a key period of at least one second",
            });
        }
        Ok(Kms {
            kms_uri: kms_uri.to_string(),
            key_period,
            kpak: ksak.kpak(),
            ksak,
            public: z.public_key(),
            z,
        })
    }

    /// The KMS URI.
    pub fn uri(&self) -> &str {
        &self.kms_uri
    }

    /// The key period (`UserKeyPeriod`, `UserKeyOffset`).
    pub fn key_period(&self) -> KeyPeriod {
        self.key_period
    }

    /// KSAK, 32 octets (secret).
    pub fn ksak_bytes(&self) -> SecretBytes {
        self.ksak.to_bytes()
    }

    /// The SAKKE master secret z, 128 octets (secret).
    pub fn master_secret_bytes(&self) -> SecretBytes {
        self.z.to_bytes()
    }

    /// The SAKKE public key Z.
    pub fn public_key(&self) -> &KmsPublicKey {
        &self.public
    }

    /// The ECCSI KPAK.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// The KMS certificate (D.3.2): URI, `UserIdFormat` 2, key period, Z and KPAK,
    /// parameter set 1.
    pub fn certificate(&self) -> KmsCertificate {
        KmsCertificate {
            version: Some("1.1.0".into()),
            role: Some("Root".into()),
            cert_uri: Some(format!("{}/cert", self.kms_uri)),
            kms_uri: self.kms_uri.clone(),
            issuer: Some(self.kms_uri.clone()),
            valid_from: None,
            valid_to: None,
            revoked: Some(false),
            user_id_format: USER_ID_FORMAT_UID.into(),
            key_period: self.key_period,
            pub_enc_key: self.public.to_bytes().to_vec(),
            pub_auth_key: self.kpak.to_bytes().to_vec(),
            parameter_set: Some(1),
            kms_domains: vec![],
        }
    }

    /// Provisions `user_uri` for key period `period_no`: the UID of F.2.1, and for it an
    /// SSK/PVT (RFC 6507 §5.1.1, v from `entropy`) and an RSK (RFC 6508 §6.1.1), as a key
    /// set (D.3.3) valid from the period's start to the next one's.
    ///
    /// # Errors
    /// When the UID cannot be derived, `entropy` gives no usable v, or the UID has no RSK
    /// under this KMS (probability about 2^-1020).
    pub fn provision(
        &self,
        user_uri: &str,
        period_no: u64,
        entropy: &mut dyn Entropy,
    ) -> Result<KmsKeySet, MikeySakkeError> {
        let uid = Uid::derive(
            user_uri.as_bytes(),
            self.kms_uri.as_bytes(),
            self.key_period,
            period_no,
        )?;
        let (ssk, pvt) = self.ksak.issue(uid.as_bytes(), entropy)?;
        let rsk = self.z.issue_rsk(&Identifier::new(uid.as_bytes())?)?;
        let time = |n: u64| self.key_period.start_of(n).map(xsd_date_time);
        Ok(KmsKeySet {
            version: Some("1.1.0".into()),
            kms_uri: self.kms_uri.clone(),
            cert_uri: Some(format!("{}/cert", self.kms_uri)),
            issuer: Some(self.kms_uri.clone()),
            user_uri: user_uri.to_string(),
            user_id: UserId::from_uid(uid),
            valid_from: time(period_no),
            valid_to: period_no.checked_add(1).and_then(time),
            key_period_no: period_no,
            revoked: Some(false),
            user_decrypt_key: rsk.to_bytes(),
            user_signing_key: ssk.to_bytes(),
            user_pub_token: pvt.to_bytes().to_vec(),
        })
    }

    /// The `KmsResponse` carrying the certificate (`KmsInit`, D.2.3) for `user_uri`, at
    /// `now` (since the Unix epoch).
    pub fn init_response(&self, user_uri: &str, now: Duration) -> KmsResponse {
        let init = KmsInit {
            version: Some("1.0.0".into()),
            xsi_type: None,
            certificate: self.certificate(),
        };
        self.response(user_uri, now, "init", KmsMessage::Init(Box::new(init)))
    }

    /// The `KmsResponse` carrying `key_sets` (`KmsKeyProv`, D.2.3) for `user_uri`.
    pub fn key_prov_response(
        &self,
        user_uri: &str,
        now: Duration,
        key_sets: Vec<KmsKeySet>,
    ) -> KmsResponse {
        let prov = KmsKeyProv {
            version: Some("1.0.0".into()),
            xsi_type: None,
            key_sets,
        };
        self.response(user_uri, now, "keyprov", KmsMessage::KeyProv(prov))
    }

    fn response(&self, user_uri: &str, now: Duration, req: &str, m: KmsMessage) -> KmsResponse {
        KmsResponse {
            id: None,
            user_uri: user_uri.to_string(),
            kms_uri: self.kms_uri.clone(),
            time: xsd_date_time(now),
            kms_id: None,
            client_req_url: format!("https://{}/keymanagement/identity/v1/{req}", self.kms_uri),
            message: Some(m),
            error: None,
            quirks: McxQuirks::default(),
        }
    }
}

/// `xsd:dateTime` in UTC (`YYYY-MM-DDThh:mm:ssZ`) of a time since the Unix epoch.
pub fn xsd_date_time(t: Duration) -> String {
    let secs = t.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        assert_eq!(xsd_date_time(Duration::ZERO), "1970-01-01T00:00:00Z");
        assert_eq!(
            xsd_date_time(Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            xsd_date_time(Duration::from_secs(1_764_892_800 + 3_723)),
            "2025-12-05T01:02:03Z"
        );
    }
}
