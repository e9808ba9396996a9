//! The controller's per-member state and the group-wide parts of every exchange.

use super::*;

// ---------------------------------------------------------------------------------------
// Per-member messages and replies

/// The controller's signing key for public-key members (RFC 3830 §3.2 SIGNi), shared by
/// every member's initiator.
#[derive(Clone)]
pub(super) struct Signer {
    pub(super) provider: Arc<dyn CryptoProvider>,
    pub(super) key: Arc<dyn RsaPrivate>,
    pub(super) certs: Vec<Vec<u8>>,
}

/// The group-wide parts of every exchange.
pub(super) struct Ctx<'a> {
    pub(super) cfg: &'a GroupConfig,
    pub(super) csb_id: u32,
    pub(super) rand: &'a [u8],
    pub(super) signer: Option<&'a Signer>,
    /// The crypto sessions of `cfg` as the SRTP-ID map sent (RFC 3830 §6.1.1).
    pub(super) cs_map: &'a CsIdMap<'static>,
}

impl Ctx<'_> {
    /// The CSB with `keys`, as a member builds it from the group's messages: through
    /// [`CryptoSessionBundle::update`], so a policy number given twice means its last
    /// policy here as at the member.
    pub(super) fn bundle(&self, keys: Vec<TransportKey>) -> CryptoSessionBundle {
        let mut b = CryptoSessionBundle::new(self.csb_id, self.cfg.prf, self.rand.to_vec());
        b.update(Some(self.cs_map.clone()), self.cfg.policies.clone(), keys);
        b
    }

    /// A public-key message (RFC 3830 §3.2) carrying `keys` to `member`: an initial one
    /// (with the group RAND) when the member does not hold the CSB, else an update (§4.5).
    /// `public` is the parsed key of its [`Credential::PublicKey`]. Returns the message and
    /// what checks its reply; the initiator that built it is dropped.
    pub(super) fn pk_message(
        &self,
        public: Option<&Arc<dyn RsaPublic>>,
        member: &MemberId,
        holds_csb: bool,
        keys: Vec<TransportKey>,
        now: Duration,
        rng: &mut dyn Entropy,
    ) -> Result<(Vec<u8>, Option<PendingReply>), SessionError> {
        let signer = self.signer.ok_or_else(|| {
            SessionError::WrongState(
                "public-key member without a signing key (GroupController::with_signing_key)",
            )
        })?;
        let public = public.ok_or_else(|| SessionError::WrongState("member key not parsed"))?;
        let cfg = PkConfig {
            csb_id: Some(self.csb_id),
            prf: self.cfg.prf,
            encr: self.cfg.encr,
            mac: self.cfg.mac,
            v: self.cfg.v,
            id_i: self.cfg.id_i.clone(),
            certs: signer.certs.clone(),
            id_r: Some(Id {
                id_type: self.cfg.member_id_type,
                data: Cow::Owned(member.as_str().as_bytes().to_vec()),
            }),
            crypto_sessions: self.cfg.crypto_sessions.clone(),
            policies: self.cfg.policies.clone(),
            ts_type: TsType::NtpUtc,
            rand_len: self.cfg.rand_len,
            rand: Some(self.rand.to_vec()),
            // Every message carries a fresh envelope key (RFC 3830 §4.5): see
            // GroupController::with_signing_key for why nothing is cached.
            cache: CacheType::NoCache,
            ..PkConfig::default()
        };
        // `Arc`s of keys are keys (crypto::provider's blanket impls): shared, not copied.
        let key = Box::new(signer.key.clone());
        let public = Box::new(public.clone());
        let mut ini = if holds_csb {
            PkInitiator::resume(key, public, cfg, self.bundle(Vec::new()), None)
        } else {
            PkInitiator::new(key, public, cfg)
        };
        let mut fill = |b: &mut [u8]| rng.fill(b);
        let bytes = ini.initiate(keys, now, &mut fill)?;
        let reply = ini.pending_reply().map(|(t, auth)| PendingReply {
            t,
            auth: reply_key(self.cfg, auth),
        });
        Ok((bytes, reply))
    }
}

/// The auth key of a PSK member's messages (RFC 3830 §4.1.4: from the PSK, the CSB ID and
/// the group RAND, the same for every message of the CSB), which checks its replies' V
/// payload (§5.2). An unusable PRF or MAC (refused by [`validate`]) gives an empty key, so
/// no reply verifies.
pub(super) fn psk_auth_key(
    cfg: &GroupConfig,
    csb_id: u32,
    rand: &[u8],
    psk: &SecretBytes,
) -> MacKey {
    let key = match (prf_of(cfg.prf), mac_of(cfg.mac, true)) {
        (Ok(prf), Ok(mac)) => {
            MessageKeys::derive(prf, psk.as_bytes(), csb_id, rand, KemacCipher::Null, mac).auth
        }
        _ => SecretBytes::from_slice(&[]),
    };
    reply_key(cfg, key)
}

