//! SRTP parameters from a crypto session bundle: for each crypto session and each
//! transported key, the master key, master salt, suite, SSRC, ROC, MKI, key derivation
//! rate and on/off switches an SRTP stack needs (RFC 3830 §4.1.3, §6.10.1; RFC 3711;
//! RFC 4771; RFC 6188; RFC 7714).

use super::{SrtpContext, SrtpError, SrtpSuite};
use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::crypto::{derive_from_tgk, Prf, SecretBytes, TGK_CONST_SALT, TGK_CONST_TEK};
use crate::wire::{
    CsIdMap, FecOrder, GenericCs, KeyValidity, PrfFunc, ProtType, SrtpAuthAlg, SrtpCs, SrtpEncrAlg,
    SrtpPolicy, SrtpPrf,
};

/// Why a bundle's SRTP parameters cannot be exported: each maps onto the MIKEY Error
/// payload code a responder answers with (RFC 3830 §6.12), see
/// [`SessionError`](crate::session::SessionError).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportError {
    /// The bundle's PRF is not supported (RFC 3830 §6.1 PRF func).
    InvalidPrf(u8),
    /// A crypto session's policy is not for SRTP (RFC 3830 §6.10 Prot type).
    InvalidSp(u8),
    /// Security policy parameters this SRTP implementation cannot honour.
    InvalidSpPar(String),
    /// A transported key that does not fit the suite (length, salt).
    InvalidKeyData(String),
}

impl core::fmt::Display for ExportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidPrf(v) => write!(f, "PRF func {v} not supported"),
            Self::InvalidSp(v) => write!(f, "security protocol {v} is not SRTP"),
            Self::InvalidSpPar(s) => write!(f, "security policy not supported: {s}"),
            Self::InvalidKeyData(s) => write!(f, "invalid key data: {s}"),
        }
    }
}

impl std::error::Error for ExportError {}

/// ROC-carrying transform settings (RFC 4771 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RocCarrying {
    /// Integrity transform mode (RCCm1, RCCm2 or RCCm3).
    pub mode: SrtpAuthAlg,
    /// ROC transmission rate R (default 1).
    pub rate: u16,
}

/// Everything one SRTP stream needs for one master key. Secrets are zeroized on drop and
/// never shown by `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrtpParams {
    /// Crypto session ID (1-based position in the SRTP-ID map, RFC 3830 §6.1.1).
    pub cs_id: u8,
    /// Policy number the crypto session uses.
    pub policy_no: u8,
    /// SSRC of the stream (0 when neither side has filled it in yet).
    pub ssrc: u32,
    /// Rollover counter to start from.
    pub roc: u32,
    /// The SRTP crypto suite.
    pub suite: SrtpSuite,
    /// Master key.
    pub master_key: SecretBytes,
    /// Master salt.
    pub master_salt: SecretBytes,
    /// MKI (the key's SPI), when the key has one.
    pub mki: Option<Vec<u8>>,
    /// Key validity of the key (MKI or interval).
    pub key_validity: KeyValidity<'static>,
    /// Key derivation rate (0: derive once).
    pub kdr: u64,
    /// SRTP encryption on.
    pub srtp_encryption: bool,
    /// SRTCP encryption on.
    pub srtcp_encryption: bool,
    /// SRTP authentication on.
    pub srtp_authentication: bool,
    /// RFC 4771 ROC-carrying settings, when the policy asks for them.
    pub rcc: Option<RocCarrying>,
}

impl SrtpParams {
    /// An SRTP context for these parameters (MKI, KDR and ROC applied).
    pub fn context(&self) -> Result<SrtpContext, SrtpError> {
        let mut c = SrtpContext::new(
            self.suite,
            self.master_key.as_bytes(),
            self.master_salt.as_bytes(),
        )?
        .with_kdr(self.kdr)?;
        if let Some(m) = &self.mki {
            c = c.with_mki(m);
        }
        if self.ssrc != 0 || self.roc != 0 {
            c.set_roc(self.ssrc, self.roc);
        }
        Ok(c)
    }
}

fn bad(s: impl Into<String>) -> ExportError {
    ExportError::InvalidSpPar(s.into())
}

