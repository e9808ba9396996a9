//! Every MIKEY code point from the IANA "Multimedia Internet KEYing (MIKEY) Payload
//! Name Spaces" registry (RFC 3830 §10, RFC 6309) as an enum that keeps unknown values.
//!
//! Each enum converts losslessly from and to its wire integer: a value this crate does not
//! know becomes `Unknown(n)` and is written back as `n`, so unknown codes survive a round trip.

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident : $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value not registered (or not known to this crate); kept as is.
            Unknown($repr),
        }

        impl $name {
            /// Decodes the wire value; unknown values become `Unknown`.
            #[inline]
            pub const fn from_wire(v: $repr) -> Self {
                match v {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The wire value.
            #[inline]
            pub const fn to_wire(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(v) => v,
                }
            }

            /// The registry's name for this value, or `None` when unknown.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )*
                    Self::Unknown(_) => None,
                }
            }

            /// True when the value is not one this crate knows.
            pub const fn is_unknown(self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<$repr> for $name {
            #[inline]
            fn from(v: $repr) -> Self { Self::from_wire(v) }
        }

        impl From<$name> for $repr {
            #[inline]
            fn from(v: $name) -> $repr { v.to_wire() }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{} ({})", n, self.to_wire()),
                    None => write!(f, "Unknown ({})", self.to_wire()),
                }
            }
        }
    };
}

// Split by registry area (files stay small); re-exported here.
mod roles;
mod srtp;
pub use roles::*;
pub use srtp::*;

code_enum! {
    /// Message data type, HDR field (RFC 3830 Table 6.1.a; RFC 4650 §7; RFC 4738 §3.9.1;
    /// RFC 6043 Table 6.1; RFC 6509 Table 1).
    DataType: u8 {
        /// Initiator's pre-shared key message.
        PskInit = 0 => "Pre-shared",
        /// Verification message of a pre-shared key message.
        PskResp = 1 => "PSK ver msg",
        /// Initiator's public-key transport message.
        PkInit = 2 => "Public key",
        /// Verification message of a public-key message.
        PkResp = 3 => "PK ver msg",
        /// Initiator's DH exchange message.
        DhInit = 4 => "D-H init",
        /// Responder's DH exchange message.
        DhResp = 5 => "D-H resp",
        /// Error message.
        Error = 6 => "Error",
        /// DH-HMAC initiator message (RFC 4650).
        DhHmacInit = 7 => "DHHMAC init",
        /// DH-HMAC responder message (RFC 4650).
        DhHmacResp = 8 => "DHHMAC resp",
        /// RSA-R initiator message (RFC 4738).
        RsaRInit = 9 => "RSA-R I_MSG",
        /// RSA-R responder message (RFC 4738).
        RsaRResp = 10 => "RSA-R R_MSG",
        /// Ticket request initial message, PSK (RFC 6043).
        RequestInitPsk = 11 => "REQUEST_INIT_PSK",
        /// Ticket request initial message, PK (RFC 6043).
        RequestInitPk = 12 => "REQUEST_INIT_PK",
        /// Ticket request response (RFC 6043).
        RequestResp = 13 => "REQUEST_RESP",
        /// Ticket transfer initial message (RFC 6043).
        TransferInit = 14 => "TRANSFER_INIT",
        /// Ticket transfer response (RFC 6043).
        TransferResp = 15 => "TRANSFER_RESP",
        /// Ticket resolve initial message, PSK (RFC 6043).
        ResolveInitPsk = 16 => "RESOLVE_INIT_PSK",
        /// Ticket resolve initial message, PK (RFC 6043).
        ResolveInitPk = 17 => "RESOLVE_INIT_PK",
        /// Ticket resolve response (RFC 6043).
        ResolveResp = 18 => "RESOLVE_RESP",
        /// MIKEY-SAKKE I_MESSAGE (RFC 6509).
        Sakke = 26 => "SAKKE",
    }
}

