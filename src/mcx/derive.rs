//! The derivations of 3GPP TS 33.180 Annex F on the KDF of TS 33.220 Annex B.1:
//!
//! * the GUK-ID (F.1.3): the receiving user's identifier for a GMK, from the GMK-ID, the GMK
//!   and the user's MC service URI (end-point diversity, clause 5.2.3);
//! * the DPCK (F.1.5, MCData clause 8.5.3): the key that protects an MCData payload, from
//!   the DPPK and its identifier; the type-7 key-parameters payload of a MIKEY-SAKKE
//!   I_MESSAGE is such a payload, protected with the distributed key and the CSB ID (E.6.1).
//!
//! ```
//! use mikey::mcx::{derive, KeyId};
//! // testvectors/SOURCES.md section 3, Streamwide "Test 1: GMK".
//! let gmk = [0x07, 0xd1, 0xa1, 0x67, 0x7a, 0xc3, 0x6d, 0x8e, 0x81, 0x62, 0x04, 0x84, 0x68, 0x9b, 0x3c, 0x2d];
//! let guk = derive::guk_id(&gmk, KeyId::new(0x0df9bc39), b"sip:alice@streamwide.com").unwrap();
//! assert_eq!(guk, KeyId::new(0x06a12aea));
//! ```

use super::error::McxError;
use super::kdf::kdf;
use super::key_id::{KeyId, RANDOM_MASK};
use crate::crypto::SecretBytes;

/// FC of the GUK-ID salt (TS 33.180 F.1.3).
pub const FC_GUK_ID_SALT: u8 = 0x50;
/// FC of the DPCK derivation (TS 33.180 F.1.5).
pub const FC_DPCK: u8 = 0x53;

/// The 28-bit user salt of TS 33.180 F.1.3: the 28 least significant bits of
/// `KDF(GMK, FC = 0x50, P0 = the receiving user's MC service URI)`.
pub fn guk_salt(gmk: &[u8], user_uri: &[u8]) -> Result<u32, McxError> {
    let out = kdf(gmk, FC_GUK_ID_SALT, &[user_uri])?;
    let b = out.as_bytes();
    let low = u32::from_be_bytes([b[28], b[29], b[30], b[31]]);
    Ok(low & RANDOM_MASK)
}

/// The GUK-ID of TS 33.180 F.1.3: the GMK-ID's purpose tag, and its 28 random bits XORed
/// with the user salt of the receiving user's URI.
pub fn guk_id(gmk: &[u8], gmk_id: KeyId, user_uri: &[u8]) -> Result<KeyId, McxError> {
    Ok(KeyId::new(gmk_id.value() ^ guk_salt(gmk, user_uri)?))
}

/// The GMK-ID back from a received GUK-ID (the receiver's side of F.1.3: XOR is its own
/// inverse), given the GMK and the receiving user's URI.
pub fn gmk_id_from_guk_id(gmk: &[u8], guk_id: KeyId, user_uri: &[u8]) -> Result<KeyId, McxError> {
    Ok(KeyId::new(guk_id.value() ^ guk_salt(gmk, user_uri)?))
}

/// The DPCK of TS 33.180 F.1.5: the 128 least significant bits of
/// `KDF(DPPK, FC = 0x53, P0 = DPPK-ID)`. For the type-7 key-parameters payload (E.6.1) the
/// DPPK is the key the I_MESSAGE distributes (GMK, PCK, CSK, ...) and the DPPK-ID its CSB ID.
pub fn dpck(dppk: &[u8], dppk_id: KeyId) -> Result<SecretBytes, McxError> {
    let out = kdf(dppk, FC_DPCK, &[&dppk_id.to_bytes()])?;
    Ok(SecretBytes::from_slice(&out.as_bytes()[16..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn guk_id_round_trips_to_the_gmk_id() {
        let gmk = h("07d1a1677ac36d8e81620484689b3c2d");
        let uri = b"sip:alice@streamwide.com";
        let guk = guk_id(&gmk, KeyId::new(0x0df9bc39), uri).unwrap();
        assert_eq!(guk.purpose(), KeyId::new(0x0df9bc39).purpose());
        assert_eq!(
            gmk_id_from_guk_id(&gmk, guk, uri).unwrap(),
            KeyId::new(0x0df9bc39)
        );
    }

    #[test]
    fn dpck_is_128_bits() {
        let k = dpck(&h("000102030405060708090a0b0c0d0e0f"), KeyId::new(1)).unwrap();
        assert_eq!(k.len(), 16);
    }
}
