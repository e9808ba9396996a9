//! The protected payload of TS 33.180 clause 8.5.4 (an MCData protected payload), the form
//! of the 3GPP key-parameters general extension (type 7) of a MIKEY-SAKKE I_MESSAGE
//! (E.6.1): the key parameters encrypted with AES-128-GCM under the DPCK derived from the
//! distributed key and the CSB ID (F.1.5).
//!
//! ```text
//! Message type (1) | Date and time (5) | Payload ID (4) | Payload sequence number (1)
//! Payload algorithm (1) | IV (16) | DPPK-ID (4) | Payload: type (1), length (2), data
//! ```
//! The data is the ciphertext followed by the 16-octet GCM tag; the associated data is the
//! first 12 octets, the IV and the DPPK-ID (32 octets); the IV is the 16-octet GCM nonce.

use super::derive::dpck;
use super::error::McxError;
use super::key_id::KeyId;
use crate::crypto::{Entropy, SecretBytes};
use crate::wire::{ErrorKind, ParseError, Reader};
use aes_gcm::aead::consts::U16;
use aes_gcm::aead::AeadInOut;
use aes_gcm::{AesGcm, KeyInit};
use std::borrow::Cow;

const P: &str = "Protected payload";

/// `Payload algorithm` value for AEAD_AES_128_GCM (TS 33.180 8.5.4).
pub const ALG_AES_128_GCM: u8 = 1;
/// Length of the GCM tag that ends the payload data.
pub const TAG_LEN: usize = 16;
/// Length of the IV (the GCM nonce).
pub const IV_LEN: usize = 16;
/// Octets before the payload data: the fixed fields, the payload type and its length.
pub const HEADER_LEN: usize = 35;

type Aes128Gcm16 = AesGcm<aes::Aes128, U16>;

/// A protected payload, its data still encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedPayload<'a> {
    /// Message type (Streamwide sends 0x43, ALEA 0x40: bit 0x40 marks encryption).
    pub message_type: u8,
    /// Date and time of creation (5 octets; set to 0 or a time by senders).
    pub date_time: u64,
    /// Payload ID (0 for key parameters, E.6.1).
    pub payload_id: u32,
    /// Payload sequence number (0 for key parameters, E.6.1).
    pub sequence: u8,
    /// Payload algorithm ([`ALG_AES_128_GCM`]).
    pub algorithm: u8,
    /// The IV.
    pub iv: [u8; IV_LEN],
    /// DPPK-ID: the identifier of the protecting key (the I_MESSAGE's CSB ID, E.6.1).
    pub key_id: KeyId,
    /// The type octet before the payload length (0 in every message seen).
    pub payload_type: u8,
    /// Ciphertext and GCM tag.
    pub data: Cow<'a, [u8]>,
}

