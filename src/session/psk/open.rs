//! Opening a PSK I_MESSAGE for diagnostics, without a responder's state.

use super::decrypt_keys;
use crate::bundle::CryptoSessionBundle;
use crate::crypto::{self, MacKind, MessageKeys};
use crate::session::common::{cipher_of, mac_of, prf_of};
use crate::session::SessionError;
use crate::wire::{MessageView, Payload, Quirk, SecurityPolicy};

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
        .walk()
        .find_map(|p| p.timestamp())
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
    let mut bundle = CryptoSessionBundle::new(h.csb_id, h.prf, rand);
    bundle.gstreamer_auth_key_len = view.quirks().contains(Quirk::SrtpAuthKeyLen10);
    bundle.update(Some(h.cs_map.clone().into_owned()), policies, new_keys);
    Ok(Opened {
        bundle,
        mac_verified,
    })
}

/// Checks a PSK verification message (RFC 3830 §3.1) answering `i_message`, for
/// diagnostics (`mikey decode --psk` on an input with both): its T echoes the I_MESSAGE's,
/// and its V MAC, with the auth key derived from `psk` (§4.1.4), covers the message, IDi,
/// IDr and that T (§5.2). IDi and IDr are the I_MESSAGE's first and second ID payloads.
/// `rand` replaces a missing RAND in `i_message`, as in [`open_psk_message`]. No replay
/// or state check; [`SessionError::AuthFailure`] when V does not verify.
pub fn verify_psk_response(
    i_message: &MessageView<'_>,
    response: &MessageView<'_>,
    psk: &[u8],
    rand: Option<&[u8]>,
) -> Result<(), SessionError> {
    let h = i_message.header();
    let mut t = None;
    let mut own_rand = None;
    let mut ids: Vec<Vec<u8>> = Vec::new();
    for p in i_message.payloads() {
        match p {
            Payload::T(x) if t.is_none() => t = Some(x),
            Payload::Rand(r) if own_rand.is_none() => own_rand = Some(r.rand.to_vec()),
            Payload::Id(id) => ids.push(id.data.to_vec()),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| SessionError::MissingPayload("T"))?;
    let rand: Vec<u8> = own_rand
        .or_else(|| rand.map(<[u8]>::to_vec))
        .unwrap_or_default();
    let (_, kemac) = i_message
        .kemac()
        .ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
    // The KEMAC's algorithms must be known; only auth_key checks the response (§5.2).
    cipher_of(kemac.encr_alg, true)?;
    let mac_kind = mac_of(kemac.mac_alg, true)?;
    let key = crypto::PrfKey::new(prf_of(h.prf)?, psk);
    let auth = MessageKeys::derive_auth_with(&key, h.csb_id, &rand, mac_kind).auth;
    let cs_map = h.cs_map.clone().into_owned();
    crate::session::common::check_response(
        response,
        &crate::session::common::ResponseCheck {
            csb_id: h.csb_id,
            t,
            ver_type: crate::wire::DataType::PskResp,
            auth_key: &crypto::MacKey::new(mac_kind, auth),
            mac: kemac.mac_alg,
            id_i: ids.first().map_or(&[], Vec::as_slice),
            id_r: ids.get(1).map_or(&[], Vec::as_slice),
            cs_map: &cs_map,
        },
    )
    .map(|_| ())
}
