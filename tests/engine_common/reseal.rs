//! Rewriting messages the initiators refuse to make (they check their inputs), so that the
//! responders' own checks can be tested on receipt.

use mikey::crypto::{kemac, KemacCipher, MacKind, MessageKeys, Prf, RsaPrivate, SignatureScheme};
use mikey::session::OsEntropy;
use mikey::wire::{
    KeyData, KeyDataList, Message, ParseOptions, Payload, PayloadBody, PayloadType, PrfFunc, Sign,
    SignType,
};
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

/// A public-key I_MESSAGE (RFC 3830 §3.2) opened with the responder's private key (the
/// envelope key from PKE), its key data changed by `f` and sealed again: the KEMAC
/// re-encrypted and re-MACed under the same envelope key (§5.2: the MAC covers the KEMAC
/// payload with Next payload 0), the message signed again with the initiator's key
/// (PKCS#1 v1.5, SHA-256, the `PkConfig` default). An authentic message with contents the
/// initiator would refuse to send.
pub fn pk_reseal(
    msg: &[u8],
    responder: &dyn RsaPrivate,
    initiator: &dyn RsaPrivate,
    f: impl FnOnce(&mut Vec<KeyData<'static>>),
) -> Vec<u8> {
    let mut m = parse(msg);
    let scheme = SignatureScheme::RsaPkcs1Sha256;
    match m.payloads.pop() {
        Some(Payload::Sign(s)) => assert_eq!(s.sign_type, SignType::from(scheme)),
        other => panic!("a public-key I_MESSAGE ends with SIGN, not {other:?}"),
    }
    let csb_id = m.header.csb_id;
    let prf = Prf::try_from(m.header.prf).unwrap();
    let (mut t, mut rand, mut env) = (0, Vec::new(), None);
    for p in &m.payloads {
        match p {
            Payload::T(ts) => t = ts.as_u64(),
            Payload::Rand(r) => rand = r.rand.to_vec(),
            Payload::Pke(pke) => env = Some(responder.decrypt_pkcs1v15(&pke.data).unwrap()),
            _ => {}
        }
    }
    let env = env.expect("a PKE payload");
    let kemac = m
        .payloads
        .iter_mut()
        .find_map(|p| match p {
            Payload::Kemac(k) => Some(k),
            _ => None,
        })
        .expect("a KEMAC");
    let cipher = KemacCipher::try_from(kemac.encr_alg).unwrap();
    let mac = MacKind::try_from(kemac.mac_alg).unwrap();
    let keys = MessageKeys::derive(prf, env.as_bytes(), csb_id, &rand, cipher, mac);
    let (encr, salt) = (keys.encr.as_bytes(), keys.salt.as_bytes());
    let plain = kemac::decrypt(cipher, encr, salt, csb_id, t, &kemac.encr_data).unwrap();
    // The initiator's identity travels inside the KEMAC (RFC 3830 §3.2).
    let mut list = KeyDataList::parse(plain.as_bytes(), true, 0)
        .unwrap()
        .into_owned();
    f(&mut list.keys);
    let mut plain = Vec::new();
    list.encode(&mut plain).unwrap();
    kemac.encr_data = Cow::Owned(kemac::encrypt(cipher, encr, salt, csb_id, t, &plain).unwrap());
    kemac.mac = Cow::Owned(vec![0; mac.mac_len()]);
    let mut kbytes = Vec::new();
    kemac.encode(PayloadType::Last, &mut kbytes).unwrap();
    let input = &kbytes[..kbytes.len() - mac.mac_len()];
    kemac.mac = Cow::Owned(
        kemac::mac(mac, keys.auth.as_bytes(), input)
            .as_bytes()
            .to_vec(),
    );
    let len = initiator.modulus_len();
    m.payloads.push(Payload::Sign(Sign {
        sign_type: SignType::from(scheme),
        signature: Cow::Owned(vec![0; len]),
    }));
    let mut out = m.encode().unwrap();
    let body = out.len() - len;
    let sig = initiator
        .sign(&mut OsEntropy, scheme, &out[..body])
        .unwrap();
    out[body..].copy_from_slice(&sig);
    out
}
