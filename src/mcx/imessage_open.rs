//! Opening a 3GPP MIKEY-SAKKE I_MESSAGE (TS 33.180 E.1 to E.4, RFC 6509 §2.1) as its
//! receiver, cheapest checks first:
//!
//! 1. parse (lenient, the quirks reported) and the typed view ([`IMessageView`]);
//! 2. shape: ECCSI signature of 129 octets, last in the message; SAKKE parameter set 1 with
//!    273 octets of encapsulated data (RFC 6509 §4);
//! 3. the timestamp within the allowed skew, and IDRr (and IDRkmsr) naming us;
//! 4. the sender's KMS (IDRkmsi) in the trusted set, or [`MikeySakkeError::UntrustedKms`];
//! 5. the ECCSI signature of the sender's UID under that KMS's KPAK (RFC 6507 §5.2.2), over
//!    the standard span (the message up to the signature field, RFC 3830 §5.2) or the span
//!    some shipped stacks sign (the payloads before SIGN, without its type and length
//!    octets), reported in [`OpenedIMessage::span`];
//! 6. only then the pairing: SAKKE decapsulation with our RSK and its re-encapsulation check
//!    (RFC 6508 §6.2.2);
//! 7. the key id (GMK-ID recovered from the GUK-ID with our URI, F.1.3), the key parameters
//!    of a type-7 extension (decrypted, E.6), and the SRTP parameters of the media (7.4).
//!
//! A message that fails at steps 1 to 5 costs no pairing and no F_p arithmetic.

use super::derive::gmk_id_from_guk_id;
use super::imessage::{IMessageView, Identity};
use super::key_id::{KeyId, PurposeTag};
use super::key_params::{KeyParameters, PlaintextForm};
use super::media;
use super::quirks::{McxQuirk, McxQuirks};
use super::sakke_error::MikeySakkeError;
use super::uid::Uid;
use super::user_keys::{KmsTrust, TrustedKms, UserKeys};
use crate::crypto::eccsi::{EccsiError, SIGNATURE_LEN};
use crate::crypto::sakke::{ENCAPSULATED_LEN, SSV_LEN};
use crate::crypto::SecretBytes;
use crate::srtp::SrtpParams;
use crate::wire::{Message, ParseOptions, SakkeParams, SignType, Timestamp};
use std::time::Duration;

/// What the ECCSI signature was found to cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureSpan {
    /// The message up to the signature field, SIGN's type and length included (RFC 3830
    /// §5.2, RFC 6509 §4.3): what this crate signs.
    Standard,
    /// The payloads before SIGN, without SIGN's type and length octets (shipped stacks).
    WithoutSignHeader,
}

/// The sender's identity as the message gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SenderId {
    /// A UID (roles 8, or 1 with 32 octets).
    Uid(Uid),
    /// A URI (role 1), whose UID was derived for the message's key period.
    Uri(String),
}

/// Settings of [`open`].
#[derive(Clone, Copy, Debug)]
pub struct OpenOptions {
    /// The time of reception, since the Unix epoch.
    pub now: Duration,
    /// The largest difference allowed between the timestamp and `now` (`None`: not checked,
    /// for stored messages and known-answer tests).
    pub max_skew: Option<Duration>,
}

impl OpenOptions {
    /// At `now`, with an allowed skew of 5 minutes (RFC 3830 §5.4 leaves the value to
    /// the implementation).
    pub fn at(now: Duration) -> Self {
        Self {
            now,
            max_skew: Some(Duration::from_secs(300)),
        }
    }

    /// Without the timestamp check (stored messages, known-answer vectors).
    pub fn any_time() -> Self {
        Self {
            now: Duration::ZERO,
            max_skew: None,
        }
    }
}

/// An opened I_MESSAGE: the key, its identifiers, and what was accepted.
#[derive(Clone, Debug)]
pub struct OpenedIMessage {
    /// The key's purpose (from the CSB ID's purpose tag).
    pub purpose: PurposeTag,
    /// The key (the SSV; secret).
    pub key: SecretBytes,
    /// The key's identifier: the GMK-ID for a GMK (recovered from the GUK-ID), the PCK-ID
    /// or CSK-ID otherwise.
    pub key_id: KeyId,
    /// The CSB ID (the GUK-ID for a GMK).
    pub csb_id: KeyId,
    /// RAND.
    pub rand: Vec<u8>,
    /// The timestamp.
    pub timestamp: Timestamp,
    /// The sender as named in IDRi.
    pub sender: SenderId,
    /// The UID the signature was verified for.
    pub sender_uid: Uid,
    /// The sender's KMS URI.
    pub sender_kms: String,
    /// Our URI (the receiver's, whose GUK-ID the CSB ID of a GMK message is).
    pub receiver_uri: String,
    /// What the signature covered.
    pub span: SignatureSpan,
    /// The key parameters of the type-7 extension and their framing (`None` for the
    /// clear legacy form).
    pub key_params: Option<(KeyParameters, Option<PlaintextForm>)>,
    /// What was accepted that TS 33.180 does not allow.
    pub quirks: McxQuirks,
}