/// Maps an SRTP policy onto a suite and switches. Absent parameters take the defaults of
/// RFC 3711 §8.2 (AES-CM 128, HMAC-SHA-1, 80-bit tag, 112-bit salt); a policy this crate's
/// SRTP cannot honour is an `InvalidSpPar` error, never a silent default.
pub fn suite_for(
    p: &SrtpPolicy,
    gstreamer_auth_key_len: bool,
) -> Result<(SrtpSuite, Option<RocCarrying>), ExportError> {
    if p.prf.is_some_and(|f| f != SrtpPrf::AesCm) {
        return Err(bad("SRTP PRF other than AES-CM"));
    }
    if p.fec_order.is_some_and(|f| f != FecOrder::FecSrtp) {
        return Err(bad("FEC order other than FEC-SRTP"));
    }
    if p.prefix_len.is_some_and(|l| l != 0) {
        return Err(bad("SRTP prefix length other than 0"));
    }
    if p.srtp_authentication == Some(false) {
        return Err(bad("SRTP without authentication"));
    }
    if !p.unknown.is_empty() {
        return Err(bad(format!(
            "unknown or malformed SRTP parameter types {:?}",
            p.unknown.iter().map(|u| u.0).collect::<Vec<_>>()
        )));
    }
    let encr = p.encr_alg.unwrap_or(SrtpEncrAlg::AesCm);
    let srtp_encr = p.srtp_encryption.unwrap_or(true) && encr != SrtpEncrAlg::Null;
    if encr == SrtpEncrAlg::AesGcm {
        let tag = p.aead_auth_tag_len.unwrap_or(16);
        if tag != 16 {
            return Err(bad(format!("AEAD tag length {tag} (only 16 is supported)")));
        }
        if !p.srtp_encryption.unwrap_or(true) {
            return Err(bad("AES-GCM with SRTP encryption off"));
        }
        let suite = match p.encr_key_len.unwrap_or(16) {
            16 => SrtpSuite::AeadAes128Gcm,
            32 => SrtpSuite::AeadAes256Gcm,
            l => return Err(bad(format!("AES-GCM key length {l}"))),
        };
        if p.salt_key_len.is_some_and(|l| l != 12) {
            return Err(bad("AES-GCM salt length other than 12"));
        }
        return Ok((suite, None));
    }
    let auth = p
        .srtp_auth_alg
        .or(p.auth_alg)
        .unwrap_or(SrtpAuthAlg::HmacSha1);
    let (rcc, tag_extra) = match auth {
        SrtpAuthAlg::HmacSha1 => (None, 0),
        SrtpAuthAlg::RccM1 | SrtpAuthAlg::RccM2 | SrtpAuthAlg::RccM3 => (
            Some(RocCarrying {
                mode: auth,
                rate: p.roc_tx_rate.unwrap_or(1),
            }),
            4,
        ),
        other => return Err(bad(format!("SRTP authentication algorithm {other}"))),
    };
    if rcc.is_some_and(|r| r.rate == 0) {
        return Err(bad("ROC transmission rate 0"));
    }
    let mut key_len = p.srtp_auth_key_len.or(p.auth_key_len).unwrap_or(20);
    if key_len == 10 && gstreamer_auth_key_len {
        key_len = 20;
    }
    if key_len != 20 {
        return Err(bad(format!(
            "session auth key length {key_len} (HMAC-SHA-1 uses 20)"
        )));
    }
    let tag = p
        .srtp_auth_tag_len
        .or(p.auth_tag_len)
        .unwrap_or(10 + tag_extra);
    let short = match tag.checked_sub(tag_extra) {
        Some(10) => false,
        Some(4) => true,
        _ => return Err(bad(format!("authentication tag length {tag}"))),
    };
    if p.salt_key_len.is_some_and(|l| l != 14) {
        return Err(bad("salt length other than 14"));
    }
    use SrtpSuite as S;
    let suite = if !srtp_encr {
        if short {
            S::NullHmacSha1_32
        } else {
            S::NullHmacSha1_80
        }
    } else {
        if encr != SrtpEncrAlg::AesCm {
            return Err(bad(format!("SRTP encryption algorithm {encr}")));
        }
        match (p.encr_key_len.unwrap_or(16), short) {
            (16, false) => S::AesCm128HmacSha1_80,
            (16, true) => S::AesCm128HmacSha1_32,
            (24, false) => S::AesCm192HmacSha1_80,
            (24, true) => S::AesCm192HmacSha1_32,
            (32, false) => S::AesCm256HmacSha1_80,
            (32, true) => S::AesCm256HmacSha1_32,
            (l, _) => return Err(bad(format!("AES-CM key length {l}"))),
        }
    };
    Ok((suite, rcc))
}

