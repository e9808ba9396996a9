//! SRTP parameters from a crypto session bundle: for each crypto session and each
//! transported key, the master key, master salt, suite, SSRC, ROC, MKI, key derivation
//! rate and on/off switches an SRTP stack needs (RFC 3830 §4.1.3, §6.10.1; RFC 3711;
//! RFC 4771; RFC 6188; RFC 7714).

pub use super::policy::{policy_for, suite_for, RocCarrying};
use super::{KeyInterval, SrtpContext, SrtpError, SrtpSuite};
use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::crypto::{derive_tgk_keyed, Prf, PrfKey, SecretBytes, TGK_CONST_SALT, TGK_CONST_TEK};
use crate::wire::{
    CsIdMap, GenericCs, KeyValidity, PrfFunc, ProtType, SecurityPolicy, SrtpCs, SrtpPolicy,
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
    /// RFC 4771 ROC-carrying settings the SRTP context cannot honour: RCCm1 or RCCm2
    /// with an AEAD suite, a tag length that does not fit the mode, a rate R of 0.
    RocCarrying(String),
    /// Key validity data the SRTP context cannot honour (RFC 3830 §6.14, RFC 3711
    /// §8.1.1): an Interval whose Valid From / Valid To are not 6-octet SRTP indices, or
    /// whose From lies after its To.
    KeyValidity(String),
}

impl core::fmt::Display for ExportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidPrf(v) => write!(f, "PRF func {v} not supported"),
            Self::InvalidSp(v) => write!(f, "security protocol {v} is not SRTP"),
            Self::InvalidSpPar(s) => write!(f, "security policy not supported: {s}"),
            Self::InvalidKeyData(s) => write!(f, "invalid key data: {s}"),
            Self::RocCarrying(s) => write!(f, "ROC-carrying transform not supported: {s}"),
            Self::KeyValidity(s) => write!(f, "key validity not supported: {s}"),
        }
    }
}

impl std::error::Error for ExportError {}

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
    /// Key validity of the key (MKI or interval; an interval's Valid From / Valid To are
    /// 6-octet SRTP indices, checked by [`export`]).
    pub key_validity: KeyValidity<'static>,
    /// Key derivation rate (0: derive once).
    pub kdr: u64,
    /// SRTP encryption on.
    pub srtp_encryption: bool,
    /// SRTCP encryption on (false whenever the suite does not encrypt).
    pub srtcp_encryption: bool,
    /// SRTP authentication on.
    pub srtp_authentication: bool,
    /// RFC 4771 ROC-carrying settings, when the policy asks for them.
    pub rcc: Option<RocCarrying>,
}

impl SrtpParams {
    /// Parameters for a master key and salt obtained some other way (SDES, a capture's
    /// notes, a test): crypto session 1, SSRC 0, ROC 0, no MKI, no interval, KDR 0,
    /// encryption as the suite does, no RCC. Refused when the lengths do not fit `suite`.
    ///
    /// ```
    /// # use mikey::srtp::{SrtpParams, SrtpSuite};
    /// let p = SrtpParams { ssrc: 7, ..SrtpParams::from_keys(SrtpSuite::AeadAes128Gcm, &[1; 16], &[2; 12]).unwrap() };
    /// assert!(p.context().is_ok());
    /// ```
    pub fn from_keys(
        suite: SrtpSuite,
        master_key: &[u8],
        master_salt: &[u8],
    ) -> Result<Self, ExportError> {
        if master_key.len() != suite.master_key_len()
            || master_salt.len() != suite.master_salt_len()
        {
            return Err(ExportError::InvalidKeyData(format!(
                "{suite} takes a {}-octet key and a {}-octet salt",
                suite.master_key_len(),
                suite.master_salt_len()
            )));
        }
        Ok(Self {
            cs_id: 1,
            policy_no: 0,
            ssrc: 0,
            roc: 0,
            suite,
            master_key: SecretBytes::from_slice(master_key),
            master_salt: SecretBytes::from_slice(master_salt),
            mki: None,
            key_validity: KeyValidity::Null,
            kdr: 0,
            srtp_encryption: suite.encrypts(),
            srtcp_encryption: suite.encrypts(),
            srtp_authentication: true,
            rcc: None,
        })
    }

