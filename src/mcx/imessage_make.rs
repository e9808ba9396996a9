//! Making a 3GPP MIKEY-SAKKE I_MESSAGE (TS 33.180 E.2 GMK, E.3 PCK, E.4 CSK; RFC 6509 §2.1):
//! the unsigned part ([`imessage_build`](super::imessage_build)), the SAKKE payload that
//! encapsulates the key as the SSV to the receiver's UID under the receiver's KMS public key
//! (RFC 6508 §6.2.1), the optional protected key parameters (type 7, E.6), and the ECCSI
//! signature of the sender (RFC 6507 §5.2.1) over the message up to the signature field
//! (RFC 3830 §5.2: HDR to SIGN's length, the standard span).
//!
//! The CSB ID is the key's identifier: the GUK-ID derived from the GMK-ID and the
//! receiver's URI for a GMK (F.1.3), the PCK-ID or CSK-ID otherwise. IDRi and IDRr carry
//! the UIDs (roles 8/9, E.7), IDRkmsi and IDRkmsr the KMS URIs of each side.
//!
//! ```
//! # use mikey::mcx::kms_server::Kms;
//! # use mikey::mcx::user_keys::{KmsTrust, UserKeys};
//! # use mikey::mcx::{KeyId, KeyPeriod, PurposeTag};
//! use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
//! use mikey::mcx::imessage_open::{open, OpenOptions};
//! # let mut rng = mikey::crypto::OsEntropy;
//! # let period = KeyPeriod { length: 2_592_000, offset: 0 };
//! # let kms = Kms::generate("kms.example.org", period, &mut rng).unwrap();
//! # let mut trust = KmsTrust::new();
//! # let kms_cert = trust.add(kms.certificate()).unwrap();
//! # let alice = UserKeys::load(&kms.certificate(), &kms.provision("sip:alice@example.org", 7, &mut rng).unwrap()).unwrap();
//! # let bob = UserKeys::load(&kms.certificate(), &kms.provision("sip:bob@example.org", 7, &mut rng).unwrap()).unwrap();
//! let now = std::time::Duration::from_secs(1_764_892_800);
//! let pck = DistributedKey::new(PurposeTag::Pck, [0x42; 16], KeyId::new(0x1000_0001)).unwrap();
//! let to_bob = Recipient { uri: "sip:bob@example.org".into(), kms: &kms_cert, period_no: 7 };
//! let bytes = make(&alice, &to_bob, &pck, &MakeOptions::new(now, [9; 16]), &mut rng).unwrap();
//! let opened = open(&bytes, &bob, &trust, &OpenOptions::at(now)).unwrap();
//! assert_eq!(opened.key.as_bytes(), &[0x42; 16]);
//! assert_eq!(opened.key_id, KeyId::new(0x1000_0001));
//! ```

use super::derive::guk_id;
use super::ext7;
use super::imessage_build::{IMessageFields, IdentityField};
use super::key_id::{KeyId, PurposeTag};
use super::key_params::{KeyParameters, PlaintextForm};
use super::protected::ProtectedFields;
use super::sakke_error::MikeySakkeError;
use super::uid::Uid;
use super::user_keys::{TrustedKms, UserKeys};
use crate::crypto::eccsi::SIGNATURE_LEN;
use crate::crypto::sakke::{Identifier, SSV_LEN};
use crate::crypto::{Entropy, SecretBytes};
use crate::wire::{
    CsIdMap, SakkeIdScheme, SakkeParams, SakkePayload, SecurityPolicy, SignType, Timestamp,
};
use std::borrow::Cow;
use std::time::Duration;

/// The SAKKE identifier scheme 3GPP I_MESSAGEs carry (value 2, not in RFC 6509's table;
/// every message in `testvectors/` has it).
pub const ID_SCHEME_3GPP: u8 = 2;

/// The message type octet of the type-7 protected payload this module writes (the value
/// of the Streamwide reference messages).
pub const KEY_PARAMS_MESSAGE_TYPE: u8 = 0x43;