code_enum! {
    /// Next payload (RFC 3830 Table 6.1.b; RFC 6043 Table 6.2; RFC 6509 Table 2).
    PayloadType: u8 {
        /// No further payload.
        Last = 0 => "Last payload",
        /// Key data transport payload.
        Kemac = 1 => "KEMAC",
        /// Envelope data payload.
        Pke = 2 => "PKE",
        /// DH data payload.
        Dh = 3 => "DH",
        /// Signature payload.
        Sign = 4 => "SIGN",
        /// Timestamp payload.
        T = 5 => "T",
        /// ID payload.
        Id = 6 => "ID",
        /// Certificate payload.
        Cert = 7 => "CERT",
        /// Cert hash payload.
        Chash = 8 => "CHASH",
        /// Verification message payload.
        V = 9 => "V",
        /// Security policy payload.
        Sp = 10 => "SP",
        /// RAND payload.
        Rand = 11 => "RAND",
        /// Error payload.
        Err = 12 => "ERR",
        /// Timestamp payload with role (RFC 6043).
        Tr = 13 => "TR",
        /// ID payload with role (RFC 6043).
        Idr = 14 => "IDR",
        /// RAND payload with role (RFC 6043).
        Randr = 15 => "RANDR",
        /// Ticket policy payload (RFC 6043).
        Tp = 16 => "TP",
        /// Ticket payload (RFC 6043).
        Ticket = 17 => "TICKET",
        /// Key data sub-payload (inside KEMAC).
        KeyData = 20 => "Key data",
        /// General extension payload.
        GenExt = 21 => "General Ext.",
        /// SAKKE payload (RFC 6509).
        Sakke = 26 => "SAKKE",
    }
}

code_enum! {
    /// PRF func, 7 bits of HDR (RFC 3830 Table 6.1.c; RFC 6043 Table 6.3).
    PrfFunc: u8 {
        /// MIKEY-1, HMAC-SHA-1 based (RFC 3830 §4.1.2).
        Mikey1 = 0 => "MIKEY-1",
        /// PRF-HMAC-SHA-256 (RFC 6043 §6.1).
        HmacSha256 = 1 => "PRF-HMAC-SHA-256",
    }
}

code_enum! {
    /// CS ID map type (RFC 3830 Table 6.1.d; RFC 4563 Table 3; RFC 6043 Table 6.4).
    CsIdMapType: u8 {
        /// SRTP-ID map (RFC 3830 §6.1.1).
        SrtpId = 0 => "SRTP-ID",
        /// Empty map (RFC 4563 §5).
        Empty = 1 => "Empty map",
        /// GENERIC-ID map (RFC 6043 §6.1.1).
        GenericId = 2 => "GENERIC-ID",
    }
}

code_enum! {
    /// KEMAC encryption algorithm (RFC 3830 Table 6.2.a; RFC 6043 Table 6.5).
    EncrAlg: u8 {
        /// No encryption (RFC 3830 §4.2.3: restricted use).
        Null = 0 => "NULL",
        /// AES in counter mode, 128-bit key.
        AesCm128 = 1 => "AES-CM-128",
        /// AES key wrap, 128-bit key (RFC 3394).
        AesKw128 = 2 => "AES-KW-128",
        /// AES in counter mode, 256-bit key (RFC 6043).
        AesCm256 = 3 => "AES-CM-256",
    }
}

code_enum! {
    /// MAC algorithm for KEMAC and V (RFC 3830 Table 6.2.b; RFC 6043 Table 6.6).
    MacAlg: u8 {
        /// No MAC.
        Null = 0 => "NULL",
        /// HMAC-SHA-1, 160-bit tag.
        HmacSha1_160 = 1 => "HMAC-SHA-1-160",
        /// HMAC-SHA-256, 256-bit tag (RFC 6043).
        HmacSha256_256 = 2 => "HMAC-SHA-256-256",
    }
}

impl MacAlg {
    /// Length of the MAC field in bytes, implied by the algorithm; `None` when unknown.
    pub const fn mac_len(self) -> Option<usize> {
        match self {
            Self::Null => Some(0),
            Self::HmacSha1_160 => Some(20),
            Self::HmacSha256_256 => Some(32),
            Self::Unknown(_) => None,
        }
    }
}

code_enum! {
    /// Envelope key cache indicator, 2 bits of PKE (RFC 3830 Table 6.3; RFC 6309).
    CacheType: u8 {
        /// The envelope key must not be cached.
        NoCache = 0 => "No cache",
        /// The envelope key must be cached.
        Cache = 1 => "Cache",
        /// Cached, for this CSB only.
        CacheForCsb = 2 => "Cache for CSB",
    }
}

code_enum! {
    /// DH group (RFC 3830 Table 6.4).
    DhGroup: u8 {
        /// OAKLEY group 5, 1536-bit MODP (mandatory).
        Oakley5 = 0 => "OAKLEY 5",
        /// OAKLEY group 1, 768-bit MODP.
        Oakley1 = 1 => "OAKLEY 1",
        /// OAKLEY group 2, 1024-bit MODP.
        Oakley2 = 2 => "OAKLEY 2",
    }
}