    /// An SRTP context for these parameters: MKI, key-validity interval, KDR, RCC, SRTCP
    /// encryption, SSRC and ROC applied (every field is honoured).
    ///
    /// ```
    /// # use mikey::srtp::{export::SrtpParams, SrtpSuite};
    /// # use mikey::crypto::SecretBytes;
    /// # use mikey::wire::KeyValidity;
    /// let p = SrtpParams {
    ///     cs_id: 1, policy_no: 0, ssrc: 0x1234, roc: 2, suite: SrtpSuite::AesCm128HmacSha1_80,
    ///     master_key: SecretBytes::from_slice(&[1; 16]),
    ///     master_salt: SecretBytes::from_slice(&[2; 14]),
    ///     mki: None, key_validity: KeyValidity::Null, kdr: 0, srtp_encryption: true,
    ///     srtcp_encryption: true, srtp_authentication: true, rcc: None,
    /// };
    /// assert_eq!(p.context().unwrap().roc(0x1234), Some(2));
    /// ```
    pub fn context(&self) -> Result<SrtpContext, SrtpError> {
        let mut c = SrtpContext::new(
            self.suite,
            self.master_key.as_bytes(),
            self.master_salt.as_bytes(),
        )?
        .with_kdr(self.kdr)?
        .with_srtcp_encryption(self.srtcp_encryption);
        if let Some(m) = &self.mki {
            c = c.with_mki(m);
        }
        if let Some(i) = self.interval()? {
            c = c.with_interval(i);
        }
        if let Some(r) = self.rcc {
            c = c.with_rcc(r.mode, r.rate)?;
        }
        if self.ssrc != 0 || self.roc != 0 {
            c.set_roc(self.ssrc, self.roc);
        }
        Ok(c)
    }

    /// The `<From, To>` interval of the key (RFC 3711 §8.1.1), when its key validity is
    /// an Interval of 6-octet SRTP indices (RFC 3830 §6.14).
    pub fn interval(&self) -> Result<Option<KeyInterval>, SrtpError> {
        match &self.key_validity {
            KeyValidity::Interval { from, to } => KeyInterval::from_mikey(from, to)
                .unwrap_or(Err(SrtpError::BadInterval))
                .map(Some),
            _ => Ok(None),
        }
    }
}

/// One context holding every key of crypto session `cs_id` (RFC 3711 §3.2.1): a receiver
/// picks each packet's key by its MKI, or by interval when the keys have none; a sender
/// uses the first key where no interval decides ([`SrtpContext::select_mki`] changes it).
///
/// [`SrtpError::NoValidKey`] when `params` has no key for `cs_id`, [`SrtpError::BadMki`]
/// when the keys' MKIs differ in length or repeat.
pub fn stream_context(params: &[SrtpParams], cs_id: u8) -> Result<SrtpContext, SrtpError> {
    let mut keys = params.iter().filter(|p| p.cs_id == cs_id);
    let mut c = keys.next().ok_or(SrtpError::NoValidKey)?.context()?;
    for p in keys {
        c.add_master_key(
            p.master_key.as_bytes(),
            p.master_salt.as_bytes(),
            p.mki.as_deref().unwrap_or_default(),
            p.interval()?,
        )?;
    }
    Ok(c)
}

/// Checks that key validity data is one the SRTP context honours (RFC 3830 §6.14).
fn check_validity(kv: &KeyValidity<'_>) -> Result<(), ExportError> {
    if let KeyValidity::Interval { from, to } = kv {
        match KeyInterval::from_mikey(from, to) {
            Some(Ok(_)) => {}
            Some(Err(_)) => {
                return Err(ExportError::KeyValidity("Valid From after Valid To".into()))
            }
            None => {
                return Err(ExportError::KeyValidity(format!(
                    "Valid From / Valid To of {} / {} octets, SRTP indices have 6",
                    from.len(),
                    to.len()
                )))
            }
        }
    }
    Ok(())
}