impl<'a> ProtectedPayload<'a> {
    /// Parses a protected payload (the data of a type-7 general extension).
    pub fn parse(b: &'a [u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(b);
        let message_type = r.u8(P, "Message type")?;
        let dt = r.array::<5>(P, "Date and time")?;
        let payload_id = r.u32(P, "Payload ID")?;
        let sequence = r.u8(P, "Payload sequence number")?;
        let algorithm = r.u8(P, "Payload algorithm")?;
        let iv = r.array::<IV_LEN>(P, "IV")?;
        let key_id = KeyId::new(r.u32(P, "DPPK-ID")?);
        let payload_type = r.u8(P, "Payload type")?;
        let n = usize::from(r.u16(P, "Payload length")?);
        if n < TAG_LEN {
            return Err(r.error_back(
                2,
                P,
                "Payload length",
                ErrorKind::InvalidValue {
                    value: n as u32,
                    expected: "at least the 16-octet GCM tag",
                },
            ));
        }
        let data = r.take(n, P, "Payload")?;
        if !r.is_empty() {
            return Err(r.error(
                P,
                "Payload",
                ErrorKind::TrailingBytes {
                    count: r.remaining(),
                },
            ));
        }
        Ok(ProtectedPayload {
            message_type,
            date_time: dt.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x)),
            payload_id,
            sequence,
            algorithm,
            iv,
            key_id,
            payload_type,
            data: Cow::Borrowed(data),
        })
    }

    /// The first 35 octets (everything before the payload data).
    fn header(&self) -> Result<[u8; HEADER_LEN], McxError> {
        if self.date_time > super::key_params::MAX_TIME {
            return Err(McxError::TooLong {
                field: "Date and time",
                len: 8,
                max: 5,
            });
        }
        let len = u16::try_from(self.data.len()).map_err(|_| McxError::TooLong {
            field: "Protected payload data",
            len: self.data.len(),
            max: usize::from(u16::MAX),
        })?;
        let mut h = [0u8; HEADER_LEN];
        h[0] = self.message_type;
        h[1..6].copy_from_slice(&self.date_time.to_be_bytes()[3..]);
        h[6..10].copy_from_slice(&self.payload_id.to_be_bytes());
        h[10] = self.sequence;
        h[11] = self.algorithm;
        h[12..28].copy_from_slice(&self.iv);
        h[28..32].copy_from_slice(&self.key_id.to_bytes());
        h[32] = self.payload_type;
        h[33..35].copy_from_slice(&len.to_be_bytes());
        Ok(h)
    }

    /// The encoding (the data of a type-7 general extension).
    pub fn encode(&self) -> Result<Vec<u8>, McxError> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.data.len());
        out.extend_from_slice(&self.header()?);
        out.extend_from_slice(&self.data);
        Ok(out)
    }

    /// The associated data: the first 12 octets, the IV and the DPPK-ID.
    fn aad(h: &[u8; HEADER_LEN]) -> [u8; 32] {
        let mut a = [0u8; 32];
        a.copy_from_slice(&h[..32]);
        a
    }

    fn cipher(&self, dpck: &[u8]) -> Result<Aes128Gcm16, McxError> {
        if self.algorithm != ALG_AES_128_GCM {
            return Err(McxError::Invalid {
                what: P,
                field: "Payload algorithm",
                expected: "1 (AEAD_AES_128_GCM)",
            });
        }
        Aes128Gcm16::new_from_slice(dpck).map_err(|_| McxError::Invalid {
            what: P,
            field: "DPCK",
            expected: "a 16-octet key",
        })
    }

    /// Verifies and decrypts the data with the DPCK.
    pub fn open_with_dpck(&self, dpck: &[u8]) -> Result<SecretBytes, McxError> {
        let cipher = self.cipher(dpck)?;
        let aad = Self::aad(&self.header()?);
        let split = self.data.len().saturating_sub(TAG_LEN);
        let (ct, tag) = self.data.split_at(split);
        let tag = aes_gcm::Tag::try_from(tag).map_err(|_| McxError::AuthFailed)?;
        let mut plain = SecretBytes::from_slice(ct);
        let nonce = aes_gcm::Nonce::<U16>::from(self.iv);
        cipher
            .decrypt_inout_detached(&nonce, &aad, plain.as_mut_bytes().into(), &tag)
            .map_err(|_| McxError::AuthFailed)?;
        Ok(plain)
    }

    /// Verifies and decrypts the data with the key the I_MESSAGE distributes (GMK, PCK,
    /// CSK, ...): the DPCK is derived from it and this payload's DPPK-ID (F.1.5).
    pub fn open(&self, distributed_key: &[u8]) -> Result<SecretBytes, McxError> {
        self.open_with_dpck(dpck(distributed_key, self.key_id)?.as_bytes())
    }

    /// Encrypts `plain` into a payload with the given fields, a fresh IV from `entropy`,
    /// and the DPCK derived from `distributed_key` and `key_id` (F.1.5).
    pub fn seal(
        fields: ProtectedFields,
        distributed_key: &[u8],
        plain: &[u8],
        entropy: &mut impl Entropy,
    ) -> Result<ProtectedPayload<'static>, McxError> {
        let mut iv = [0u8; IV_LEN];
        entropy.fill(&mut iv);
        let mut p = ProtectedPayload {
            message_type: fields.message_type,
            date_time: fields.date_time,
            payload_id: fields.payload_id,
            sequence: fields.sequence,
            algorithm: ALG_AES_128_GCM,
            iv,
            key_id: fields.key_id,
            payload_type: 0,
            data: Cow::Owned(vec![0; plain.len() + TAG_LEN]),
        };
        let key = dpck(distributed_key, fields.key_id)?;
        let cipher = p.cipher(key.as_bytes())?;
        let aad = Self::aad(&p.header()?);
        let data = p.data.to_mut();
        let (ct, tag_out) = data.split_at_mut(plain.len());
        ct.copy_from_slice(plain);
        let nonce = aes_gcm::Nonce::<U16>::from(iv);
        let tag = cipher
            .encrypt_inout_detached(&nonce, &aad, ct.into())
            .map_err(|_| McxError::TooLong {
                field: "Protected payload data",
                len: plain.len(),
                max: usize::from(u16::MAX) - TAG_LEN,
            })?;
        tag_out.copy_from_slice(&tag);
        Ok(p)
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> ProtectedPayload<'static> {
        ProtectedPayload {
            data: Cow::Owned(self.data.into_owned()),
            ..self
        }
    }
}

