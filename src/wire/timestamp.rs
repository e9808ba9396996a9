//! Timestamp payload (T), RFC 3830 §6.6 (RFC 6043 §6.3 adds NTP-UTC-32), and timestamp
//! with role (TR), RFC 6043 §6.4.
//!
//! ```text
//! T:  ! Next Payload  !   TS type     ! TS value                      ~
//! TR: ! Next Payload  !    TS Role    !    TS Type    !    TS Value   ~
//! ```
//! The TS value length is implied by the TS type: an unknown type stops parsing.

use super::codes::{PayloadType, TsRole, TsType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{EncodeError, EncodeErrorKind};
use super::error::{ErrorKind, ParseError};
use super::reader::{Fields, Reader};

/// The T field layout (RFC 3830 §6.6), written once: the parser, the encoder, the fast
/// walk ([`walk`](super::walk)) and [`PayloadRef::timestamp`](super::PayloadRef::timestamp)
/// read it from here.
pub(crate) mod field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// TS type.
    pub const TS_TYPE: usize = 1;
    /// TS value (its length implied by the TS type) from here.
    pub const VALUE: usize = 2;
}

/// The TR field layout (RFC 6043 §6.4), written once: the parser and the encoder read it
/// from here.
pub(crate) mod tr_field {
    /// Next payload.
    pub const NEXT: usize = 0;
    /// TS Role.
    pub const ROLE: usize = 1;
    /// TS Type.
    pub const TS_TYPE: usize = 2;
    /// TS Value (its length implied by the TS Type) from here.
    pub const VALUE: usize = 3;
}

/// A timestamp value with its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The TS type.
    pub ts_type: TsType,
    /// The value: 64-bit NTP for NTP-UTC and NTP, the 32-bit value for COUNTER and NTP-UTC-32.
    pub value: u64,
}

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

impl Timestamp {
    /// An NTP-UTC timestamp from a 64-bit NTP value.
    pub const fn ntp_utc(value: u64) -> Self {
        Self {
            ts_type: TsType::NtpUtc,
            value,
        }
    }

    /// An NTP-UTC timestamp for a time since the Unix epoch.
    pub fn from_unix(since_epoch: core::time::Duration) -> Self {
        let secs = since_epoch.as_secs().wrapping_add(NTP_UNIX_OFFSET) & 0xffff_ffff;
        let frac = ((since_epoch.subsec_nanos() as u64) << 32) / 1_000_000_000;
        Self::ntp_utc((secs << 32) | frac)
    }

    /// A COUNTER timestamp.
    pub const fn counter(value: u32) -> Self {
        Self {
            ts_type: TsType::Counter,
            value: value as u64,
        }
    }

    /// The value as used in key derivation and the AES-CM IV: 64 bits, with COUNTER
    /// padded with leading zeros (RFC 3830 §6.6) and NTP-UTC-32 with a zero fraction
    /// (RFC 6043 §6.3).
    pub fn as_u64(&self) -> u64 {
        match self.ts_type {
            TsType::NtpUtc32 => self.value << 32,
            _ => self.value,
        }
    }

    /// For NTP and NTP-UTC values: the time since the Unix epoch, with the era rule of
    /// RFC 4330 §3 (values with the top bit clear are in era 1, from 2036).
    pub fn to_unix(&self) -> Option<core::time::Duration> {
        let (secs, frac) = match self.ts_type {
            TsType::NtpUtc | TsType::Ntp => (self.value >> 32, self.value & 0xffff_ffff),
            TsType::NtpUtc32 => (self.value & 0xffff_ffff, 0),
            _ => return None,
        };
        let secs = if secs & 0x8000_0000 == 0 {
            secs + (1 << 32)
        } else {
            secs
        };
        let unix = secs.checked_sub(NTP_UNIX_OFFSET)?;
        Some(core::time::Duration::new(
            unix,
            ((frac * 1_000_000_000) >> 32) as u32,
        ))
    }

    /// Reads the TS value of `ts_type` (read at `type_at`) at `at` of the payload `b`;
    /// returns the timestamp and the payload's length.
    fn parse_value(
        ts_type: TsType,
        b: &Fields<'_>,
        type_at: usize,
        at: usize,
    ) -> Result<(Self, usize), ParseError> {
        let value = match ts_type.value_len() {
            Some(8) => u64::from_be_bytes(b.array(at..at + 8, "TS value")?),
            Some(_) => b.u32(at..at + 4, "TS value")? as u64,
            None => {
                return Err(b.error(
                    type_at,
                    "TS type",
                    ErrorKind::UnknownLayout {
                        value: ts_type.to_wire().into(),
                    },
                ))
            }
        };
        let ts = Self { ts_type, value };
        Ok((ts, at + ts.value_len()))
    }