/// A key to distribute: GMK, PCK or CSK (128 bits, the SSV of RFC 6509 §3.1) with its
/// identifier (GMK-ID, PCK-ID, CSK-ID) carrying the matching purpose tag.
#[derive(Clone, Debug)]
pub struct DistributedKey {
    purpose: PurposeTag,
    key: SecretBytes,
    key_id: KeyId,
}

impl DistributedKey {
    /// Checks that `purpose` is GMK, PCK or CSK and that `key_id` carries it.
    ///
    /// # Errors
    /// [`MikeySakkeError::Unsupported`] otherwise.
    pub fn new(
        purpose: PurposeTag,
        key: [u8; SSV_LEN],
        key_id: KeyId,
    ) -> Result<Self, MikeySakkeError> {
        if !matches!(purpose, PurposeTag::Gmk | PurposeTag::Pck | PurposeTag::Csk) {
            return Err(MikeySakkeError::Unsupported {
                field: "key purpose",
                expected: "GMK, PCK or CSK",
            });
        }
        if key_id.purpose() != purpose {
            return Err(MikeySakkeError::Unsupported {
                field: "key id",
                expected: "the purpose tag of the key",
            });
        }
        Ok(Self {
            purpose,
            key: SecretBytes::from_slice(&key),
            key_id,
        })
    }

    /// A fresh key and identifier from `entropy`.
    ///
    /// # Errors
    /// As [`DistributedKey::new`].
    pub fn generate(
        purpose: PurposeTag,
        entropy: &mut dyn Entropy,
    ) -> Result<Self, MikeySakkeError> {
        let mut key = [0u8; SSV_LEN];
        entropy.fill(&mut key);
        let mut r = [0u8; 4];
        entropy.fill(&mut r);
        let id = KeyId::from_parts(purpose, u32::from_be_bytes(r) & 0x0fff_ffff)?;
        let k = Self::new(purpose, key, id);
        zeroize::Zeroize::zeroize(&mut key);
        k
    }

    /// The purpose.
    pub fn purpose(&self) -> PurposeTag {
        self.purpose
    }

    /// The key (secret).
    pub fn key(&self) -> &SecretBytes {
        &self.key
    }

    /// The identifier (GMK-ID, PCK-ID or CSK-ID).
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The CSB ID of the I_MESSAGE to `receiver_uri`: the GUK-ID for a GMK, the key id
    /// otherwise.
    ///
    /// # Errors
    /// When the GUK-ID cannot be derived.
    pub fn csb_id(&self, receiver_uri: &str) -> Result<KeyId, MikeySakkeError> {
        match self.purpose {
            PurposeTag::Gmk => Ok(guk_id(
                self.key.as_bytes(),
                self.key_id,
                receiver_uri.as_bytes(),
            )?),
            _ => Ok(self.key_id),
        }
    }
}

/// The receiver of an I_MESSAGE: URI, KMS (from the sender's trusted set) and key period
/// number, which give its UID (F.2.1).
#[derive(Clone, Debug)]
pub struct Recipient<'k> {
    /// The receiver's URI.
    pub uri: String,
    /// The receiver's KMS.
    pub kms: &'k TrustedKms,
    /// The receiver's key period number (the period of the message's time).
    pub period_no: u64,
}

impl Recipient<'_> {
    /// The receiver's UID.
    ///
    /// # Errors
    /// When it cannot be derived.
    pub fn uid(&self) -> Result<Uid, MikeySakkeError> {
        Ok(Uid::derive(
            self.uri.as_bytes(),
            self.kms.uri().as_bytes(),
            self.kms.key_period(),
            self.period_no,
        )?)
    }

    /// The SAKKE identifier of the receiver: its UID's octets, or their hex text when its
    /// KMS issues keys for that ([`TrustedKms::hex_text_user_ids`]).
    ///
    /// # Errors
    /// When the UID cannot be derived.
    pub fn identifier(&self) -> Result<Vec<u8>, MikeySakkeError> {
        let uid = self.uid()?;
        Ok(match self.kms.hex_text_user_ids() {
            true => uid.hex_text().into_bytes(),
            false => uid.0.to_vec(),
        })
    }
}