fn prf_of(p: PrfFunc) -> Result<Prf, ExportError> {
    match p {
        PrfFunc::Mikey1 => Ok(Prf::MikeyOne),
        PrfFunc::HmacSha256 => Ok(Prf::HmacSha256),
        PrfFunc::Unknown(v) => Err(ExportError::InvalidPrf(v)),
    }
}

/// Master key and salt for `cs_id` from a transported key (RFC 3830 §4.1.3): a TGK is run
/// through the PRF with the TEK and salt labels; a carried salt wins over a derived one; a
/// TEK is used directly, and a TEK without salt that is as long as key + salt is split.
pub fn master_key_and_salt(
    bundle: &CryptoSessionBundle,
    key: &TransportKey,
    cs_id: u8,
    suite: SrtpSuite,
) -> Result<(SecretBytes, SecretBytes), ExportError> {
    let (kl, sl) = (suite.master_key_len(), suite.master_salt_len());
    if key.is_tgk() {
        let prf = prf_of(bundle.prf)?;
        let mk = derive_from_tgk(
            prf,
            key.key.as_bytes(),
            TGK_CONST_TEK,
            cs_id,
            bundle.csb_id,
            &bundle.rand,
            kl,
        );
        let salt = match &key.salt {
            Some(s) => s.clone(),
            None => derive_from_tgk(
                prf,
                key.key.as_bytes(),
                TGK_CONST_SALT,
                cs_id,
                bundle.csb_id,
                &bundle.rand,
                sl,
            ),
        };
        if salt.len() != sl {
            return Err(ExportError::InvalidKeyData(format!(
                "salt of {} bytes, {} needs {sl}",
                salt.len(),
                suite
            )));
        }
        return Ok((mk, salt));
    }
    let k = key.key.as_bytes();
    match &key.salt {
        Some(s) if k.len() == kl && s.len() == sl => Ok((key.key.clone(), s.clone())),
        None if k.len() == kl + sl => Ok((
            SecretBytes::from_slice(&k[..kl]),
            SecretBytes::from_slice(&k[kl..]),
        )),
        _ => Err(ExportError::InvalidKeyData(format!(
            "TEK of {} bytes{} does not fit {suite} ({kl}-byte key, {sl}-byte salt)",
            k.len(),
            key.salt
                .as_ref()
                .map(|s| format!(" with a {}-byte salt", s.len()))
                .unwrap_or_default()
        ))),
    }
}

/// Checks that [`export`] will succeed, without deriving any key: every crypto session's
/// policy maps onto a suite, and every transported key fits it (a responder runs this before
/// accepting a message, so a bundle it holds can always be exported).
pub fn check(bundle: &CryptoSessionBundle) -> Result<(), ExportError> {
    prf_of(bundle.prf)?;
    for (_, policy_no, _, _) in sessions(bundle) {
        let policy = policy_of(bundle, policy_no)?;
        let (suite, _) = suite_for(&policy, bundle.gstreamer_auth_key_len)?;
        kdr_of(&policy)?;
        for key in &bundle.keys {
            let bad_salt = key
                .salt
                .as_ref()
                .is_some_and(|s| s.len() != suite.master_salt_len());
            if key.is_tgk() && bad_salt {
                return Err(ExportError::InvalidKeyData(format!(
                    "salt does not fit {suite}"
                )));
            }
            if !key.is_tgk() {
                master_key_and_salt(bundle, key, 0, suite)?;
            }
        }
    }
    Ok(())
}

/// (CS ID, policy number, SSRC, ROC) of every SRTP crypto session (no allocation).
fn sessions(
    bundle: &CryptoSessionBundle,
) -> Sessions<impl Iterator<Item = (u8, SrtpCs)> + '_, impl Iterator<Item = GenericCs<'_>> + '_> {
    match &bundle.cs_map {
        CsIdMap::SrtpId(m) => Sessions::Srtp(m.iter()),
        CsIdMap::GenericId(m) => Sessions::Generic(m.iter()),
        _ => Sessions::None,
    }
}

/// The iterator of [`sessions`]: one arm per map type (cheaper than chaining optional
/// iterators).
enum Sessions<S, G> {
    Srtp(S),
    Generic(G),
    None,
}

impl<'b, S, G> Iterator for Sessions<S, G>
where
    S: Iterator<Item = (u8, SrtpCs)>,
    G: Iterator<Item = GenericCs<'b>>,
{
    type Item = (u8, u8, u32, u32);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Sessions::Srtp(it) => it.next().map(|(id, c)| (id, c.policy_no, c.ssrc, c.roc)),
            Sessions::Generic(it) => it.find(|c| c.prot_type == ProtType::Srtp).map(|c| {
                (
                    c.cs_id,
                    c.policies.first().copied().unwrap_or(0),
                    c.ssrc().unwrap_or(0),
                    c.roc().unwrap_or(0),
                )
            }),
            Sessions::None => None,
        }
    }
}

