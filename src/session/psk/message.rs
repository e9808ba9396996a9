//! Building a PSK I_MESSAGE (RFC 3830 §3.1) and decrypting a KEMAC's key data (§4.2.3).

use crate::bundle::{encode_keys, TransportKey};
use crate::crypto::{self, KemacCipher, MacKey, MacKind, MessageKeys, PrfKey, SecretBytes};
use crate::session::common::{cipher_of, mac_of, mac_placeholder, prf_of};
use crate::session::engine::Weakness;
use crate::session::SessionError;
use crate::wire::kemac::field as kemac_field;
use crate::wire::{
    CsIdMap, DataType, EncrAlg, Header, Id, IdType, Kemac, KeyDataList, MacAlg, PayloadBody,
    PayloadType, PrfFunc, Rand, SecurityPolicy, Timestamp,
};
use std::borrow::Cow;

/// What a PSK I_MESSAGE carries besides its keys (RFC 3830 §3.1): everything borrowed, so a
/// group controller builds one message per member from the group's shared settings.
pub(crate) struct IMessage<'a> {
    pub csb_id: u32,
    pub prf: PrfFunc,
    pub encr: EncrAlg,
    pub mac: MacAlg,
    pub v: bool,
    /// The CSB's RAND (keys are derived from it, RFC 3830 §4.1.4).
    pub rand: &'a [u8],
    /// Send a RAND payload (initial message; updates carry none, §4.5).
    pub send_rand: bool,
    /// IDi and IDr (type, data), when sent.
    pub id_i: Option<(IdType, &'a [u8])>,
    pub id_r: Option<(IdType, &'a [u8])>,
    pub policies: &'a [SecurityPolicy<'static>],
    pub cs_map: &'a CsIdMap<'static>,
}

/// The key data a KEMAC carries (RFC 3830 §6.2, §6.13): already encoded (a group sends the
/// same to every member), or keys encoded straight into the message.
#[derive(Clone, Copy)]
pub(crate) enum Plain<'a> {
    /// An encoded key data chain.
    Encoded(&'a [u8]),
    /// Keys to encode.
    Keys(&'a [TransportKey]),
}

impl Plain<'_> {
    fn len(self) -> usize {
        match self {
            Plain::Encoded(p) => p.len(),
            Plain::Keys(k) => k.iter().map(|k| k.to_key_data().encoded_len()).sum(),
        }
    }

    fn write(self, out: &mut Vec<u8>) -> Result<(), crate::wire::EncodeError> {
        match self {
            Plain::Encoded(p) => {
                out.extend_from_slice(p);
                Ok(())
            }
            Plain::Keys(k) => crate::wire::key_data::encode_chain(
                None,
                k.iter().map(TransportKey::to_key_data),
                out,
            ),
        }
    }

    fn encoded(self) -> Result<SecretBytes, crate::wire::EncodeError> {
        match self {
            Plain::Encoded(p) => Ok(SecretBytes::from_slice(p)),
            Plain::Keys(k) => encode_keys(k, None),
        }
    }
}

/// An ID payload's type and data, borrowed.
pub(crate) fn id_parts<'a>(id: &'a Option<Id<'static>>) -> Option<(IdType, &'a [u8])> {
    id.as_ref().map(|i| (i.id_type, &*i.data))
}