/// `key` made ready for the group's MAC (NULL, keyed at each use, when the group's MAC is
/// unusable: refused by [`validate`]).
pub(super) fn reply_key(cfg: &GroupConfig, key: SecretBytes) -> MacKey {
    MacKey::new(mac_of(cfg.mac, true).unwrap_or(MacKind::Null), key)
}

/// A PSK member's key made ready for the group's PRF ([`Member::prf_key`]).
pub(super) fn prf_key_of(cfg: &GroupConfig, c: &Credential) -> Option<PrfKey> {
    match (c, prf_of(cfg.prf)) {
        (Credential::Psk(psk), Ok(prf)) => Some(PrfKey::new(prf, psk.as_bytes())),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// State

pub(super) struct GroupKey {
    pub(super) mki: u32,
    pub(super) tgk: SecretBytes,
    pub(super) created_at: Duration,
}

impl GroupKey {
    pub(super) fn transport(&self) -> TransportKey {
        TransportKey::tgk(self.tgk.as_bytes()).with_mki(&self.mki.to_be_bytes())
    }
}

/// What a member's verification or Error message is checked against (RFC 3830 §5.2): the
/// timestamp of the message it answers and the auth key of that message. Everything else
/// the check needs (CSB ID, IDi, IDr = the member's ID, crypto sessions, MAC algorithm) is
/// the group's.
pub(super) struct PendingReply {
    pub(super) t: Timestamp,
    /// Made ready for the group's MAC; zeroized on drop.
    pub(super) auth: MacKey,
}

pub(super) struct Exchange {
    pub(super) mki: u32,
    pub(super) initial: bool,
    pub(super) sent_at: Duration,
    pub(super) expects_verification: bool,
    pub(super) timed_out: bool,
    pub(super) unauth_error_reported: bool,
    /// `None` for an exchange restored without its timestamp: no reply verifies.
    pub(super) reply: Option<PendingReply>,
}

pub(super) struct Member {
    pub(super) credential: Credential,
    /// A [`Credential::Psk`] made ready for the group's PRF once, at join: every message to
    /// the member derives its three message keys from it (two SHA compressions fewer per
    /// HMAC than keying the PRF again).
    pub(super) prf_key: Option<PrfKey>,
    /// The parsed key of a [`Credential::PublicKey`].
    pub(super) public: Option<Arc<dyn RsaPublic>>,
    pub(super) holds_csb: bool,
    pub(super) held: Vec<u32>,
    pub(super) min_mki: u32,
    pub(super) exchange: Option<Exchange>,
}

impl Member {
    pub(super) fn is_pk(&self) -> bool {
        matches!(self.credential, Credential::PublicKey { .. })
    }
}

/// Checks `member`'s reply (RFC 3830 §5.2: V over the message, IDi, IDr and T; an Error
/// message is `PeerError`) against its exchange in flight; changes nothing.
pub(super) fn check_reply(
    cfg: &GroupConfig,
    csb_id: u32,
    cs_map: &CsIdMap<'static>,
    member: &MemberId,
    m: &Member,
    view: &MessageView<'_>,
) -> Result<(), SessionError> {
    let Some(p) = m.exchange.as_ref().and_then(|e| e.reply.as_ref()) else {
        return Err(SessionError::WrongState("no message awaiting a response"));
    };
    check_response(
        view,
        &ResponseCheck {
            csb_id,
            t: p.t,
            ver_type: if m.is_pk() {
                DataType::PkResp
            } else {
                DataType::PskResp
            },
            auth_key: &p.auth,
            mac: cfg.mac,
            id_i: cfg.id_i.as_ref().map_or(&[], |i| &i.data),
            id_r: member.as_str().as_bytes(),
            cs_map,
        },
    )
    // Group SSRCs are all set (validate): a member fills in none.
    .map(|_| ())
}

/// Records that a member holds `mki` (keeping the two most recent); true when new.
pub(super) fn hold(held: &mut Vec<u32>, mki: u32) -> bool {
    if held.contains(&mki) {
        return false;
    }
    held.push(mki);
    held.sort_unstable();
    while held.len() > 2 {
        held.remove(0);
    }
    true
}

/// The source side of group keying (RFC 3830 §8.1): one CSB, one RAND, one crypto session
/// map and policy set, a current and a previous TGK, and one exchange per member.
///
/// `Debug` shows the CSB ID, the MKIs and the member count, never keys.
pub struct GroupController {
    pub(super) cfg: GroupConfig,
    pub(super) csb_id: u32,
    pub(super) rand: Vec<u8>,
    pub(super) current: Option<GroupKey>,
    pub(super) previous: Option<GroupKey>,
    pub(super) last_mki: u32,
    pub(super) last_t: Duration,
    pub(super) pending_changes: u32,
    pub(super) first_change_at: Option<Duration>,
    pub(super) all_acked_reported: Option<u32>,
    pub(super) partial: bool,
    /// Member ID -> slot in `slots` (ID order for iteration; used at the API edge only).
    pub(super) members: BTreeMap<MemberId, u32>,
    /// The members' state, by slot; `None` for a free slot (listed in `free`).
    pub(super) slots: Vec<Option<Member>>,
    pub(super) free: Vec<u32>,
    /// The group's crypto session map (RFC 3830 §6.1.1), as every message carries it.
    pub(super) cs_map: CsIdMap<'static>,
    /// Members holding the current key, and members eligible for it.
    pub(super) acked_current: usize,
    pub(super) eligible_current: usize,
    pub(super) events: Vec<GroupEvent>,
    /// The source's signing key for public-key members (not in snapshots).
    pub(super) signer: Option<Signer>,
}

impl fmt::Debug for GroupController {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupController")
            .field("csb_id", &format_args!("{:#010x}", self.csb_id))
            .field("current_mki", &self.current.as_ref().map(|k| k.mki))
            .field("previous_mki", &self.previous.as_ref().map(|k| k.mki))
            .field("members", &self.members.len())
            .field("pending_changes", &self.pending_changes)
            .field("partial", &self.partial)
            .field("signing_key", &self.signer.as_ref().map(|s| &s.key))
            .finish()
    }
}

/// Checks a credential; parses a member's public key (RFC 3830 §3.2) with the signer's
/// provider.
pub(super) fn check_credential(
    credential: &Credential,
    signer: Option<&Signer>,
) -> Result<Option<Arc<dyn RsaPublic>>, GroupError> {
    let bad = |s: String| GroupError::InvalidCredential(s);
    match credential {
        Credential::Psk(p) if p.len() < 16 => {
            Err(bad("pre-shared key shorter than 16 bytes".into()))
        }
        Credential::Psk(_) => Ok(None),
        Credential::PublicKey { spki_der } => {
            let signer = signer.ok_or_else(|| {
                bad(
                    "public-key member without a signing key (GroupController::with_signing_key)"
                        .into(),
                )
            })?;
            let key = signer
                .provider
                .rsa_public_from_der(spki_der)
                .map_err(|e| bad(format!("member public key: {e}")))?;
            // Room for a 16-byte envelope key in PKCS#1 v1.5 (RFC 8017 §7.2.1).
            if key.modulus_len() < crate::session::pk::MIN_ENVELOPE_KEY_LEN + 11 {
                return Err(bad("member public key too small".into()));
            }
            Ok(Some(Arc::from(key)))
        }
    }
}

/// The SRTP-ID map of the configured crypto sessions (RFC 3830 §6.1.1): at most 255.
pub(super) fn cs_map_of(cfg: &GroupConfig) -> Result<CsIdMap<'static>, GroupError> {
    SrtpIdMap::from_entries(&cfg.crypto_sessions)
        .map(CsIdMap::SrtpId)
        .map_err(|e| invalid(e.to_string()))
}

