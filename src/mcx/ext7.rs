//! The 3GPP key-parameters general extension (type 7) of a MIKEY-SAKKE I_MESSAGE
//! (TS 33.180 E.6): its current protected form (E.6.1, clause 8.5.4) and the older
//! unencrypted form some deployments still send (Streamwide's "legacy IWF" message,
//! SmartMS), read from a parsed [`GeneralExtension`].
//!
//! The legacy form is the key-parameters content in clear, with the key type numbered
//! from 1 (GMK = 1, PCK = 2, CSK = 3) where E.6.11 numbers from 0. It is told apart from
//! the protected form by its first octet: a protected payload's message type has the
//! encryption bit 0x40 set; a legacy key type is 1, 2 or 3.

use super::error::McxError;
use super::key_id::PurposeTag;
use super::key_params::{KeyParameters, PlaintextForm};
use super::protected::{ProtectedFields, ProtectedPayload};
use crate::crypto::Entropy;
use crate::wire::{GenExtType, GeneralExtension};
use std::borrow::Cow;

/// The content of a type-7 general extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyParamsExt<'a> {
    /// The protected payload of E.6.1 (decrypt with [`ProtectedPayload::open`]).
    Protected(ProtectedPayload<'a>),
    /// The older unencrypted form; the key type is already renumbered as E.6.11 does it.
    Legacy(KeyParameters),
}

impl<'a> KeyParamsExt<'a> {
    /// Reads a general extension of type 7; `None` for other types.
    pub fn from_ext(ext: &'a GeneralExtension<'_>) -> Option<Result<Self, McxError>> {
        (ext.ext_type == GenExtType::Mcx).then(|| Self::parse(&ext.data))
    }

    /// Reads the data of a type-7 general extension.
    pub fn parse(data: &'a [u8]) -> Result<Self, McxError> {
        match data.first() {
            Some(&t @ 1..=3) => {
                let mut kp = KeyParameters::parse_content(data, 0)?;
                kp.key_type = PurposeTag::from_code(t - 1);
                Ok(KeyParamsExt::Legacy(kp))
            }
            _ => Ok(KeyParamsExt::Protected(ProtectedPayload::parse(data)?)),
        }
    }

    /// Whether this is the legacy unencrypted form.
    pub fn is_legacy(&self) -> bool {
        matches!(self, KeyParamsExt::Legacy(_))
    }

    /// The key parameters: decrypted with the distributed key (GMK, PCK, CSK, ...) for
    /// the protected form, as read for the legacy form. Also says how the plaintext was
    /// framed (`None` for the legacy form).
    pub fn key_parameters(
        &self,
        distributed_key: &[u8],
    ) -> Result<(KeyParameters, Option<PlaintextForm>), McxError> {
        match self {
            KeyParamsExt::Legacy(kp) => Ok((kp.clone(), None)),
            KeyParamsExt::Protected(p) => {
                let plain = p.open(distributed_key)?;
                let (kp, form) = KeyParameters::parse(plain.as_bytes())?;
                Ok((kp, Some(form)))
            }
        }
    }
}

/// Builds the type-7 general extension of E.6.1: `params` in `form` ([`PlaintextForm::STANDARD`]
/// for the specified framing, [`PlaintextForm::Bare`] for what deployed stacks read), protected with the
/// distributed key under `fields` (DPPK-ID = the CSB ID), a fresh IV from `entropy`.
pub fn build(
    params: &KeyParameters,
    form: PlaintextForm,
    fields: ProtectedFields,
    distributed_key: &[u8],
    entropy: &mut impl Entropy,
) -> Result<GeneralExtension<'static>, McxError> {
    let plain = zeroize::Zeroizing::new(params.encode(form)?);
    let p = ProtectedPayload::seal(fields, distributed_key, &plain, entropy)?;
    Ok(GeneralExtension {
        ext_type: GenExtType::Mcx,
        data: Cow::Owned(p.encode()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcx::KeyId;

    #[test]
    fn built_extensions_read_back() {
        let kp = KeyParameters::new(PurposeTag::Pck, 1, 2, 3);
        let form = PlaintextForm::STANDARD;
        let fields = ProtectedFields::key_parameters(0x43, 0, KeyId::new(0x16992638));
        let mut e = |b: &mut [u8]| b.fill(3);
        let ext = build(&kp, form, fields, &[9; 16], &mut e).unwrap();
        let k = KeyParamsExt::from_ext(&ext).unwrap().unwrap();
        assert!(!k.is_legacy());
        assert_eq!(k.key_parameters(&[9; 16]).unwrap(), (kp, Some(form)));
        let other = GeneralExtension::csb_id(1);
        assert!(KeyParamsExt::from_ext(&other).is_none());
    }
}