/// The PRF of a `PRF func` code (the one table: `Prf`'s `TryFrom<PrfFunc>`).
fn prf_of(p: PrfFunc) -> Result<Prf, ExportError> {
    Prf::try_from(p).map_err(|_| ExportError::InvalidPrf(p.to_wire()))
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
        // Keyed once for both labels (RFC 3830 §4.1.3): the TEK and the salt share the
        // PRF's HMAC key schedule.
        let tgk = PrfKey::new(prf_of(bundle.prf)?, key.key.as_bytes());
        let derive = |constant, len| {
            derive_tgk_keyed(&tgk, constant, cs_id, bundle.csb_id, &bundle.rand, len)
        };
        let mk = derive(TGK_CONST_TEK, kl);
        let salt = match &key.salt {
            Some(s) => s.clone(),
            None => derive(TGK_CONST_SALT, sl),
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
    check_suites(bundle, |_| Ok(())).map(|_| ())
}

/// [`check`], calling `on_suite` with the suite of each crypto session as soon as it is
/// known (before the session's keys are checked): a caller's own check per suite (the
/// responder's TGK length) runs without decoding the policies a second time. Returns the
/// policies it decoded, for [`export_decoded`] to reuse.
pub(crate) fn check_suites<E: From<ExportError>>(
    bundle: &CryptoSessionBundle,
    mut on_suite: impl FnMut(SrtpSuite) -> Result<(), E>,
) -> Result<DecodedPolicies, E> {
    prf_of(bundle.prf)?;
    let mut known = DecodedPolicies::default();
    for (_, policy_no, _, _) in sessions(&bundle.cs_map) {
        let s = known.settings(bundle, policy_no)?;
        known.remember(s);
        let suite = s.suite;
        on_suite(suite)?;
        for key in &bundle.keys {
            check_validity(&key.kv)?;
            let bad_salt = key
                .salt
                .as_ref()
                .is_some_and(|s| s.len() != suite.master_salt_len());
            if key.is_tgk() && bad_salt {
                return Err(
                    ExportError::InvalidKeyData(format!("salt does not fit {suite}")).into(),
                );
            }
            if !key.is_tgk() {
                master_key_and_salt(bundle, key, 0, suite)?;
            }
        }
    }
    Ok(known)
}

/// What [`export`] needs of one security policy, decoded (RFC 3830 §6.10.1): its suite,
/// RCC settings, key derivation rate and SRTCP encryption switch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PolicySettings {
    policy_no: u8,
    suite: SrtpSuite,
    srtcp_encryption: bool,
    rcc: Option<RocCarrying>,
    /// At most 2^24 ([`kdr_of`]).
    kdr: u32,
}

/// The settings of the first policy number a bundle's crypto sessions use, as
/// [`check_suites`] decoded them: a responder keeps them with the bundle so that its
/// exports decode no policy again (others are decoded when exported; one slot, 12 bytes,
/// since every bundle table entry carries it). They hold as long as the bundle's policies
/// and its GStreamer flag are unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DecodedPolicies(Option<PolicySettings>);

impl DecodedPolicies {
    fn get(&self, policy_no: u8) -> Option<PolicySettings> {
        self.0.filter(|s| s.policy_no == policy_no)
    }

    /// The settings of `policy_no`: as kept, else decoded from `bundle`.
    fn settings(
        &self,
        bundle: &CryptoSessionBundle,
        policy_no: u8,
    ) -> Result<PolicySettings, ExportError> {
        match self.get(policy_no) {
            Some(s) => Ok(s),
            None => settings(bundle, policy_no),
        }
    }

    /// Keeps `s` if no policy is kept yet (the first one decoded).
    fn remember(&mut self, s: PolicySettings) {
        self.0.get_or_insert(s);
    }

    /// The settings of the first SRTP crypto session's policy of a message carrying
    /// `cs_map` and `policies`, decoded as [`export`] decodes them from the bundle the
    /// message makes: `existing` updated, or a new one (`None`). Kept only when they hold
    /// for that bundle: the message carries the policy ([`message_policy`]), or the bundle
    /// is new (an update without it leaves the bundle's own policy in place). Nothing is
    /// kept when the map has no SRTP crypto session or the policy does not export. Decoded
    /// without the GStreamer reading of the auth key length: that reading only accepts
    /// more ([`suite_for`]), so settings decoded without it are those of a bundle with it.
    pub(crate) fn of_message(
        cs_map: &CsIdMap<'_>,
        policies: &[SecurityPolicy<'_>],
        existing: Option<&CryptoSessionBundle>,
    ) -> Self {
        let Some((_, no, _, _)) = sessions(cs_map).next() else {
            return Self::default();
        };
        let policy = message_policy(policies, no);
        let holds = existing.is_none() || policy.is_some();
        Self(holds.then(|| decode(policy, no, false).ok()).flatten())
    }

    /// The suite of `policy_no`, when its settings are kept.
    pub(crate) fn suite(&self, policy_no: u8) -> Option<SrtpSuite> {
        self.get(policy_no).map(|s| s.suite)
    }
}

/// The policy numbered `policy_no` of a message's SP payloads: the last one of that number,
/// as [`CryptoSessionBundle::update`] keeps it (RFC 3830 §4.5).
pub(crate) fn message_policy<'p, 'a>(
    policies: &'p [SecurityPolicy<'a>],
    policy_no: u8,
) -> Option<&'p SecurityPolicy<'a>> {
    policies.iter().rev().find(|p| p.policy_no == policy_no)
}

