//! Key identifiers of 3GPP TS 33.180 (clause 5.2.2 and E.6.11): 32 bits, the 4 most
//! significant a purpose tag naming the kind of key, the other 28 random. The same code
//! names the key type in the key-parameters payload (E.6.11).
//!
//! ```
//! use mikey::mcx::{KeyId, PurposeTag};
//! let csk_id = KeyId::new(0x2ddd5bf0);
//! assert_eq!(csk_id.purpose(), PurposeTag::Csk);
//! assert_eq!(csk_id.random_part(), 0x0ddd5bf0);
//! let mut counter = 0u8;
//! let fresh = KeyId::generate(PurposeTag::Gmk, &mut |b: &mut [u8]| b.fill({ counter += 1; counter })).unwrap();
//! assert_eq!(fresh, KeyId::new(0x01010101));
//! ```

use super::error::McxError;
use crate::crypto::Entropy;
use core::fmt;

/// The purpose tag of a key identifier (TS 33.180 clause 5.2.2; the key type values of
/// E.6.11; 36.579-1 5.5.9.1 requires `0010` for a CSK-ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PurposeTag {
    /// Group Master Key (MCPTT/MCVideo/MCData group communication).
    Gmk,
    /// Private Call Key.
    Pck,
    /// Client-Server Key (signalling between client and server).
    Csk,
    /// Signalling Protection Key.
    Spk,
    /// Multicast Key for Floor Control (MKFC).
    Mkfc,
    /// MBMS SubChannel Control Key (MSCCK).
    Mscck,
    /// Multicast Signalling Key (MuSiK).
    Musik,
    /// A value the specification reserves (7 to 15), kept as is.
    Unknown(u8),
}

impl PurposeTag {
    /// The 4-bit code.
    pub const fn code(self) -> u8 {
        match self {
            PurposeTag::Gmk => 0,
            PurposeTag::Pck => 1,
            PurposeTag::Csk => 2,
            PurposeTag::Spk => 3,
            PurposeTag::Mkfc => 4,
            PurposeTag::Mscck => 5,
            PurposeTag::Musik => 6,
            PurposeTag::Unknown(v) => v,
        }
    }

    /// The tag for a 4-bit code (higher bits are ignored).
    pub const fn from_code(v: u8) -> Self {
        match v & 0x0f {
            0 => PurposeTag::Gmk,
            1 => PurposeTag::Pck,
            2 => PurposeTag::Csk,
            3 => PurposeTag::Spk,
            4 => PurposeTag::Mkfc,
            5 => PurposeTag::Mscck,
            6 => PurposeTag::Musik,
            other => PurposeTag::Unknown(other),
        }
    }

    /// Whether keys of this kind are distributed with an end-point specific identifier
    /// (the GUK-ID of a GMK, TS 33.180 clause 5.2.3 and F.1.3).
    pub const fn is_group_key(self) -> bool {
        matches!(self, PurposeTag::Gmk)
    }
}

/// The largest random part of a key identifier (28 bits).
pub const RANDOM_MASK: u32 = 0x0fff_ffff;

/// A 32-bit key identifier: GMK-ID, GUK-ID, PCK-ID, CSK-ID, SPK-ID, MuSiK-ID, ...
/// (TS 33.180 clause 5.2.2). The CSB ID of a MIKEY-SAKKE I_MESSAGE and the MKI of its
/// SRTP streams.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(u32);

impl KeyId {
    /// The identifier with this value.
    pub const fn new(v: u32) -> Self {
        KeyId(v)
    }

    /// The identifier with this purpose tag and random part; fails when the tag does not fit
    /// in 4 bits or the random part in 28.
    pub fn from_parts(tag: PurposeTag, random: u32) -> Result<Self, McxError> {
        if tag.code() > 0x0f {
            return Err(McxError::Invalid {
                what: "key identifier",
                field: "purpose tag",
                expected: "a 4-bit code",
            });
        }
        if random > RANDOM_MASK {
            return Err(McxError::Invalid {
                what: "key identifier",
                field: "random part",
                expected: "28 bits",
            });
        }
        Ok(KeyId((u32::from(tag.code()) << 28) | random))
    }

    /// A fresh identifier: the purpose tag and 28 random bits from `entropy`.
    pub fn generate(tag: PurposeTag, entropy: &mut impl Entropy) -> Result<Self, McxError> {
        let mut b = [0u8; 4];
        entropy.fill(&mut b);
        Self::from_parts(tag, u32::from_be_bytes(b) & RANDOM_MASK)
    }

    /// The 32-bit value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The value as 4 octets, big-endian (as in the CSB ID field and the KDF inputs).
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }

    /// The purpose tag (4 most significant bits).
    pub const fn purpose(self) -> PurposeTag {
        PurposeTag::from_code((self.0 >> 28) as u8)
    }

    /// The 28 random bits.
    pub const fn random_part(self) -> u32 {
        self.0 & RANDOM_MASK
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:08x}, {:?})", self.0, self.purpose())
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

impl From<u32> for KeyId {
    fn from(v: u32) -> Self {
        KeyId(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_tags_of_the_published_identifiers() {
        // SOURCES.md section 3: Streamwide and ALEA key ids.
        let cases = [
            (0x0df9bc39, PurposeTag::Gmk),
            (0x16992638, PurposeTag::Pck),
            (0x2ddd5bf0, PurposeTag::Csk),
            (0x26147a4e, PurposeTag::Csk),
            (0x1f2974e5, PurposeTag::Pck),
            (0x06dbc5e2, PurposeTag::Gmk),
        ];
        for (v, tag) in cases {
            assert_eq!(KeyId::new(v).purpose(), tag, "{v:08x}");
        }
        for code in 0..16u8 {
            assert_eq!(PurposeTag::from_code(code).code(), code);
        }
    }

    #[test]
    fn parts_are_checked_and_kept() {
        let id = KeyId::from_parts(PurposeTag::Csk, 0x0ddd5bf0).unwrap();
        assert_eq!(id.value(), 0x2ddd5bf0);
        assert_eq!(id.to_bytes(), [0x2d, 0xdd, 0x5b, 0xf0]);
        assert!(KeyId::from_parts(PurposeTag::Csk, 0x1000_0000).is_err());
        assert!(KeyId::from_parts(PurposeTag::Unknown(16), 1).is_err());
        assert_eq!(format!("{id}"), "2ddd5bf0");
        assert_eq!(format!("{id:?}"), "KeyId(2ddd5bf0, Csk)");
    }

    #[test]
    fn generated_ids_keep_the_tag_and_take_28_random_bits() {
        let mut all_ones = |b: &mut [u8]| b.fill(0xff);
        let id = KeyId::generate(PurposeTag::Pck, &mut all_ones).unwrap();
        assert_eq!(id.value(), 0x1fff_ffff);
        let mut zeros = |b: &mut [u8]| b.fill(0);
        let id = KeyId::generate(PurposeTag::Musik, &mut zeros).unwrap();
        assert_eq!(id.value(), 0x6000_0000);
    }
}
