//! Opening a public-key I_MESSAGE for diagnostics, without a responder's state.

use super::parts::PkParts;
use crate::bundle::CryptoSessionBundle;
use crate::crypto::{self, CryptoProvider, MacKind, MessageKeys, RsaPrivate};
use crate::session::common::{cipher_of, mac_of, pk_kemac_mac_input, prf_of, verify_signature};
use crate::session::psk::decrypt_key_list;
use crate::session::SessionError;
use crate::wire::{CacheType, DataType, Id, MessageView, PayloadBody};

/// A public-key I_MESSAGE opened with [`open_pk_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkOpened {
    /// The bundle the message describes (its keys decrypted).
    pub bundle: CryptoSessionBundle,
    /// `Some(true)` when SIGN verified with the key of the message's first CERT,
    /// `Some(false)` when it did not, `None` when the message has no certificate to check
    /// it with.
    pub signature_verified: Option<bool>,
    /// Whether the KEMAC MAC (RFC 3830 §5.2) verified (false for a NULL MAC).
    pub mac_verified: bool,
    /// The identity inside the KEMAC (the initiator's, RFC 3830 §3.2).
    pub encrypted_id: Option<Id<'static>>,
    /// The envelope key cache indicator (RFC 3830 Table 6.3).
    pub cache: CacheType,
}

/// Opens a public-key I_MESSAGE addressed to `key` for diagnostics (`mikey decode
/// --private-key`), without timestamp, replay or trust checks: checks SIGN with the public
/// key of the message's first CERT when there is one (RFC 3830 §5.2), decrypts the envelope
/// key (RFC 3830 §3.2), verifies the KEMAC MAC unless `verify` is false, decrypts the key
/// data. A certificate found in the message proves nothing about who sent it.
pub fn open_pk_message(
    view: &MessageView<'_>,
    key: &dyn RsaPrivate,
    provider: &dyn CryptoProvider,
    rand: Option<&[u8]>,
    verify: bool,
) -> Result<PkOpened, SessionError> {
    let h = view.header();
    if h.data_type != DataType::PkInit {
        return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
    }
    let p = PkParts::collect(view)?;
    let signature_verified = p.certs.first().map(|c| {
        crate::session::trust::spki_of_cert(c)
            .ok()
            .and_then(|spki| provider.rsa_public_from_der(&spki).ok())
            .is_some_and(|k| {
                verify_signature(view.as_bytes(), &p.sign, k.as_ref(), true, None).is_ok()
            })
    });
    if verify && signature_verified == Some(false) {
        return Err(SessionError::AuthFailure);
    }
    let rand = p
        .rand
        .clone()
        .or_else(|| rand.map(<[u8]>::to_vec))
        .unwrap_or_default();
    let cipher = cipher_of(p.kemac.encr_alg, true)?;
    let mac_kind = mac_of(p.kemac.mac_alg, true)?;
    let env = key
        .decrypt_pkcs1v15(&p.pke.data)
        .map_err(|_| SessionError::AuthFailure)?;
    let keys = MessageKeys::derive(
        prf_of(h.prf)?,
        env.as_bytes(),
        h.csb_id,
        &rand,
        cipher,
        mac_kind,
    );
    let kbytes = &view.as_bytes()[p.kemac_off..p.kemac_off + p.kemac.encoded_len()];
    let mac_verified = mac_kind != MacKind::Null
        && crypto::kemac::verify_mac(
            mac_kind,
            keys.auth.as_bytes(),
            &pk_kemac_mac_input(kbytes, p.kemac.mac.len()),
            &p.kemac.mac,
        );
    if verify && mac_kind != MacKind::Null && !mac_verified {
        return Err(SessionError::AuthFailure);
    }
    let (encrypted_id, new_keys) = decrypt_key_list(cipher, &keys, h.csb_id, &p.t, &p.kemac, true)?;
    let mut bundle = CryptoSessionBundle::new(h.csb_id, h.prf, rand);
    bundle.update(Some(h.cs_map.clone().into_owned()), p.policies, new_keys);
    Ok(PkOpened {
        bundle,
        signature_verified,
        mac_verified,
        encrypted_id,
        cache: p.pke.cache,
    })
}
