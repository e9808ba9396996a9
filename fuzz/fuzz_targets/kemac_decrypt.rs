//! KEMAC decryption of arbitrary bytes with keys derived from a fixed PSK (RFC 3830
//! §4.1.4, §4.2.3): every cipher, both PRFs, then the plaintext through
//! `KeyDataList::parse`. Never panics; what decrypts re-encrypts to the same bytes, and
//! what parses as key data re-encodes to the same plaintext.
//!
//! Input: `flags (1) || CSB ID (4) || T (8) || KEMAC`, where KEMAC is a KEMAC payload
//! (next payload, Encr alg, Encr data len, Encr data, MAC alg, MAC) or, when it does not
//! parse as one, the Encr data itself. Flags: bit 0 PRF (MIKEY-1 / HMAC-SHA-256), bit 1
//! plaintext starts with an ID payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::crypto::{self, KemacCipher, MacKind, MessageKeys, Prf};
use mikey::wire::{Kemac, KeyDataList, ParseCtx, PayloadBody, Reader};
use mikey_fuzz::psk::PSK;

const RAND: [u8; 16] = [0x5a; 16];

const CIPHERS: [KemacCipher; 4] = [
    KemacCipher::Null,
    KemacCipher::AesCm128,
    KemacCipher::AesCm256,
    KemacCipher::AesKw128,
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 13 {
        return;
    }
    let flags = data[0];
    let csb_id = u32::from_be_bytes([data[1], data[2], data[3], data[4]]);
    let mut t = [0u8; 8];
    t.copy_from_slice(&data[5..13]);
    let t = u64::from_be_bytes(t);
    let rest = &data[13..];
    let prf = if flags & 1 == 0 {
        Prf::MikeyOne
    } else {
        Prf::HmacSha256
    };
    let with_id = flags & 2 != 0;

    let mut ctx = ParseCtx {
        validate: false,
        ..ParseCtx::default()
    };
    let kemac = Kemac::parse(&mut Reader::new(rest), &mut ctx)
        .ok()
        .map(|(k, _)| k);
    let (encr_data, mac_alg, tag): (&[u8], u8, &[u8]) = match &kemac {
        Some(k) => (&k.encr_data, k.mac_alg.to_wire(), &k.mac),
        None => (rest, 1, &[]),
    };
    let mac = MacKind::try_from(mac_alg).unwrap_or(MacKind::HmacSha1_160);

    for cipher in CIPHERS {
        let keys = MessageKeys::derive(prf, &PSK, csb_id, &RAND, cipher, mac);
        assert_eq!(keys.encr.len(), cipher.key_len());
        assert_eq!(keys.salt.len(), cipher.salt_len());
        assert_eq!(keys.auth.len(), mac.key_len());
        let _ = crypto::verify_mac(mac, keys.auth.as_bytes(), rest, tag);
        let plain = match crypto::decrypt(
            cipher,
            keys.encr.as_bytes(),
            keys.salt.as_bytes(),
            csb_id,
            t,
            encr_data,
        ) {
            Ok(p) => p,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                continue;
            }
        };
        let again = crypto::encrypt(
            cipher,
            keys.encr.as_bytes(),
            keys.salt.as_bytes(),
            csb_id,
            t,
            plain.as_bytes(),
        )
        .expect("what decrypts re-encrypts");
        assert_eq!(again, encr_data, "{cipher:?}: decrypt -> encrypt differs");
        for id in [with_id, !with_id] {
            match KeyDataList::parse(plain.as_bytes(), id, 0) {
                Ok(list) => {
                    let mut out = Vec::new();
                    list.encode(&mut out).expect("what parses encodes");
                    assert_eq!(out, plain.as_bytes(), "key data parse -> encode differs");
                    assert_eq!(list.encoded_len(), plain.len());
                    let _ = format!("{list:?}");
                }
                Err(e) => {
                    assert!(e.offset <= plain.len(), "{e}");
                    let _ = e.to_string();
                }
            }
        }
    }
});