/// Builds a PSK I_MESSAGE (RFC 3830 §3.1) with timestamp `t` whose KEMAC carries the
/// encoded key data `plain` (§6.2, §6.13), encrypted and MACed with keys derived from `psk`
/// (§4.1.4); returns the message and the auth key, made ready for the MAC, that checks the
/// verification message (§5.2). The other message keys are zeroized when this returns.
pub(crate) fn build_i_message(
    m: &IMessage<'_>,
    psk: &[u8],
    ready: Option<&PrfKey>,
    t: Timestamp,
    plain: Plain<'_>,
) -> Result<(Vec<u8>, MacKey), SessionError> {
    let (mut mk, cipher, mac_kind) = message_keys(m, psk, ready)?;
    let (enc, salt) = (mk.encr.as_bytes(), mk.salt.as_bytes());
    let invalid = |e: crypto::CryptoError| SessionError::InvalidKeyData(e.to_string());
    // NULL and AES-CM keep the length: the plaintext is encoded into the message and
    // encrypted there. AES-KW (8 bytes longer) is wrapped first.
    let in_place = cipher.keeps_length();
    let wrapped = match in_place {
        true => None,
        false => {
            let p = plain.encoded()?;
            let (csb_id, t) = (m.csb_id, t.as_u64());
            Some(
                crypto::kemac::encrypt(cipher, enc, salt, csb_id, t, p.as_bytes())
                    .map_err(invalid)?,
            )
        }
    };
    let encr_len = wrapped.as_ref().map_or_else(|| plain.len(), Vec::len);
    // The 16-bit Encr data len (RFC 3830 §6.2), checked before anything is written.
    let n = crate::wire::encode::len_u16("KEMAC", "Encr data len", encr_len)?.to_be_bytes();
    let mac_len = mac_kind.mac_len();
    let mut out = payloads_before_kemac(m, t, kemac_field::mac(encr_len) + mac_len)?;
    // KEMAC (RFC 3830 §6.2): the key data is encoded straight into the message (and
    // encrypted there below), the MAC field zero until the MAC is computed.
    let mut head = [0u8; kemac_field::ENCR_DATA];
    head[kemac_field::NEXT] = PayloadType::Last.to_wire();
    head[kemac_field::ENCR_ALG] = m.encr.to_wire();
    head[kemac_field::ENCR_LEN].copy_from_slice(&n);
    out.extend_from_slice(&head);
    let data_start = out.len();
    match &wrapped {
        Some(w) => out.extend_from_slice(w),
        None => plain.write(&mut out)?,
    }
    debug_assert_eq!(
        out.len() - data_start,
        encr_len,
        "Plain::len and Plain::write agree"
    );
    out.push(m.mac.to_wire());
    out.extend_from_slice(&mac_placeholder(mac_len));
    // The KEMAC is last: ... || Encr data || MAC alg || MAC (RFC 3830 §6.2).
    let body = out.len() - mac_len;
    if in_place {
        let data = body - 1 - encr_len..body - 1;
        let (csb_id, t) = (m.csb_id, t.as_u64());
        crypto::kemac::crypt_in_place(cipher, enc, salt, csb_id, t, &mut out[data]).map_err(
            |e| {
                // The plaintext keys must not outlive a failed encryption.
                zeroize::Zeroize::zeroize(&mut out);
                invalid(e)
            },
        )?;
    }
    // RFC 3830 §5.2: the MAC covers the whole message up to the MAC field.
    // Keyed once for this MAC and the verification message's.
    let auth = MacKey::new(mac_kind, core::mem::take(&mut mk.auth));
    let tag = auth.mac(&out[..body]);
    out[body..].copy_from_slice(tag.as_bytes());
    Ok((out, auth))
}

/// The message keys of a PSK I_MESSAGE (RFC 3830 §4.1.4) with its cipher and MAC; an
/// empty PSK only for MIKEY-NULL. `ready`: the same PSK made ready for the PRF earlier (a
/// group member's).
fn message_keys(
    m: &IMessage<'_>,
    psk: &[u8],
    ready: Option<&PrfKey>,
) -> Result<(MessageKeys, KemacCipher, MacKind), SessionError> {
    let prf = prf_of(m.prf)?;
    let cipher = cipher_of(m.encr, true)?;
    let mac_kind = mac_of(m.mac, true)?;
    // Only MIKEY-NULL (NULL encryption and MAC) goes without a key.
    if psk.is_empty() && (cipher != KemacCipher::Null || mac_kind != MacKind::Null) {
        return Err(SessionError::WeakInput(Weakness::EmptyPsk));
    }
    let made;
    let key = match ready {
        Some(k) if k.kind() == prf => k,
        _ => {
            made = PrfKey::new(prf, psk);
            &made
        }
    };
    let mk = MessageKeys::derive_with(key, m.csb_id, m.rand, cipher, mac_kind);
    Ok((mk, cipher, mac_kind))
}

