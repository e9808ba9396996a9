//! The MIKEY-SAKKE UID of 3GPP TS 33.180 F.2.1 (TS 33.179 F.2.1): the 256-bit identifier a
//! KMS issues keys for and MIKEY-SAKKE encrypts and signs to, and the key period number it
//! depends on.
//!
//! `UID = SHA-256(S)` with `S` built as for the KDF of TS 33.220 B.1.2:
//! `FC = 0x00`, `P0 = "MIKEY-SAKKE-UID"`, `P1` = the user's MC service URI, `P2` = the KMS
//! URI, `P3` = the key period length (`UserKeyPeriod`, seconds), `P4` = the key period
//! offset (`UserKeyOffset`, seconds), `P5` = the current key period number, each followed by
//! its 2-octet length; integers in the fewest octets (B.2.1.3).
//!
//! ```
//! use mikey::mcx::uid::{KeyPeriod, Uid};
//! // testvectors/streamwide-StreamwideTestVectors-v5.md, MIKEYSAKKE-UID Test 1.
//! let p = KeyPeriod { length: 2_592_000, offset: 0 };
//! let uid = Uid::derive(b"sip:user@example.org", b"kms.example.org", p, 1).unwrap();
//! assert_eq!(uid.to_string(), "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4");
//! ```

use super::error::McxError;
use super::kdf::{hash_s, uint_param};
use crate::wire::timestamp::NTP_UNIX_OFFSET;
use core::fmt;
use std::time::Duration;

/// FC of the UID hash (TS 33.180 F.2.1).
pub const FC_UID: u8 = 0x00;
/// `P0` of the UID hash (TS 33.180 F.2.1).
pub const UID_LABEL: &[u8] = b"MIKEY-SAKKE-UID";

/// The key period of a KMS certificate (TS 33.180 D.3.2: `UserKeyPeriod`,
/// `UserKeyOffset`), in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyPeriod {
    /// Length of one key period (`UserKeyPeriod`).
    pub length: u64,
    /// Offset of the periods from the NTP epoch (`UserKeyOffset`).
    pub offset: u64,
}

impl KeyPeriod {
    /// The key period number at `now` (a `Duration` since the Unix epoch):
    /// `floor((t - UserKeyOffset) / UserKeyPeriod)` with `t` the time in seconds since the
    /// NTP epoch, 1900-01-01 00:00 UTC (TS 33.180 F.2.1). `t` is counted across NTP eras:
    /// it does not wrap in 2036 as a 32-bit NTP seconds field would.
    pub fn number_at(&self, now: Duration) -> Result<u64, McxError> {
        if self.length == 0 {
            return Err(McxError::Invalid {
                what: "KMS certificate",
                field: "UserKeyPeriod",
                expected: "a period of at least one second",
            });
        }
        let t = now.as_secs().saturating_add(NTP_UNIX_OFFSET);
        let since = t.checked_sub(self.offset).ok_or(McxError::Invalid {
            what: "KMS certificate",
            field: "UserKeyOffset",
            expected: "an offset before the current time",
        })?;
        Ok(since / self.length)
    }

    /// The start of key period `number`, as a `Duration` since the Unix epoch (`None`
    /// when it falls before 1970 or beyond the range of the arithmetic).
    pub fn start_of(&self, number: u64) -> Option<Duration> {
        let ntp = number.checked_mul(self.length)?.checked_add(self.offset)?;
        ntp.checked_sub(NTP_UNIX_OFFSET).map(Duration::from_secs)
    }
}

/// A 256-bit MIKEY-SAKKE UID (TS 33.180 F.2.1), as carried in IDR payloads with the UID
/// roles and in the `UserID` of a KMS key set.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uid(pub [u8; 32]);

impl Uid {
    /// The UID of `user_uri` at KMS `kms_uri` for key period `period_no`.
    pub fn derive(
        user_uri: &[u8],
        kms_uri: &[u8],
        period: KeyPeriod,
        period_no: u64,
    ) -> Result<Self, McxError> {
        let (len, len_n) = uint_param(period.length);
        let (off, off_n) = uint_param(period.offset);
        let (no, no_n) = uint_param(period_no);
        let params: [&[u8]; 6] = [
            UID_LABEL,
            user_uri,
            kms_uri,
            &len[..len_n],
            &off[..off_n],
            &no[..no_n],
        ];
        Ok(Uid(hash_s(FC_UID, &params)?))
    }

    /// The UID of `user_uri` for the key period that contains `now` (a `Duration` since the
    /// Unix epoch); also returns that period number.
    pub fn derive_at(
        user_uri: &[u8],
        kms_uri: &[u8],
        period: KeyPeriod,
        now: Duration,
    ) -> Result<(Self, u64), McxError> {
        let no = period.number_at(now)?;
        Ok((Self::derive(user_uri, kms_uri, period, no)?, no))
    }

    /// The 32 octets.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The UID from a 32-octet slice.
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        b.try_into().ok().map(Uid)
    }

    /// The lower-case hex text of the UID (64 characters): the form some KMSs issue keys
    /// for instead of the 32 octets (see the KMS documents of TS 33.180 Annex D).
    pub fn hex_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uid({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_numbers_and_starts_agree() {
        let p = KeyPeriod {
            length: 16_777_215,
            offset: 0,
        };
        let start = p.start_of(236).unwrap();
        assert_eq!(p.number_at(start).unwrap(), 236);
        assert_eq!(p.number_at(start - Duration::from_secs(1)).unwrap(), 235);
        assert!(KeyPeriod {
            length: 0,
            offset: 0
        }
        .number_at(start)
        .is_err());
        let late = KeyPeriod {
            length: 10,
            offset: u64::MAX,
        };
        assert!(late.number_at(start).is_err());
    }

    #[test]
    fn periods_continue_past_the_2036_ntp_wrap() {
        // 2036-02-07T06:28:16Z is NTP second 2^32: the count goes on.
        let p = KeyPeriod {
            length: 1,
            offset: 0,
        };
        let wrap = Duration::from_secs((1u64 << 32) - NTP_UNIX_OFFSET);
        assert_eq!(p.number_at(wrap).unwrap(), 1u64 << 32);
    }

    #[test]
    fn uid_text_forms() {
        let u = Uid([0xab; 32]);
        assert_eq!(u.hex_text(), "ab".repeat(32));
        assert_eq!(Uid::from_slice(&[0xab; 32]), Some(u));
        assert_eq!(Uid::from_slice(&[0xab; 31]), None);
    }
}
