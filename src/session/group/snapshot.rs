//! The snapshot format of a group controller.

use super::*;

pub(super) const SNAPSHOT_FORMAT: u32 = 1;

/// A [`GroupController`]'s whole state as plain data (serde), from
/// [`GroupController::snapshot`]. Byte strings are hex.
///
/// **Contains secrets** (member credentials, current and previous TGK). `Debug` shows their
/// lengths only; serialized forms show them in full.
///
/// ```
/// use mikey::crypto::SecretBytes;
/// use mikey::session::group::{Credential, GroupConfig, GroupController, GroupSnapshot};
/// use mikey::session::OsEntropy;
/// use mikey::wire::SrtpCs;
/// use core::time::Duration;
///
/// let now = Duration::from_secs(1_800_000_000);
/// let cfg = GroupConfig {
///     id_i: Some(mikey::wire::Id::nai("source@example.com")),
///     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x5eed, roc: 0 }],
///     ..GroupConfig::default()
/// };
/// let mut group = GroupController::new(cfg, &mut OsEntropy).unwrap();
/// for i in 0..4u8 {
///     group.join(format!("rx{i}@example.com"), Credential::Psk(SecretBytes::from_slice(&[i; 16])), now).unwrap();
/// }
/// group.key_all(now, &mut OsEntropy).unwrap();
///
/// // Restart from JSON (which holds every PSK and the TGKs: keep it secret).
/// let json = serde_json::to_string(&group.snapshot()).unwrap();
/// let restored = GroupController::restore(serde_json::from_str(&json).unwrap()).unwrap();
/// assert_eq!(restored.current_mki(), Some(1));
/// assert_eq!(restored.srtp().unwrap(), group.srtp().unwrap());
///
/// // Two processes, two members each, the same group key.
/// let parts: Vec<GroupSnapshot> = group.snapshot().split(2);
/// let mut a = GroupController::restore(parts[0].clone()).unwrap();
/// assert_eq!(a.member_count(), 2);
/// assert_eq!(a.key_all(now, &mut OsEntropy).unwrap().len(), 2);
/// assert_eq!(a.current_mki(), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSnapshot {
    /// Snapshot format version (1).
    pub format: u32,
    /// CSB ID.
    pub csb_id: u32,
    /// RAND (hex).
    pub rand: String,
    /// Group settings.
    pub config: ConfigSnapshot,
    /// Current key.
    pub current: Option<KeySnapshot>,
    /// Previous key.
    pub previous: Option<KeySnapshot>,
    /// Highest MKI used.
    pub last_mki: u32,
    /// Last timestamp used in a message (timestamps only grow).
    pub last_timestamp: Duration,
    /// Joins and leaves since the current key.
    pub pending_changes: u32,
    /// Time of the oldest pending change.
    pub first_change_at: Option<Duration>,
    /// Key for which [`GroupEvent::AllAcknowledged`] was reported.
    pub all_acknowledged_reported: Option<u32>,
    /// A part of a split group (no joins, leaves or new keys).
    pub partial: bool,
    /// Members in ID order.
    pub members: Vec<MemberSnapshot>,
}

/// [`GroupConfig`] as plain data (codes as their wire values, byte strings hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSnapshot {
    /// PRF code.
    pub prf: u8,
    /// KEMAC encryption code.
    pub encr: u8,
    /// KEMAC MAC code.
    pub mac: u8,
    /// Verification requested.
    pub v: bool,
    /// IDi.
    pub id_i: Option<IdSnapshot>,
    /// ID type code of members' IDr.
    pub member_id_type: u8,
    /// Crypto sessions.
    pub crypto_sessions: Vec<CsSnapshot>,
    /// Security policies.
    pub policies: Vec<PolicySnapshot>,
    /// RAND length.
    pub rand_len: u8,
    /// TGK length.
    pub tgk_len: u8,
    /// Reply timeout.
    pub reply_timeout: Duration,
    /// Rekey policy.
    pub rekey: RekeyPolicy,
    /// Key lifetime.
    pub key_lifetime: Option<Duration>,
}

/// An ID payload's type and data (hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdSnapshot {
    /// ID type code.
    pub id_type: u8,
    /// ID data (hex).
    pub data: String,
}

/// One crypto session (RFC 3830 §6.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsSnapshot {
    /// Policy number.
    pub policy_no: u8,
    /// SSRC.
    pub ssrc: u32,
    /// ROC.
    pub roc: u32,
}

/// One security policy (RFC 3830 §6.10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySnapshot {
    /// Policy number.
    pub policy_no: u8,
    /// Protocol type code.
    pub prot_type: u8,
    /// Parameter TLVs (hex).
    pub params: String,
}

/// A group key. **Secret.**
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySnapshot {
    /// MKI (SPI).
    pub mki: u32,
    /// The TGK (hex when serialized; `Debug` shows only its length).
    #[serde(with = "secret_hex")]
    pub tgk: SecretBytes,
    /// When it was created.
    pub created_at: Duration,
}

impl KeySnapshot {
    pub(super) fn of(k: &GroupKey) -> Self {
        Self {
            mki: k.mki,
            tgk: k.tgk.clone(),
            created_at: k.created_at,
        }
    }
}

/// One member. **Contains its credential.**
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSnapshot {
    /// ID.
    pub id: MemberId,
    /// Credential.
    pub credential: Credential,
    /// Accepted a message for the CSB.
    pub holds_csb: bool,
    /// Keys (MKIs) it holds.
    pub held: Vec<u32>,
    /// First key it may receive.
    pub min_mki: u32,
    /// Exchange awaiting a reply.
    pub exchange: Option<ExchangeSnapshot>,
}

