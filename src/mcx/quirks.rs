//! Departures from TS 33.180 that shipped MIKEY-SAKKE stacks make, and that the views of
//! this module accept and report.

/// One departure from TS 33.180 seen in a shipped MIKEY-SAKKE stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum McxQuirk {
    /// An IDR identity ends with a NUL octet (SmartMS, the Streamwide/wolfSSL helper).
    IdrTrailingNul = 1,
    /// The SRTP ROC transmission rate (SP parameter 13) is one octet, not the 16 bits of
    /// RFC 4771 (ALEA).
    RocTxRateOneOctet = 2,
    /// A GENERIC-ID map (type 2) with no crypto session, where E.1.2 uses the empty map
    /// (type 1) for "the default policy" (ALEA PCK).
    GenericIdMapWithoutCs = 4,
    /// The initiator's or responder's UID is carried in IDRi/IDRr (roles 1/2) rather than
    /// in the UID roles 8/9 (SmartMS, the Streamwide/wolfSSL helper).
    UidInIdrRole = 8,
    /// The type-7 general extension is the older unencrypted key-parameters form
    /// (Streamwide "legacy IWF", SmartMS).
    LegacyKeyParameters = 16,
    /// A key element of a KMS key set without `xsi:type` (TS 33.180 D.3.3 gives it an
    /// abstract type that needs one).
    KmsKeyWithoutXsiType = 32,
    /// A KMS key set's `UserID` is the lower-case hex text of the UID, not its octets.
    KmsUserIdHexText = 64,
    /// An IDR identity of 256 octets or more whose 16-bit ID len has its high octet 0
    /// (the wire parser's [`Quirk::IdrLenHighOctetZero`](crate::wire::Quirk::IdrLenHighOctetZero)).
    IdrLenHighOctetZero = 128,
}

impl McxQuirk {
    const ALL: [McxQuirk; 8] = [
        McxQuirk::IdrTrailingNul,
        McxQuirk::RocTxRateOneOctet,
        McxQuirk::GenericIdMapWithoutCs,
        McxQuirk::UidInIdrRole,
        McxQuirk::LegacyKeyParameters,
        McxQuirk::KmsKeyWithoutXsiType,
        McxQuirk::KmsUserIdHexText,
        McxQuirk::IdrLenHighOctetZero,
    ];
}

/// The set of [`McxQuirk`]s a view accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct McxQuirks(u8);

impl McxQuirks {
    /// Adds `q`.
    pub fn insert(&mut self, q: McxQuirk) {
        self.0 |= q as u8;
    }

    /// Whether `q` was accepted.
    pub const fn contains(self, q: McxQuirk) -> bool {
        self.0 & q as u8 != 0
    }

    /// True when none was.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The accepted quirks.
    pub fn iter(self) -> impl Iterator<Item = McxQuirk> {
        McxQuirk::ALL.into_iter().filter(move |q| self.contains(*q))
    }
}