/// HDR, T, [RAND], {ID}, {SP} written payload by payload, each borrowing its data (IDs,
/// policies, CS map): nothing is copied first and no list of payloads is built (RFC 3830
/// §3.1). The buffer has room for `kemac_len` more bytes.
fn payloads_before_kemac(
    m: &IMessage<'_>,
    t: Timestamp,
    kemac_len: usize,
) -> Result<Vec<u8>, SessionError> {
    let mut h = Header::new(DataType::PskInit, m.csb_id);
    h.v = m.v;
    h.prf = m.prf;
    h.cs_map = m.cs_map.borrowed();
    let rand = Rand {
        rand: Cow::Borrowed(m.rand),
    };
    let ids = [m.id_i, m.id_r].map(|i| {
        i.map(|(id_type, data)| Id {
            id_type,
            data: Cow::Borrowed(data),
        })
    });
    let n_ids = ids.iter().flatten().count();
    // Next payload fields: HDR -> T -> [RAND] -> {ID} -> {SP} -> KEMAC.
    let after_id = match m.policies.is_empty() {
        true => PayloadType::Kemac,
        false => PayloadType::Sp,
    };
    let after_rand = if n_ids > 0 { PayloadType::Id } else { after_id };
    let after_t = if m.send_rand {
        PayloadType::Rand
    } else {
        after_rand
    };
    let len = h.encoded_len()
        + t.encoded_len()
        + if m.send_rand { rand.encoded_len() } else { 0 }
        + ids.iter().flatten().map(|i| i.encoded_len()).sum::<usize>()
        + m.policies.iter().map(|p| p.encoded_len()).sum::<usize>()
        + kemac_len;
    let mut out = Vec::with_capacity(len);
    h.encode(PayloadType::T, &mut out)?;
    t.encode(after_t, &mut out)?;
    if m.send_rand {
        rand.encode(after_rand, &mut out)?;
    }
    for (k, id) in ids.iter().flatten().enumerate() {
        let next = if k + 1 < n_ids {
            PayloadType::Id
        } else {
            after_id
        };
        id.encode(next, &mut out)?;
    }
    for (k, sp) in m.policies.iter().enumerate() {
        let next = match k + 1 < m.policies.len() {
            true => PayloadType::Sp,
            false => PayloadType::Kemac,
        };
        sp.encode(next, &mut out)?;
    }
    Ok(out)
}

/// Decrypts a KEMAC's key data with the message keys (RFC 3830 §4.2.3).
pub(crate) fn decrypt_keys(
    cipher: KemacCipher,
    keys: &MessageKeys,
    csb_id: u32,
    t: &Timestamp,
    kemac: &Kemac<'_>,
) -> Result<Vec<TransportKey>, SessionError> {
    Ok(decrypt_key_list(cipher, keys, csb_id, t, kemac, false)?.1)
}

/// Decrypts a KEMAC's key data (RFC 3830 §4.2.3); `with_id` for the public-key methods,
/// whose plaintext starts with the sender's ID payload (RFC 3830 §6.2, RFC 4738 §3.6).
pub(crate) fn decrypt_key_list(
    cipher: KemacCipher,
    keys: &MessageKeys,
    csb_id: u32,
    t: &Timestamp,
    kemac: &Kemac<'_>,
    with_id: bool,
) -> Result<(Option<Id<'static>>, Vec<TransportKey>), SessionError> {
    let invalid = |e: &dyn core::fmt::Display| SessionError::InvalidKeyData(e.to_string());
    let (enc, salt, t) = (keys.encr.as_bytes(), keys.salt.as_bytes(), t.as_u64());
    let data: &[u8] = &kemac.encr_data;
    // Key data of up to 128 bytes (a few keys) is decrypted in place on the stack; longer
    // key data and AES-KW (whose output is shorter) go through a heap buffer. Both are
    // zeroized when dropped.
    let mut stack = match cipher.keeps_length() {
        true => crypto::StackSecret::<128>::copy_of(data),
        false => None,
    };
    let heap;
    let plain: &[u8] = match &mut stack {
        Some(buf) => {
            let b = buf.as_mut_bytes();
            crypto::kemac::crypt_in_place(cipher, enc, salt, csb_id, t, b)
                .map_err(|e| invalid(&e))?;
            b
        }
        _ => {
            heap = crypto::kemac::decrypt(cipher, enc, salt, csb_id, t, data)
                .map_err(|e| invalid(&e))?;
            heap.as_bytes()
        }
    };
    let mut out = Vec::new();
    let id = KeyDataList::parse_each(plain, with_id, 0, |kd| {
        out.push(TransportKey::from_key_data(&kd))
    })
    .map_err(|e| invalid(&e))?;
    Ok((id.map(Id::into_owned), out))
}