/// An exchange awaiting its reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeSnapshot {
    /// Key sent.
    pub mki: u32,
    /// Initial exchange (with RAND) rather than an update.
    pub initial: bool,
    /// When it was sent.
    pub sent_at: Duration,
    /// The message's NTP-UTC timestamp value (RFC 3830 §6.6), which the reply echoes.
    pub timestamp: Option<u64>,
    /// A verification message is expected.
    pub expects_verification: bool,
    /// Reported as timed out.
    pub timed_out: bool,
    /// An unauthenticated Error message was reported.
    pub unauth_error_reported: bool,
    /// Public-key members (RFC 3830 §3.2): the key that checks the reply's V payload
    /// (`auth_key`, derived from the message's envelope key, §4.1.4, §5.2), so the exchange
    /// resumes after a restore. **Secret** (hex when serialized; absent for PSK members,
    /// whose key is derived again from the PSK).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_secret_hex"
    )]
    pub reply_key: Option<SecretBytes>,
}

impl GroupSnapshot {
    /// Splits the members into `n` parts (at least one; round robin in ID order), each with
    /// the whole group state, so `n` processes can [`GroupController::restore`] one part
    /// each and key their members for the same group key. Parts cannot change membership
    /// or create keys ([`GroupError::PartialGroup`]): that stays with the whole group, which
    /// takes the parts' member states back with [`merge`](Self::merge).
    pub fn split(&self, n: usize) -> Vec<GroupSnapshot> {
        let n = n.max(1);
        let mut parts: Vec<GroupSnapshot> = (0..n).map(|_| self.part(Vec::new())).collect();
        for (i, m) in self.members.iter().enumerate() {
            parts[i % n].members.push(m.clone());
        }
        parts
    }

    /// A part holding only the given members (unknown IDs are ignored).
    pub fn subset(&self, members: &[MemberId]) -> GroupSnapshot {
        let wanted: std::collections::BTreeSet<&MemberId> = members.iter().collect();
        self.part(
            self.members
                .iter()
                .filter(|m| wanted.contains(&m.id))
                .cloned()
                .collect(),
        )
    }

    fn part(&self, members: Vec<MemberSnapshot>) -> GroupSnapshot {
        GroupSnapshot {
            format: self.format,
            csb_id: self.csb_id,
            rand: self.rand.clone(),
            config: self.config.clone(),
            current: self.current.clone(),
            previous: self.previous.clone(),
            last_mki: self.last_mki,
            last_timestamp: self.last_timestamp,
            pending_changes: self.pending_changes,
            first_change_at: self.first_change_at,
            all_acknowledged_reported: self.all_acknowledged_reported,
            partial: true,
            members,
        }
    }

    /// Takes back the member states of a part (from [`split`](Self::split) or
    /// [`subset`](Self::subset), after its controller keyed them): same group and same
    /// current key required; members the part holds replace this snapshot's entries
    /// (members that left in the meantime are skipped).
    pub fn merge(&mut self, part: &GroupSnapshot) -> Result<(), GroupError> {
        let same_key = |a: &Option<KeySnapshot>, b: &Option<KeySnapshot>| {
            a.as_ref().map(|k| k.mki) == b.as_ref().map(|k| k.mki)
        };
        if part.csb_id != self.csb_id
            || part.rand != self.rand
            || !same_key(&part.current, &self.current)
        {
            return Err(GroupError::InvalidSnapshot(
                "part of another group or of another key".into(),
            ));
        }
        let index: BTreeMap<MemberId, usize> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        for m in &part.members {
            if let Some(&i) = index.get(&m.id) {
                self.members[i] = m.clone();
            }
        }
        self.last_timestamp = self.last_timestamp.max(part.last_timestamp);
        Ok(())
    }
}

pub(crate) fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    b.chunks(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect()
}

/// A security policy from its parameter TLVs (hex).
pub(super) fn policy_from(
    policy_no: u8,
    prot_type: u8,
    params: &str,
) -> Option<SecurityPolicy<'static>> {
    let raw = unhex(params)?;
    let mut sp = SecurityPolicy::new(policy_no, ProtType::from_wire(prot_type));
    let mut rest = raw.as_slice();
    while let [t, l, r @ ..] = rest {
        let value = r.get(..*l as usize)?;
        sp.push(*t, value).ok()?;
        rest = &r[*l as usize..];
    }
    rest.is_empty().then_some(sp)
}

/// Serde for secret bytes as hex, zeroizing the intermediate text.
pub(super) mod secret_hex {
    use super::{hex, unhex, SecretBytes, Zeroize};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &SecretBytes, s: S) -> Result<S::Ok, S::Error> {
        let mut text = hex(v.as_bytes());
        let r = s.serialize_str(&text);
        text.zeroize();
        r
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretBytes, D::Error> {
        let mut text = String::deserialize(d)?;
        let r = unhex(&text);
        text.zeroize();
        r.map(SecretBytes::from)
            .ok_or_else(|| D::Error::custom("secret is not hex"))
    }
}

/// Serde for optional secret bytes as hex.
pub(super) mod opt_secret_hex {
    use super::SecretBytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<SecretBytes>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(k) => super::secret_hex::serialize(k, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretBytes>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::secret_hex")] SecretBytes);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

/// Serde for public bytes as hex.
pub(super) mod bytes_hex {
    use super::{hex, unhex};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        unhex(&text).ok_or_else(|| D::Error::custom("not hex"))
    }
}