impl OpenedIMessage {
    /// The SRTP parameters of our own media (7.4): for a GMK the CSB ID is our GUK-ID
    /// (7.4.2), for a PCK the PCK-ID (7.4.1). `cs_id` is the CS-ID of Table E.1.3-1.
    ///
    /// # Errors
    /// When the key is a CSK (no media) or the derivation fails.
    pub fn srtp(&self, cs_id: u8) -> Result<SrtpParams, MikeySakkeError> {
        match self.purpose {
            PurposeTag::Gmk => self.group_srtp_of(&self.receiver_uri, cs_id),
            PurposeTag::Pck => Ok(media::private_srtp(
                self.key.as_bytes(),
                self.key_id,
                &self.rand,
                cs_id,
            )?),
            _ => Err(MikeySakkeError::Unsupported {
                field: "key purpose",
                expected: "GMK or PCK for media",
            }),
        }
    }

    /// For a GMK: the SRTP parameters of the media another member, `sender_uri`, sends
    /// (7.4.2, that member's GUK-ID).
    ///
    /// # Errors
    /// When the key is not a GMK.
    pub fn group_srtp_of(
        &self,
        sender_uri: &str,
        cs_id: u8,
    ) -> Result<SrtpParams, MikeySakkeError> {
        if self.purpose != PurposeTag::Gmk {
            return Err(MikeySakkeError::Unsupported {
                field: "key purpose",
                expected: "GMK",
            });
        }
        Ok(media::group_srtp(
            self.key.as_bytes(),
            self.key_id,
            sender_uri.as_bytes(),
            &self.rand,
            cs_id,
        )?)
    }
}

fn unsupported(field: &'static str, expected: &'static str) -> MikeySakkeError {
    MikeySakkeError::Unsupported { field, expected }
}

/// Step 2: the shape of SIGN and SAKKE.
pub(crate) fn check_shape(v: &IMessageView<'_, '_>, bytes: &[u8]) -> Result<(), MikeySakkeError> {
    if v.sign.sign_type != SignType::Eccsi || v.sign.signature.len() != SIGNATURE_LEN {
        return Err(unsupported("SIGN", "an ECCSI signature of 129 octets"));
    }
    if !bytes.ends_with(&v.sign.signature) {
        return Err(unsupported("SIGN", "the last payload"));
    }
    if v.sakke.params != SakkeParams::Set1 || v.sakke.data.len() != ENCAPSULATED_LEN {
        return Err(unsupported("SAKKE", "parameter set 1, 273 octets"));
    }
    Ok(())
}

/// Step 3: the time (when `opts` says so).
fn check_time(v: &IMessageView<'_, '_>, opts: &OpenOptions) -> Result<(), MikeySakkeError> {
    if let Some(skew) = opts.max_skew {
        let t = v.timestamp.to_unix().ok_or(MikeySakkeError::Timestamp)?;
        if t.abs_diff(opts.now) > skew {
            return Err(MikeySakkeError::Timestamp);
        }
    }
    Ok(())
}

/// Step 3: IDRr (and IDRkmsr, when present) name `me`.
pub(crate) fn check_addressee(
    v: &IMessageView<'_, '_>,
    me: &UserKeys,
) -> Result<(), MikeySakkeError> {
    let for_us = match v.responder.id {
        Identity::Uid(u) => u == me.uid(),
        Identity::Uri(u) => u == me.user_uri(),
    };
    if !for_us || v.kms_responder.is_some_and(|k| k != me.kms().uri()) {
        return Err(MikeySakkeError::NotForUs);
    }
    Ok(())
}