/// Decodes policy `policy_no` of `bundle` (the RFC 3711 defaults when it has none).
fn settings(bundle: &CryptoSessionBundle, policy_no: u8) -> Result<PolicySettings, ExportError> {
    let policy = bundle.policy(policy_no);
    decode(policy, policy_no, bundle.gstreamer_auth_key_len)
}

/// Decodes `sp`, the policy numbered `policy_no` (the RFC 3711 defaults when there is
/// none), reading an SRTP auth key length of 10 as 20 with `gstreamer_auth_key_len`.
fn decode(
    sp: Option<&SecurityPolicy<'_>>,
    policy_no: u8,
    gstreamer_auth_key_len: bool,
) -> Result<PolicySettings, ExportError> {
    let policy = match sp {
        Some(sp) if sp.prot_type != ProtType::Srtp => {
            return Err(ExportError::InvalidSp(sp.prot_type.to_wire()))
        }
        Some(sp) => sp.srtp(),
        None => SrtpPolicy::default(),
    };
    let (suite, rcc) = suite_for(&policy, gstreamer_auth_key_len)?;
    Ok(PolicySettings {
        policy_no,
        suite,
        rcc,
        kdr: kdr_of(&policy)?,
        srtcp_encryption: suite.encrypts() && policy.srtcp_encryption.unwrap_or(true),
    })
}

/// (CS ID, policy number, SSRC, ROC) of every SRTP crypto session of `cs_map` (no
/// allocation).
pub(crate) fn sessions<'m>(
    cs_map: &'m CsIdMap<'_>,
) -> Sessions<impl Iterator<Item = (u8, SrtpCs)> + 'm, impl Iterator<Item = GenericCs<'m>> + 'm> {
    match cs_map {
        CsIdMap::SrtpId(m) => Sessions::Srtp(m.iter()),
        CsIdMap::GenericId(m) => Sessions::Generic(m.iter()),
        _ => Sessions::None,
    }
}

/// The iterator of [`sessions`]: one arm per map type (cheaper than chaining optional
/// iterators).
pub(crate) enum Sessions<S, G> {
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

    #[inline]
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

/// The key derivation rate: 0, or a power of two up to 2^24 (RFC 3711 §4.3.1).
fn kdr_of(policy: &SrtpPolicy) -> Result<u32, ExportError> {
    let kdr = policy.kdr.unwrap_or(0);
    match u32::try_from(kdr) {
        Ok(k) if k == 0 || (k.is_power_of_two() && k <= 1 << 24) => Ok(k),
        _ => Err(ExportError::InvalidSpPar(format!(
            "key derivation rate {kdr}"
        ))),
    }
}

/// The SRTP parameters of every crypto session and key of a bundle, in map order then key
/// order. A crypto session whose policy is missing uses the RFC 3711 defaults.
pub fn export(bundle: &CryptoSessionBundle) -> Result<Vec<SrtpParams>, ExportError> {
    export_decoded(bundle, &DecodedPolicies::default())
}

/// [`export`], taking the settings of the policies in `known` as decoded (they must be
/// [`check_suites`]' result for this bundle as it is now).
pub(crate) fn export_decoded(
    bundle: &CryptoSessionBundle,
    known: &DecodedPolicies,
) -> Result<Vec<SrtpParams>, ExportError> {
    let sessions_len = match &bundle.cs_map {
        CsIdMap::Empty { .. } => 0,
        m => usize::from(m.count()),
    };
    let mut out = Vec::with_capacity(sessions_len * bundle.keys.len());
    for (cs_id, policy_no, ssrc, roc) in sessions(&bundle.cs_map) {
        let s = known.settings(bundle, policy_no)?;
        let suite = s.suite;
        for key in &bundle.keys {
            check_validity(&key.kv)?;
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
                kdr: u64::from(s.kdr),
                srtp_encryption: suite.encrypts(),
                srtcp_encryption: s.srtcp_encryption,
                srtp_authentication: true,
                rcc: s.rcc,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
