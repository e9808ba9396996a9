//! Key derivation for MIKEY (RFC 3830 §4.1.3, §4.1.4).

use super::kemac::{KemacCipher, MacKind};
use super::prf::{Prf, PrfKey};
use super::secret::SecretBytes;

/// Label constant for deriving a TEK from a TGK (RFC 3830 §4.1.3, Table 4.1.3).
pub const TGK_CONST_TEK: u32 = 0x2AD0_1C64;
/// Label constant for deriving an authentication key from a TGK
/// (RFC 3830 §4.1.3, Table 4.1.3).
pub const TGK_CONST_AUTH: u32 = 0x1B5C_7973;
/// Label constant for deriving an encryption key from a TGK (RFC 3830 §4.1.3, Table 4.1.3).
pub const TGK_CONST_ENCR: u32 = 0x1579_8CEF;
/// Label constant for deriving a salting key from a TGK (RFC 3830 §4.1.3, Table 4.1.3).
pub const TGK_CONST_SALT: u32 = 0x39A2_C14B;

/// Label constant for deriving the KEMAC encryption key (`encr_key`) from an envelope or
/// pre-shared key (RFC 3830 §4.1.4, Table 4.1.4).
pub const PSK_CONST_ENCR: u32 = 0x1505_33E1;
/// Label constant for deriving the MAC / verification key (`auth_key`) from an envelope or
/// pre-shared key (RFC 3830 §4.1.4, Table 4.1.4).
pub const PSK_CONST_AUTH: u32 = 0x2D22_AC75;
/// Label constant for deriving the salt key (`salt_key`) from an envelope or pre-shared
/// key (RFC 3830 §4.1.4, Table 4.1.4).
pub const PSK_CONST_SALT: u32 = 0x29B8_8916;

/// The label `constant || cs_id || csb_id || RAND` for derivations from a TGK
/// (RFC 3830 §4.1.3); integers are big-endian.
pub fn tgk_label(constant: u32, cs_id: u8, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut label = Vec::with_capacity(9 + rand.len());
    label.extend_from_slice(&constant.to_be_bytes());
    label.push(cs_id);
    label.extend_from_slice(&csb_id.to_be_bytes());
    label.extend_from_slice(rand);
    label
}

/// The label `constant || 0xFF || csb_id || RAND` for derivations from an envelope or
/// pre-shared key (RFC 3830 §4.1.4); integers are big-endian.
pub fn psk_label(constant: u32, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    tgk_label(constant, 0xFF, csb_id, rand)
}

/// Derives `out_len` bytes from a TGK (RFC 3830 §4.1.3): `PRF(TGK, constant || cs_id ||
/// csb_id || RAND)`. Use one of the `TGK_CONST_*` constants.
pub fn derive_from_tgk(
    prf_kind: Prf,
    tgk: &[u8],
    constant: u32,
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    out_len: usize,
) -> SecretBytes {
    derive_tgk_keyed(
        &PrfKey::new(prf_kind, tgk),
        constant,
        cs_id,
        csb_id,
        rand,
        out_len,
    )
}

/// [`derive_from_tgk`] from a TGK made ready once ([`PrfKey`]): what several derivations
/// from one TGK share (a crypto session's TEK and salt, RFC 3830 §4.1.3), two SHA
/// compressions fewer each than keying the PRF anew.
pub fn derive_tgk_keyed(
    key: &PrfKey,
    constant: u32,
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    out_len: usize,
) -> SecretBytes {
    let mut out = SecretBytes::zeroed(out_len);
    with_label(constant, cs_id, csb_id, rand, |label| {
        key.prf(label, out.as_mut_bytes())
    });
    out
}

/// Runs `f` on the label `constant || cs_id || csb_id || RAND` ([`tgk_label`]), built on
/// the stack when RAND fits its 8-bit length field (RFC 3830 §6.11), as every parsed RAND
/// does; a longer one (only an API caller can pass it) is built on the heap.
fn with_label<R>(
    constant: u32,
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    f: impl FnOnce(&[u8]) -> R,
) -> R {
    if rand.len() > 255 {
        return f(&tgk_label(constant, cs_id, csb_id, rand));
    }
    let mut label = [0u8; 9 + 255];
    let n = 9 + rand.len();
    label[..4].copy_from_slice(&constant.to_be_bytes());
    label[4] = cs_id;
    label[5..9].copy_from_slice(&csb_id.to_be_bytes());
    label[9..n].copy_from_slice(rand);
    f(&label[..n])
}