    fn value_len(&self) -> usize {
        self.ts_type.value_len().unwrap_or(8)
    }

    /// Checks that the TS type has a known layout and the value fits it (32 bits for
    /// COUNTER and NTP-UTC-32).
    fn check(&self, p: &'static str) -> Result<(), EncodeError> {
        match self.ts_type.value_len() {
            None => Err(EncodeError::new(
                p,
                "TS type",
                EncodeErrorKind::BadCode {
                    value: self.ts_type.to_wire().into(),
                    max: 0,
                },
            )),
            Some(4) if self.value > u64::from(u32::MAX) => Err(EncodeError::new(
                p,
                "TS value",
                EncodeErrorKind::TooLong { len: 8, max: 4 },
            )),
            Some(_) => Ok(()),
        }
    }

    fn encode_value(&self, out: &mut Vec<u8>) {
        if self.value_len() == 8 {
            out.extend_from_slice(&self.value.to_be_bytes());
        } else {
            out.extend_from_slice(&(self.value as u32).to_be_bytes());
        }
    }
}

impl<'a> PayloadBody<'a> for Timestamp {
    const TYPE: PayloadType = PayloadType::T;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields("T");
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let ts_type = TsType::from_wire(b.u8(field::TS_TYPE, "TS type")?);
        let (ts, len) = Self::parse_value(ts_type, &b, field::TS_TYPE, field::VALUE)?;
        r.advance(len);
        Ok((ts, next))
    }

    fn encoded_len(&self) -> usize {
        field::VALUE + self.value_len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.check("T")?;
        // One write: the fixed fields and a value of up to 8 bytes.
        let mut b = [0u8; field::VALUE + 8];
        b[field::NEXT] = next.to_wire();
        b[field::TS_TYPE] = self.ts_type.to_wire();
        let n = self.value_len();
        match n {
            8 => b[field::VALUE..].copy_from_slice(&self.value.to_be_bytes()),
            // `check` passed: the value fits 32 bits.
            _ => b[field::VALUE..field::VALUE + 4]
                .copy_from_slice(&(self.value as u32).to_be_bytes()),
        }
        out.extend_from_slice(&b[..field::VALUE + n]);
        Ok(())
    }
}

/// Timestamp with role (TR), RFC 6043 §6.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimestampRole {
    /// What the timestamp means.
    pub role: TsRole,
    /// The timestamp.
    pub ts: Timestamp,
}

impl<'a> PayloadBody<'a> for TimestampRole {
    const TYPE: PayloadType = PayloadType::Tr;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        use tr_field as f;
        let b = r.fields("TR");
        let next = PayloadType::from_wire(b.u8(f::NEXT, "next payload")?);
        let role = TsRole::from_wire(b.u8(f::ROLE, "TS Role")?);
        let ts_type = TsType::from_wire(b.u8(f::TS_TYPE, "TS Type")?);
        let (ts, len) = Timestamp::parse_value(ts_type, &b, f::TS_TYPE, f::VALUE)?;
        r.advance(len);
        Ok((Self { role, ts }, next))
    }

    fn encoded_len(&self) -> usize {
        tr_field::VALUE + self.ts.value_len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        use tr_field as f;
        self.ts.check("TR")?;
        let mut head = [0u8; f::VALUE];
        head[f::NEXT] = next.to_wire();
        head[f::ROLE] = self.role.to_wire();
        head[f::TS_TYPE] = self.ts.ts_type.to_wire();
        out.extend_from_slice(&head);
        self.ts.encode_value(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntp_conversion() {
        // gortsplib-mikey-a: T = 0xebfe6f2db1c13fd0 is 2025-06-xx.
        let t = Timestamp::ntp_utc(0xebfe6f2db1c13fd0);
        let unix = t.to_unix().unwrap().as_secs();
        assert!(unix > 1_700_000_000 && unix < 1_800_000_000);
        let back = Timestamp::from_unix(t.to_unix().unwrap());
        assert_eq!(back.value >> 32, t.value >> 32);
        assert_eq!(Timestamp::counter(7).as_u64(), 7);
        assert_eq!(
            Timestamp {
                ts_type: TsType::NtpUtc32,
                value: 5
            }
            .as_u64(),
            5 << 32
        );
    }
}
