//! Rewriting messages the initiators refuse to make (they check their inputs), so that the
//! responders' own checks can be tested on receipt.

use mikey::crypto::{kemac, KemacCipher, MacKind, MessageKeys, Prf};
use mikey::wire::{KeyData, KeyDataList, Message, ParseOptions, Payload, PrfFunc};
use std::borrow::Cow;

fn parse(msg: &[u8]) -> Message<'static> {
    let (m, _) = Message::parse_with(msg, ParseOptions::STRICT).unwrap();
    Message {
        header: m.header.into_owned(),
        payloads: m.payloads.into_iter().map(Payload::into_owned).collect(),
    }
}

/// `msg` with its RAND payload replaced by `rand`, and nothing else changed (so that it no
/// longer authenticates: for checks that come before authentication).
pub fn with_rand(msg: &[u8], rand: &[u8]) -> Vec<u8> {
    let mut m = parse(msg);
    for p in &mut m.payloads {
        if let Payload::Rand(r) = p {
            r.rand = Cow::Owned(rand.to_vec());
        }
    }
    m.encode().unwrap()
}

/// A PSK I_MESSAGE (made with MIKEY-1, AES-CM-128 and HMAC-SHA-1-160 under `psk`) opened,
/// changed by `f` (its RAND, its key data) and sealed again under the same key: an
/// authentic message with contents the initiators would refuse to send.
pub fn psk_reseal(
    msg: &[u8],
    psk: &[u8],
    f: impl FnOnce(&mut Vec<u8>, &mut Vec<KeyData<'static>>),
) -> Vec<u8> {
    let mut m = parse(msg);
    assert_eq!(m.header.prf, PrfFunc::Mikey1);
    let csb_id = m.header.csb_id;
    let (cipher, mac) = (KemacCipher::AesCm128, MacKind::HmacSha1_160);
    let mut t = 0;
    let mut rand = Vec::new();
    for p in &m.payloads {
        match p {
            Payload::T(ts) => t = ts.as_u64(),
            Payload::Rand(r) => rand = r.rand.to_vec(),
            _ => {}
        }
    }
    let old = MessageKeys::derive(Prf::MikeyOne, psk, csb_id, &rand, cipher, mac);
    let kemac = m
        .payloads
        .iter()
        .find_map(|p| match p {
            Payload::Kemac(k) => Some(k.clone()),
            _ => None,
        })
        .expect("a KEMAC");
    let (encr, salt) = (old.encr.as_bytes(), old.salt.as_bytes());
    let plain = kemac::decrypt(cipher, encr, salt, csb_id, t, &kemac.encr_data).unwrap();
    let mut keys = KeyDataList::parse(plain.as_bytes(), false, 0)
        .unwrap()
        .into_owned();
    f(&mut rand, &mut keys.keys);
    let mut plain = Vec::new();
    keys.encode(&mut plain).unwrap();
    let new = MessageKeys::derive(Prf::MikeyOne, psk, csb_id, &rand, cipher, mac);
    let (encr, salt) = (new.encr.as_bytes(), new.salt.as_bytes());
    let sealed = kemac::encrypt(cipher, encr, salt, csb_id, t, &plain).unwrap();
    for p in &mut m.payloads {
        match p {
            Payload::Rand(r) => r.rand = Cow::Owned(rand.clone()),
            Payload::Kemac(k) => {
                k.encr_data = Cow::Owned(sealed.clone());
                k.mac = Cow::Owned(vec![0; mac.mac_len()]);
            }
            _ => {}
        }
    }
    let mut out = m.encode().unwrap();
    let at = out.len() - mac.mac_len();
    let tag = kemac::mac(mac, new.auth.as_bytes(), &out[..at]);
    out[at..].copy_from_slice(tag.as_bytes());
    out
}