/// Derives `out_len` bytes from an envelope or pre-shared key (RFC 3830 §4.1.4):
/// `PRF(key, constant || 0xFF || csb_id || RAND)`. Use one of the `PSK_CONST_*` constants.
pub fn derive_from_psk(
    prf_kind: Prf,
    psk: &[u8],
    constant: u32,
    csb_id: u32,
    rand: &[u8],
    out_len: usize,
) -> SecretBytes {
    derive_keyed(&PrfKey::new(prf_kind, psk), constant, csb_id, rand, out_len)
}

/// [`derive_from_psk`] from a key made ready once ([`PrfKey`]): what several derivations
/// from one key (the three message keys, the messages of a CSB) share.
pub fn derive_keyed(
    key: &PrfKey,
    constant: u32,
    csb_id: u32,
    rand: &[u8],
    out_len: usize,
) -> SecretBytes {
    let mut out = SecretBytes::zeroed(out_len);
    with_label(constant, 0xFF, csb_id, rand, |label| {
        key.prf(label, out.as_mut_bytes())
    });
    out
}

/// The keys protecting a MIKEY message's KEMAC payload and MAC / verification message,
/// derived from the pre-shared or envelope key (RFC 3830 §4.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageKeys {
    /// `encr_key`: [`KemacCipher::key_len`] bytes (RFC 3830 §4.2.3, RFC 6043 §6.2).
    pub encr: SecretBytes,
    /// `auth_key`: [`MacKind::key_len`] bytes (RFC 3830 §4.2.4, RFC 6043 §6.2).
    pub auth: SecretBytes,
    /// `salt_key`: [`KemacCipher::salt_len`] bytes (112 bits for AES-CM, RFC 3830 §4.2.3;
    /// 64 bits used as the RFC 3394 IV for AES-KW, RFC 3830 §4.2.3).
    pub salt: SecretBytes,
}

impl MessageKeys {
    /// Derives `encr_key`, `auth_key` and `salt_key` from `key` (the pre-shared key or the
    /// envelope key) with the RFC 3830 §4.1.4 labels, each as long as `cipher` / `mac`
    /// require. Keys of length 0 (NULL algorithms) are not derived.
    pub fn derive(
        prf_kind: Prf,
        key: &[u8],
        csb_id: u32,
        rand: &[u8],
        cipher: KemacCipher,
        mac: MacKind,
    ) -> MessageKeys {
        Self::derive_with(&PrfKey::new(prf_kind, key), csb_id, rand, cipher, mac)
    }

    /// [`derive`](Self::derive) from a key made ready once ([`PrfKey`]).
    pub fn derive_with(
        key: &PrfKey,
        csb_id: u32,
        rand: &[u8],
        cipher: KemacCipher,
        mac: MacKind,
    ) -> MessageKeys {
        let mut k = Self::derive_auth_with(key, csb_id, rand, mac);
        k.complete_with(key, csb_id, rand, cipher);
        k
    }

    /// Derives `auth_key` only, leaving `encr` and `salt` empty: what checking a message's
    /// MAC needs, so that a forged message costs one derivation instead of three. Call
    /// [`complete_with`](Self::complete_with) once the MAC verified.
    pub fn derive_auth_with(key: &PrfKey, csb_id: u32, rand: &[u8], mac: MacKind) -> Self {
        let auth = match mac.key_len() {
            0 => SecretBytes::default(),
            n => derive_keyed(key, PSK_CONST_AUTH, csb_id, rand, n),
        };
        MessageKeys {
            encr: SecretBytes::default(),
            auth,
            salt: SecretBytes::default(),
        }
    }