fn policy_of(bundle: &CryptoSessionBundle, policy_no: u8) -> Result<SrtpPolicy, ExportError> {
    match bundle.policy(policy_no) {
        Some(sp) if sp.prot_type != ProtType::Srtp => {
            Err(ExportError::InvalidSp(sp.prot_type.to_wire()))
        }
        Some(sp) => Ok(sp.srtp()),
        None => Ok(SrtpPolicy::default()),
    }
}

fn kdr_of(policy: &SrtpPolicy) -> Result<u64, ExportError> {
    let kdr = policy.kdr.unwrap_or(0);
    if kdr != 0 && (!kdr.is_power_of_two() || kdr > 1 << 24) {
        return Err(bad(format!("key derivation rate {kdr}")));
    }
    Ok(kdr)
}

/// The SRTP parameters of every crypto session and key of a bundle, in map order then key
/// order. A crypto session whose policy is missing uses the RFC 3711 defaults.
pub fn export(bundle: &CryptoSessionBundle) -> Result<Vec<SrtpParams>, ExportError> {
    let sessions_len = match &bundle.cs_map {
        CsIdMap::Empty { .. } => 0,
        m => usize::from(m.count()),
    };
    let mut out = Vec::with_capacity(sessions_len * bundle.keys.len());
    for (cs_id, policy_no, ssrc, roc) in sessions(bundle) {
        let policy = policy_of(bundle, policy_no)?;
        let (suite, rcc) = suite_for(&policy, bundle.gstreamer_auth_key_len)?;
        let kdr = kdr_of(&policy)?;
        for key in &bundle.keys {
            let (master_key, master_salt) = master_key_and_salt(bundle, key, cs_id, suite)?;
            out.push(SrtpParams {
                cs_id,
                policy_no,
                ssrc,
                roc,
                suite,
                master_key,
                master_salt,
                mki: key.mki().map(|m| m.to_vec()),
                key_validity: key.kv.clone(),
                kdr,
                srtp_encryption: suite.encrypts(),
                srtcp_encryption: policy.srtcp_encryption.unwrap_or(true),
                srtp_authentication: true,
                rcc,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::SrtpParamType;

    #[test]
    fn defaults_and_suites() {
        assert_eq!(
            suite_for(&SrtpPolicy::default(), false).unwrap().0,
            SrtpSuite::AesCm128HmacSha1_80
        );
        let p = SrtpPolicy {
            encr_key_len: Some(32),
            auth_tag_len: Some(4),
            ..SrtpPolicy::default()
        };
        assert_eq!(
            suite_for(&p, false).unwrap().0,
            SrtpSuite::AesCm256HmacSha1_32
        );
        let g = SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::AesGcm),
            aead_auth_tag_len: Some(16),
            salt_key_len: Some(12),
            ..SrtpPolicy::default()
        };
        assert_eq!(suite_for(&g, false).unwrap().0, SrtpSuite::AeadAes128Gcm);
        let f8 = SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::AesF8),
            ..SrtpPolicy::default()
        };
        assert!(matches!(
            suite_for(&f8, false),
            Err(ExportError::InvalidSpPar(_))
        ));
        let gst = SrtpPolicy {
            auth_key_len: Some(10),
            ..SrtpPolicy::aes_cm_128_hmac_sha1_80()
        };
        assert!(suite_for(&gst, false).is_err());
        assert_eq!(
            suite_for(&gst, true).unwrap().0,
            SrtpSuite::AesCm128HmacSha1_80
        );
        let rcc = SrtpPolicy {
            auth_alg: Some(SrtpAuthAlg::RccM2),
            roc_tx_rate: Some(16),
            auth_tag_len: Some(14),
            ..SrtpPolicy::default()
        };
        let (s, r) = suite_for(&rcc, false).unwrap();
        assert_eq!(
            (s, r),
            (
                SrtpSuite::AesCm128HmacSha1_80,
                Some(RocCarrying {
                    mode: SrtpAuthAlg::RccM2,
                    rate: 16
                })
            )
        );
        let unk = SrtpPolicy {
            unknown: vec![(SrtpParamType::Unknown(99).to_wire(), vec![1])],
            ..SrtpPolicy::default()
        };
        assert!(suite_for(&unk, false).is_err());
    }
}