impl DhGroup {
    /// Length of the DH value in bytes, implied by the group; `None` when unknown.
    pub const fn value_len(self) -> Option<usize> {
        match self {
            Self::Oakley5 => Some(192),
            Self::Oakley1 => Some(96),
            Self::Oakley2 => Some(128),
            Self::Unknown(_) => None,
        }
    }
}

code_enum! {
    /// Signature type, 4 bits of SIGN (RFC 3830 Table 6.5; RFC 6509 Table 6).
    SignType: u8 {
        /// RSA PKCS#1 v1.5 signature.
        RsaPkcs1 = 0 => "RSA/PKCS#1/1.5",
        /// RSASSA-PSS signature.
        RsaPss = 1 => "RSA/PSS",
        /// ECCSI signature (RFC 6507, RFC 6509).
        Eccsi = 2 => "ECCSI",
    }
}

code_enum! {
    /// Timestamp type (RFC 3830 Table 6.6; RFC 6043 Table 6.8).
    TsType: u8 {
        /// NTP timestamp in UTC, 64 bits.
        NtpUtc = 0 => "NTP-UTC",
        /// NTP timestamp, 64 bits.
        Ntp = 1 => "NTP",
        /// Counter, 32 bits.
        Counter = 2 => "COUNTER",
        /// NTP-UTC seconds only, 32 bits (RFC 6043).
        NtpUtc32 = 3 => "NTP-UTC-32",
    }
}

impl TsType {
    /// Length of the TS value in bytes, implied by the type; `None` when unknown.
    pub const fn value_len(self) -> Option<usize> {
        match self {
            Self::NtpUtc | Self::Ntp => Some(8),
            Self::Counter | Self::NtpUtc32 => Some(4),
            Self::Unknown(_) => None,
        }
    }
}

code_enum! {
    /// ID type (RFC 3830 Table 6.7.a; RFC 6043 Table 6.10).
    IdType: u8 {
        /// Network access identifier.
        Nai = 0 => "NAI",
        /// URI.
        Uri = 1 => "URI",
        /// Byte string (RFC 6043).
        ByteString = 2 => "Byte string",
    }
}

code_enum! {
    /// Certificate type (RFC 3830 Table 6.7.b).
    CertType: u8 {
        /// X.509v3 certificate, DER.
        X509v3 = 0 => "X.509v3",
        /// URL of an X.509v3 certificate.
        X509v3Url = 1 => "X.509v3 URL",
        /// X.509v3 certificate for signatures only.
        X509v3Sign = 2 => "X.509v3 Sign",
        /// X.509v3 certificate for encryption only.
        X509v3Encr = 3 => "X.509v3 Encr",
    }
}

code_enum! {
    /// Hash function of CHASH (RFC 3830 Table 6.8; RFC 6043 Table 6.12).
    HashFunc: u8 {
        /// SHA-1, 160 bits.
        Sha1 = 0 => "SHA-1",
        /// MD5, 128 bits.
        Md5 = 1 => "MD5",
        /// SHA-256, 256 bits (RFC 6043).
        Sha256 = 2 => "SHA-256",
    }
}

impl HashFunc {
    /// Length of the hash in bytes, implied by the function; `None` when unknown.
    pub const fn hash_len(self) -> Option<usize> {
        match self {
            Self::Sha1 => Some(20),
            Self::Md5 => Some(16),
            Self::Sha256 => Some(32),
            Self::Unknown(_) => None,
        }
    }
}

code_enum! {
    /// Security protocol of an SP payload or GENERIC-ID map entry (RFC 3830 Table 6.10).
    ProtType: u8 {
        /// SRTP.
        Srtp = 0 => "SRTP",
    }
}