    /// Derives `encr_key` and `salt_key` for `cipher` into keys made by
    /// [`derive_auth_with`](Self::derive_auth_with) with the same arguments: the result
    /// equals [`derive`](Self::derive)'s. Keys of length 0 (NULL) are not derived.
    pub fn complete_with(&mut self, key: &PrfKey, csb_id: u32, rand: &[u8], cipher: KemacCipher) {
        let one = |constant: u32, len: usize| match len {
            0 => SecretBytes::default(),
            n => derive_keyed(key, constant, csb_id, rand, n),
        };
        self.encr = one(PSK_CONST_ENCR, cipher.key_len());
        self.salt = one(PSK_CONST_SALT, cipher.salt_len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let rand = [0xAAu8; 16];
        let l = tgk_label(TGK_CONST_TEK, 3, 0x0102_0304, &rand);
        assert_eq!(&l[..9], &[0x2A, 0xD0, 0x1C, 0x64, 3, 1, 2, 3, 4]);
        assert_eq!(&l[9..], &rand);
        let l = psk_label(PSK_CONST_SALT, 0xA0B0_C0D0, &rand);
        assert_eq!(
            &l[..9],
            &[0x29, 0xB8, 0x89, 0x16, 0xFF, 0xA0, 0xB0, 0xC0, 0xD0]
        );
    }

    #[test]
    fn auth_first_then_complete_equals_derive() {
        let rand = [0x5Au8; 16];
        for (cipher, mac) in [
            (KemacCipher::AesCm128, MacKind::HmacSha1_160),
            (KemacCipher::AesKw128, MacKind::HmacSha256_256),
            (KemacCipher::Null, MacKind::Null),
        ] {
            let all = MessageKeys::derive(Prf::MikeyOne, b"key", 7, &rand, cipher, mac);
            let key = PrfKey::new(Prf::MikeyOne, b"key");
            let mut k = MessageKeys::derive_auth_with(&key, 7, &rand, mac);
            assert_eq!(k.auth, all.auth);
            assert!(k.encr.is_empty() && k.salt.is_empty());
            k.complete_with(&key, 7, &rand, cipher);
            assert_eq!(k, all);
        }
    }

    #[test]
    fn one_keyed_tgk_serves_every_label() {
        // A TGK of one 256-bit piece, one of three (RFC 3830 §4.1.2) and one for the
        // PRF-HMAC-SHA-256 of RFC 6043 §6.1, each keyed once and used for the TEK, the salt
        // and the TEK again: each equals the PRF run on the label with the key made ready
        // anew.
        let rand = [0xC3u8; 16];
        for (kind, tgk) in [
            (Prf::MikeyOne, [7u8; 16].as_slice()),
            (Prf::MikeyOne, &[8; 80]),
            (Prf::HmacSha256, &[6; 16]),
        ] {
            let keyed = PrfKey::new(kind, tgk);
            for (constant, len) in [
                (TGK_CONST_TEK, 16),
                (TGK_CONST_SALT, 14),
                (TGK_CONST_TEK, 32),
            ] {
                let mut want = vec![0u8; len];
                super::super::prf::prf(kind, tgk, &tgk_label(constant, 2, 9, &rand), &mut want);
                let got = derive_tgk_keyed(&keyed, constant, 2, 9, &rand, len);
                assert_eq!(got.as_bytes(), want.as_slice());
            }
        }
    }

    #[test]
    fn message_key_lengths() {
        let psk = [9u8; 16];
        let rand = [1u8; 16];
        let k = MessageKeys::derive(
            Prf::MikeyOne,
            &psk,
            7,
            &rand,
            KemacCipher::AesCm128,
            MacKind::HmacSha1_160,
        );
        assert_eq!((k.encr.len(), k.auth.len(), k.salt.len()), (16, 20, 14));
        let k = MessageKeys::derive(
            Prf::HmacSha256,
            &psk,
            7,
            &rand,
            KemacCipher::AesCm256,
            MacKind::HmacSha256_256,
        );
        assert_eq!((k.encr.len(), k.auth.len(), k.salt.len()), (32, 32, 14));
        let kw = MessageKeys::derive(
            Prf::MikeyOne,
            &psk,
            7,
            &rand,
            KemacCipher::AesKw128,
            MacKind::Null,
        );
        assert_eq!((kw.encr.len(), kw.auth.len(), kw.salt.len()), (16, 0, 8));
        let n = MessageKeys::derive(
            Prf::MikeyOne,
            &psk,
            7,
            &rand,
            KemacCipher::Null,
            MacKind::Null,
        );
        assert!(n.encr.is_empty() && n.auth.is_empty() && n.salt.is_empty());
        // Same PRF, same label: the AES-KW salt is a prefix of the AES-CM salt.
        let cm = MessageKeys::derive(
            Prf::MikeyOne,
            &psk,
            7,
            &rand,
            KemacCipher::AesCm128,
            MacKind::Null,
        );
        assert_eq!(kw.salt.as_bytes(), &cm.salt.as_bytes()[..8]);
        assert_eq!(kw.encr, cm.encr);
    }
}
