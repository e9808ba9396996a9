//! The SRTP policy parameter codes of the SP payload (RFC 3830 §6.10.1 Table 6.10.1.a-e;
//! RFC 4771 §4; RFC 7714 §14.3).

code_enum! {
    /// SRTP policy parameter type (RFC 3830 Table 6.10.1.a; RFC 4771 Tables 2-3;
    /// RFC 7714 §14.3).
    SrtpParamType: u8 {
        /// Encryption algorithm.
        EncrAlg = 0 => "Encryption algorithm",
        /// Session encryption key length (also the master key length).
        EncrKeyLen = 1 => "Session Encr. key length",
        /// Authentication algorithm.
        AuthAlg = 2 => "Authentication algorithm",
        /// Session authentication key length.
        AuthKeyLen = 3 => "Session Auth. key length",
        /// Session salt key length.
        SaltKeyLen = 4 => "Session Salt key length",
        /// SRTP pseudo-random function.
        Prf = 5 => "SRTP Pseudo Random Function",
        /// Key derivation rate.
        KeyDerivationRate = 6 => "Key derivation rate",
        /// SRTP encryption off/on.
        SrtpEncryption = 7 => "SRTP encryption off/on",
        /// SRTCP encryption off/on.
        SrtcpEncryption = 8 => "SRTCP encryption off/on",
        /// Sender's FEC order.
        FecOrder = 9 => "sender's FEC order",
        /// SRTP authentication off/on.
        SrtpAuthentication = 10 => "SRTP authentication off/on",
        /// Authentication tag length in bytes.
        AuthTagLen = 11 => "Authentication tag length",
        /// SRTP prefix length in bytes.
        PrefixLen = 12 => "SRTP prefix length",
        /// ROC transmission rate (RFC 4771).
        RocTxRate = 13 => "ROC transmission rate",
        /// SRTP authentication algorithm (RFC 4771).
        SrtpAuthAlg = 14 => "SRTP Auth. algorithm",
        /// SRTCP authentication algorithm (RFC 4771).
        SrtcpAuthAlg = 15 => "SRTCP Auth. algorithm",
        /// SRTP session authentication key length (RFC 4771).
        SrtpAuthKeyLen = 16 => "SRTP Session Auth. key len",
        /// SRTCP session authentication key length (RFC 4771).
        SrtcpAuthKeyLen = 17 => "SRTCP Session Auth. key len",
        /// SRTP authentication tag length (RFC 4771).
        SrtpAuthTagLen = 18 => "SRTP Authentication tag len",
        /// SRTCP authentication tag length (RFC 4771).
        SrtcpAuthTagLen = 19 => "SRTCP Authentication tag len",
        /// AEAD authentication tag length (RFC 7714).
        AeadAuthTagLen = 20 => "AEAD authentication tag length",
    }
}

code_enum! {
    /// SRTP encryption algorithm (RFC 3830 Table 6.10.1.b; RFC 5669; RFC 7714 §14.3).
    SrtpEncrAlg: u8 {
        /// NULL cipher.
        Null = 0 => "NULL",
        /// AES counter mode.
        AesCm = 1 => "AES-CM",
        /// AES f8 mode.
        AesF8 = 2 => "AES-F8",
        /// SEED counter mode (RFC 5669).
        SeedCtr = 3 => "SEED-CTR",
        /// SEED CCM (RFC 5669).
        SeedCcm = 4 => "SEED-CCM",
        /// SEED GCM (RFC 5669).
        SeedGcm = 5 => "SEED-GCM",
        /// AES-GCM (RFC 7714).
        AesGcm = 6 => "AES-GCM",
    }
}

code_enum! {
    /// SRTP authentication algorithm (RFC 3830 Table 6.10.1.c; RFC 4771 Table 1).
    SrtpAuthAlg: u8 {
        /// No authentication.
        Null = 0 => "NULL",
        /// HMAC-SHA-1.
        HmacSha1 = 1 => "HMAC-SHA-1",
        /// ROC carrying transform, mode 1 (RFC 4771).
        RccM1 = 2 => "RCCm1",
        /// ROC carrying transform, mode 2 (RFC 4771).
        RccM2 = 3 => "RCCm2",
        /// ROC carrying transform, mode 3 (RFC 4771).
        RccM3 = 4 => "RCCm3",
    }
}

code_enum! {
    /// SRTP pseudo-random function (RFC 3830 Table 6.10.1.d).
    SrtpPrf: u8 {
        /// AES-CM PRF.
        AesCm = 0 => "AES-CM",
    }
}

code_enum! {
    /// FEC order (RFC 3830 Table 6.10.1.e).
    FecOrder: u8 {
        /// First FEC, then SRTP.
        FecSrtp = 0 => "FEC-SRTP",
    }
}