code_enum! {
    /// Error number of ERR (RFC 3830 Table 6.12; RFC 4738 §3.9.2; RFC 6043 Table 6.14).
    ErrorNo: u8 {
        /// Authentication failure.
        AuthFailure = 0 => "Auth failure",
        /// Invalid timestamp.
        InvalidTs = 1 => "Invalid TS",
        /// PRF function not supported.
        InvalidPrf = 2 => "Invalid PRF",
        /// MAC algorithm not supported.
        InvalidMac = 3 => "Invalid MAC",
        /// Encryption algorithm not supported.
        InvalidEa = 4 => "Invalid EA",
        /// Hash function not supported.
        InvalidHa = 5 => "Invalid HA",
        /// DH group not supported.
        InvalidDh = 6 => "Invalid DH",
        /// ID not supported.
        InvalidId = 7 => "Invalid ID",
        /// Certificate not supported.
        InvalidCert = 8 => "Invalid Cert",
        /// SP type not supported.
        InvalidSp = 9 => "Invalid SP",
        /// SP parameters not supported.
        InvalidSpPar = 10 => "Invalid SPpar",
        /// Data type not supported.
        InvalidDt = 11 => "Invalid DT",
        /// Unspecified error.
        Unspecified = 12 => "Unspecified error",
        /// Unsupported message type (RFC 4738).
        UnsupportedMessageType = 13 => "Unsupported message type",
        /// Ticket type not supported (RFC 6043).
        InvalidTicket = 14 => "Invalid TICKET",
        /// TP parameters not supported (RFC 6043).
        InvalidTpPar = 15 => "Invalid TPpar",
    }
}

code_enum! {
    /// Key data type, 4 bits (RFC 3830 Table 6.13.a; RFC 6043 Table 6.7).
    KeyDataType: u8 {
        /// TEK generation key.
        Tgk = 0 => "TGK",
        /// TGK with a salt.
        TgkSalt = 1 => "TGK+SALT",
        /// Traffic encryption key.
        Tek = 2 => "TEK",
        /// TEK with a salt.
        TekSalt = 3 => "TEK+SALT",
        /// Group TGK (RFC 6043).
        Gtgk = 4 => "GTGK",
        /// Group TGK with a salt (RFC 6043).
        GtgkSalt = 5 => "GTGK+SALT",
        /// MIKEY protection key (RFC 6043).
        Mpk = 6 => "MPK",
    }
}

impl KeyDataType {
    /// Whether the sub-payload carries a salt field; `None` when the type is unknown
    /// (the layout then cannot be known).
    pub const fn has_salt(self) -> Option<bool> {
        match self {
            Self::TgkSalt | Self::TekSalt | Self::GtgkSalt => Some(true),
            Self::Tgk | Self::Tek | Self::Gtgk | Self::Mpk => Some(false),
            Self::Unknown(_) => None,
        }
    }
}

code_enum! {
    /// Key validity type, 4 bits (RFC 3830 Table 6.13.b).
    KvType: u8 {
        /// No specific usage rule.
        Null = 0 => "Null",
        /// Associated with an SPI/MKI.
        Spi = 1 => "SPI",
        /// Valid in an interval.
        Interval = 2 => "Interval",
    }
}

code_enum! {
    /// General extension type (RFC 3830 Table 6.15; RFC 4442; RFC 4563; RFC 4738;
    /// RFC 5410; 3GPP TS 33.180).
    GenExtType: u8 {
        /// Vendor specific byte string.
        VendorId = 0 => "Vendor ID",
        /// List of SDP key management IDs (RFC 4567).
        SdpIds = 1 => "SDP IDs",
        /// TESLA information (RFC 4442).
        Tesla = 2 => "TESLA",
        /// Key ID information (RFC 4563).
        KeyId = 3 => "Key ID",
        /// Responder's modified CSB ID (RFC 4738).
        CsbId = 4 => "CSB_ID",
        /// OMA BCAST (RFC 5410).
        OmaBcast = 5 => "OMA BCAST",
        /// 3GPP TS 33.180 MCData/MCPTT key parameters.
        Mcx = 7 => "3GPP TS 33.180 parameters",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(PayloadType::from_wire(v).to_wire(), v);
            assert_eq!(SrtpParamType::from_wire(v).to_wire(), v);
            assert_eq!(ErrorNo::from_wire(v).to_wire(), v);
        }
        assert_eq!(TicketType::from_wire(0xbeef).to_wire(), 0xbeef);
        assert_eq!(PayloadType::from_wire(99), PayloadType::Unknown(99));
        assert_eq!(PayloadType::Kemac.to_string(), "KEMAC (1)");
        assert_eq!(PayloadType::Unknown(99).to_string(), "Unknown (99)");
    }

    #[test]
    fn implied_lengths() {
        assert_eq!(MacAlg::HmacSha1_160.mac_len(), Some(20));
        assert_eq!(MacAlg::Unknown(9).mac_len(), None);
        assert_eq!(DhGroup::Oakley5.value_len(), Some(192));
        assert_eq!(TsType::Counter.value_len(), Some(4));
        assert_eq!(HashFunc::Sha256.hash_len(), Some(32));
        assert_eq!(KeyDataType::TekSalt.has_salt(), Some(true));
    }
}