/// The rest of an I_MESSAGE: time, RAND, key parameters, security policies.
#[derive(Clone, Debug)]
pub struct MakeOptions {
    /// The time of the message (NTP-UTC timestamp), since the Unix epoch.
    pub now: Duration,
    /// RAND (16 octets; a GMS uses one RAND per GMK for every member, as the GMK-RAND of
    /// the Streamwide vectors).
    pub rand: Vec<u8>,
    /// The key parameters to send protected in a type-7 extension (E.6), and their framing.
    pub key_params: Option<(KeyParameters, PlaintextForm)>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
}

impl MakeOptions {
    /// At `now` with `rand`, no key parameters, no SP.
    pub fn new(now: Duration, rand: [u8; 16]) -> Self {
        Self {
            now,
            rand: rand.to_vec(),
            key_params: None,
            policies: vec![],
        }
    }
}

/// Makes the I_MESSAGE that carries `key` from `sender` to `to` (see the [module
/// docs](self)); `entropy` gives the ECCSI ephemeral and the type-7 IV.
///
/// # Errors
/// When a field is too long, the key parameters cannot be encoded, the receiver's
/// identifier is out of range, or `entropy` gives no usable value.
pub fn make(
    sender: &UserKeys,
    to: &Recipient<'_>,
    key: &DistributedKey,
    opts: &MakeOptions,
    entropy: &mut dyn Entropy,
) -> Result<Vec<u8>, MikeySakkeError> {
    let csb_id = key.csb_id(&to.uri)?;
    let uid = to.uid()?;
    let mut ssv = [0u8; SSV_LEN];
    ssv.copy_from_slice(key.key.as_bytes());
    let data = to
        .kms
        .public_key()
        .encapsulate(&Identifier::new(&to.identifier()?)?, &ssv);
    zeroize::Zeroize::zeroize(&mut ssv);
    let data = data?;
    let timestamp = Timestamp::from_unix(opts.now);
    let mut fill = |b: &mut [u8]| entropy.fill(b);
    let extensions = match &opts.key_params {
        Some((kp, form)) => {
            // The protected payload's 5-octet date and time: the NTP seconds' low 40 bits.
            let fields = ProtectedFields::key_parameters(
                KEY_PARAMS_MESSAGE_TYPE,
                (timestamp.value >> 32) & 0xff_ffff_ffff,
                csb_id,
            );
            vec![ext7::build(
                kp,
                *form,
                fields,
                key.key.as_bytes(),
                &mut fill,
            )?]
        }
        None => vec![],
    };
    let fields = IMessageFields {
        key_id: csb_id,
        cs_map: CsIdMap::Empty { count: 0 },
        timestamp,
        rand: opts.rand.clone(),
        initiator: IdentityField::Uid(sender.uid().0),
        responder: IdentityField::Uid(uid.0),
        kms_initiator: Some(sender.kms().uri().to_string()),
        kms_responder: Some(to.kms.uri().to_string()),
        policies: opts.policies.iter().map(|p| p.borrowed()).collect(),
        sakke: SakkePayload {
            params: SakkeParams::Set1,
            id_scheme: SakkeIdScheme::Unknown(ID_SCHEME_3GPP),
            data: Cow::Borrowed(data.as_bytes()),
        },
        extensions,
    };
    let unsigned = fields.unsigned()?;
    let signed_part = unsigned.to_be_signed(SignType::Eccsi, SIGNATURE_LEN)?;
    let signature = sender.signer().sign(&signed_part, &mut fill)?;
    Ok(unsigned.append_sign(SignType::Eccsi, &signature)?)
}