pub(super) fn invalid(s: impl Into<String>) -> GroupError {
    GroupError::InvalidConfig(s.into())
}

pub(super) fn validate(cfg: &GroupConfig) -> Result<(), GroupError> {
    if cfg.crypto_sessions.is_empty() || cfg.crypto_sessions.len() > 255 {
        return Err(invalid("between 1 and 255 crypto sessions are needed"));
    }
    if cfg.crypto_sessions.iter().any(|c| c.ssrc == 0) {
        return Err(invalid(
            "SSRC 0: the source's SSRCs must be set so every member gets the same map",
        ));
    }
    // Members are addressed by IDr; ID payloads are positional (RFC 3830 §3.1: [IDi],
    // [IDr]), so without IDi a member would read its own IDr as IDi and MAC its reply over
    // the wrong identities.
    if cfg.id_i.is_none() {
        return Err(invalid(
            "id_i (the source's identity) is required: members are addressed by IDr",
        ));
    }
    if cfg.rand_len < 16 {
        return Err(invalid("RAND shorter than 16 bytes (RFC 3830 §6.11)"));
    }
    if cfg.tgk_len < 16 {
        return Err(invalid("TGK shorter than 16 bytes"));
    }
    prf_of(cfg.prf).map_err(|e| invalid(e.to_string()))?;
    cipher_of(cfg.encr, false).map_err(|e| invalid(e.to_string()))?;
    mac_of(cfg.mac, false).map_err(|e| invalid(e.to_string()))?;
    if let Some(sp) = cfg.policies.iter().find(|p| p.prot_type != ProtType::Srtp) {
        return Err(invalid(format!(
            "security protocol {} (only SRTP)",
            sp.prot_type.to_wire()
        )));
    }
    let cs_map = cs_map_of(cfg)?;
    let ctx = Ctx {
        cfg,
        csb_id: 0,
        rand: &[0; 16],
        signer: None,
        cs_map: &cs_map,
    };
    let probe = ctx.bundle(vec![TransportKey::tgk(&vec![0; cfg.tgk_len as usize])]);
    export(&probe).map_err(|e| invalid(e.to_string()))?;
    Ok(())
}
