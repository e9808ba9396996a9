//! Opening a PSK I_MESSAGE for diagnostics, without a responder's state.

use super::decrypt_keys;
use crate::bundle::CryptoSessionBundle;
use crate::crypto::{self, MacKind, MessageKeys};
use crate::session::common::{cipher_of, mac_of, prf_of};
use crate::session::SessionError;
use crate::wire::{CsIdMap, MessageView, Payload, Quirk, SecurityPolicy, SrtpIdMap};

/// A PSK I_MESSAGE opened with [`open_psk_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The bundle the message describes (its keys decrypted).
    pub bundle: CryptoSessionBundle,
    /// Whether a MAC was present and verified (false for a NULL MAC or when not checked).
    pub mac_verified: bool,
}

/// Opens a PSK I_MESSAGE for diagnostics (`mikey decode --psk`), without the responder's
/// timestamp and replay checks: derives the message keys (RFC 3830 §4.1.4), verifies the
/// MAC unless `verify` is false, decrypts the KEMAC. `rand` replaces a missing RAND (for
/// update messages, the RAND of the first exchange).
pub fn open_psk_message(
    view: &MessageView<'_>,
    psk: &[u8],
    rand: Option<&[u8]>,
    verify: bool,
) -> Result<Opened, SessionError> {
    let h = view.header();
    let t = view
        .payloads()
        .find_map(|p| if let Payload::T(t) = p { Some(t) } else { None })
        .ok_or_else(|| SessionError::MissingPayload("T"))?;
    let own_rand = view.payloads().find_map(|p| {
        if let Payload::Rand(r) = p {
            Some(r.rand.to_vec())
        } else {
            None
        }
    });
    let rand = own_rand
        .or_else(|| rand.map(<[u8]>::to_vec))
        .unwrap_or_default();
    let policies: Vec<SecurityPolicy<'static>> = view
        .payloads()
        .filter_map(|p| {
            if let Payload::Sp(s) = p {
                Some(s.into_owned())
            } else {
                None
            }
        })
        .collect();
    let (_, kemac) = view
        .kemac()
        .ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
    let cipher = cipher_of(kemac.encr_alg, true)?;
    let mac_kind = mac_of(kemac.mac_alg, true)?;
    let keys = MessageKeys::derive(prf_of(h.prf)?, psk, h.csb_id, &rand, cipher, mac_kind);
    let msg = view.as_bytes();
    let mac_verified = mac_kind != MacKind::Null
        && crypto::kemac::verify_mac(
            mac_kind,
            keys.auth.as_bytes(),
            &msg[..msg.len() - kemac.mac.len()],
            &kemac.mac,
        );
    if verify && mac_kind != MacKind::Null && !mac_verified {
        return Err(SessionError::AuthFailure);
    }
    let new_keys = decrypt_keys(cipher, &keys, h.csb_id, &t, &kemac)?;
    let mut bundle = CryptoSessionBundle {
        csb_id: h.csb_id,
        prf: h.prf,
        rand,
        cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
        policies: Vec::new(),
        keys: Vec::new(),
        gstreamer_auth_key_len: view.quirks().contains(Quirk::SrtpAuthKeyLen10),
    };
    bundle.update(Some(h.cs_map.clone().into_owned()), policies, new_keys);
    Ok(Opened {
        bundle,
        mac_verified,
    })
}