/// The clear fields of a protected payload to build (E.6.1 fixes payload ID and sequence
/// number to 0 and the DPPK-ID to the CSB ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtectedFields {
    /// Message type octet.
    pub message_type: u8,
    /// Date and time (5 octets).
    pub date_time: u64,
    /// Payload ID.
    pub payload_id: u32,
    /// Payload sequence number.
    pub sequence: u8,
    /// DPPK-ID (the I_MESSAGE's CSB ID).
    pub key_id: KeyId,
}

impl ProtectedFields {
    /// The fields of a key-parameters payload (E.6.1): payload ID and sequence 0, the
    /// given message type and time, DPPK-ID = `csb_id`.
    pub const fn key_parameters(message_type: u8, date_time: u64, csb_id: KeyId) -> Self {
        ProtectedFields {
            message_type,
            date_time,
            payload_id: 0,
            sequence: 0,
            key_id: csb_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_tamper() {
        let key = [7u8; 16];
        let fields = ProtectedFields::key_parameters(0x43, 1, KeyId::new(0x06a12aea));
        let mut e = |b: &mut [u8]| b.fill(0x11);
        let p = ProtectedPayload::seal(fields, &key, b"plaintext", &mut e).unwrap();
        let bytes = p.encode().unwrap();
        assert_eq!(bytes.len(), HEADER_LEN + 9 + TAG_LEN);
        let back = ProtectedPayload::parse(&bytes).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.open(&key).unwrap().as_bytes(), b"plaintext");
        assert_eq!(back.open(&[8u8; 16]), Err(McxError::AuthFailed));
        // Every octet but the payload type and length is authenticated.
        for i in (0..bytes.len()).filter(|i| !(32..35).contains(i)) {
            let mut t = bytes.clone();
            t[i] ^= 1;
            let p = ProtectedPayload::parse(&t).unwrap();
            assert!(p.open(&key).is_err(), "octet {i}");
        }
    }

    #[test]
    fn malformed_payloads_are_refused() {
        let key = [7u8; 16];
        let fields = ProtectedFields::key_parameters(0x40, 0, KeyId::new(1));
        let mut e = |b: &mut [u8]| b.fill(0);
        let bytes = ProtectedPayload::seal(fields, &key, b"x", &mut e)
            .unwrap()
            .encode()
            .unwrap();
        for n in 0..bytes.len() {
            assert!(ProtectedPayload::parse(&bytes[..n]).is_err(), "{n}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(ProtectedPayload::parse(&long).is_err());
        let mut alg = ProtectedPayload::parse(&bytes).unwrap();
        alg.algorithm = 2;
        assert!(matches!(alg.open(&key), Err(McxError::Invalid { .. })));
    }
}