/// Step 4: the sender's KMS (IDRkmsi; ours when absent) in `trust`, and the sender's UID
/// (a URI's UID is derived for the key period of the message's time).
pub(crate) fn sender_of<'t>(
    v: &IMessageView<'_, '_>,
    me: &UserKeys,
    trust: &'t KmsTrust,
) -> Result<(SenderId, Uid, &'t TrustedKms), MikeySakkeError> {
    let sender_kms = v.kms_initiator.unwrap_or(me.kms().uri());
    let kms = trust.get(sender_kms)?;
    Ok(match v.initiator.id {
        Identity::Uid(u) => (SenderId::Uid(u), u, kms),
        Identity::Uri(s) => {
            let t = v.timestamp.to_unix().ok_or(MikeySakkeError::Timestamp)?;
            let (uid, _) = Uid::derive_at(s.as_bytes(), kms.uri().as_bytes(), kms.key_period(), t)?;
            (SenderId::Uri(s.to_string()), uid, kms)
        }
    })
}

/// Step 5: the signature, over either span, for the UID (or its hex text).
pub(crate) fn verify(
    v: &IMessageView<'_, '_>,
    bytes: &[u8],
    kms: &TrustedKms,
    uid: &Uid,
    quirks: &mut McxQuirks,
) -> Result<SignatureSpan, MikeySakkeError> {
    let end = bytes.len().saturating_sub(SIGNATURE_LEN);
    let spans = [
        (SignatureSpan::Standard, &bytes[..end]),
        (
            SignatureSpan::WithoutSignHeader,
            &bytes[..end.saturating_sub(2)],
        ),
    ];
    let hex = uid.hex_text();
    for (id, hex_id) in [(&uid.0[..], false), (hex.as_bytes(), true)] {
        for (span, signed) in spans {
            if kms.kpak().verify(id, signed, &v.sign.signature).is_ok() {
                if hex_id {
                    quirks.insert(McxQuirk::KmsUserIdHexText);
                }
                return Ok(span);
            }
        }
    }
    Err(EccsiError::BadSignature.into())
}

/// Opens `bytes` as `me` (see the [module docs](self)).
///
/// # Errors
/// [`MikeySakkeError`] naming the first check that failed.
pub fn open(
    bytes: &[u8],
    me: &UserKeys,
    trust: &KmsTrust,
    opts: &OpenOptions,
) -> Result<OpenedIMessage, MikeySakkeError> {
    let (msg, wire_quirks) = Message::parse_with(bytes, ParseOptions::LENIENT)?;
    let v = IMessageView::new(&msg, wire_quirks)?;
    check_shape(&v, bytes)?;
    check_time(&v, opts)?;
    check_addressee(&v, me)?;
    let (sender, sender_uid, kms) = sender_of(&v, me, trust)?;
    let mut quirks = v.quirks;
    let span = verify(&v, bytes, kms, &sender_uid, &mut quirks)?;
    let signed = Signed {
        sender,
        sender_uid,
        sender_kms: kms.uri().to_string(),
        span,
        quirks,
    };
    recover(&v, me, signed)
}

/// Who signed an I_MESSAGE, as the signature check (step 5) found; what the engine's
/// [`Sakke`](crate::session::sakke::Sakke) mode passes from authentication to key recovery.
pub struct Signed {
    pub(crate) sender: SenderId,
    pub(crate) sender_uid: Uid,
    pub(crate) sender_kms: String,
    pub(crate) span: SignatureSpan,
    pub(crate) quirks: McxQuirks,
}

/// Steps 6 and 7: the pairing, the key id and the key parameters.
pub(crate) fn recover(
    v: &IMessageView<'_, '_>,
    me: &UserKeys,
    s: Signed,
) -> Result<OpenedIMessage, MikeySakkeError> {
    let key = me.receiver().decapsulate(&v.sakke.data)?;
    if key.len() != SSV_LEN {
        return Err(unsupported("SSV", "128 bits"));
    }
    let csb_id = v.key_id;
    let purpose = csb_id.purpose();
    let key_id = match purpose {
        PurposeTag::Gmk => gmk_id_from_guk_id(key.as_bytes(), csb_id, me.user_uri().as_bytes())?,
        _ => csb_id,
    };
    let key_params = match v.key_params() {
        Some(ext) => Some(ext?.key_parameters(key.as_bytes())?),
        None => None,
    };
    Ok(OpenedIMessage {
        purpose,
        key,
        key_id,
        csb_id,
        rand: v.rand.to_vec(),
        timestamp: v.timestamp,
        sender: s.sender,
        sender_uid: s.sender_uid,
        sender_kms: s.sender_kms,
        receiver_uri: me.user_uri().to_string(),
        span: s.span,
        key_params,
        quirks: s.quirks,
    })
}
