//! Creating a group, its members, joins, leaves and key rotation.

use super::*;

impl GroupController {
    /// A group with a fresh RAND (and CSB ID unless configured), no member and no key yet:
    /// the first [`key_all`](Self::key_all) creates key MKI 1.
    pub fn new(cfg: GroupConfig, rng: &mut impl Entropy) -> Result<Self, GroupError> {
        validate(&cfg)?;
        let csb_id = match cfg.csb_id {
            Some(c) => c,
            None => {
                let mut b = [0u8; 4];
                rng.fill(&mut b);
                u32::from_be_bytes(b)
            }
        };
        let mut rand = vec![0u8; cfg.rand_len as usize];
        rng.fill(&mut rand);
        let cs_map = cs_map_of(&cfg)?;
        Ok(Self {
            cfg,
            csb_id,
            rand,
            current: None,
            previous: None,
            last_mki: 0,
            last_t: Duration::ZERO,
            pending_changes: 0,
            first_change_at: None,
            all_acked_reported: None,
            partial: false,
            members: BTreeMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            cs_map,
            acked_current: 0,
            eligible_current: 0,
            events: Vec::new(),
            signer: None,
        })
    }

    /// Sets the source's RSA signing key for members with a [`Credential::PublicKey`]
    /// (RFC 3830 §3.2): every message to them is signed with `key` (SIGNi, RSA PKCS#1 v1.5
    /// with SHA-256, §5.2, §6.5) and carries `certs` (DER X.509, leaf first, one CERT payload
    /// each, §6.7; may be empty when members pin the key for [`GroupConfig::id_i`]).
    /// `provider` parses the members' public keys. Needed before the first public-key member
    /// joins; the key is not part of [`snapshot`](Self::snapshot): pass it again with
    /// [`restore_with_signing_key`](Self::restore_with_signing_key).
    ///
    /// **Updates to public-key members** are public-key messages with a fresh envelope key
    /// each time (RFC 3830 §4.5: same CSB ID, new timestamp, no RAND, a new envelope key),
    /// sent with the cache indicator "No cache" (RFC 3830 Table 6.3), rather than PSK updates
    /// keyed with a cached envelope key (§3.2). Why: the controller then holds no long-term
    /// per-member secret (a snapshot keeps only the member's public key, plus the reply key
    /// of an exchange in flight), a member that restarts and loses its cache still opens the
    /// next update with its private key alone, and every update is signed by the source.
    /// The cost is one RSA signature per public-key member and message on the source (and
    /// one RSA decryption on the member), still linear in the members.
    pub fn with_signing_key(
        mut self,
        provider: Arc<dyn CryptoProvider>,
        key: Arc<dyn RsaPrivate>,
        certs: Vec<Vec<u8>>,
    ) -> Self {
        self.signer = Some(Signer {
            provider,
            key,
            certs,
        });
        self
    }

    /// Whether a signing key for public-key members is set.
    pub fn has_signing_key(&self) -> bool {
        self.signer.is_some()
    }

    /// The group's CSB ID (the same for every member, RFC 3830 §8.1).
    pub fn csb_id(&self) -> u32 {
        self.csb_id
    }

    /// The group's RAND (the same for every member, RFC 3830 §6.11).
    pub fn rand(&self) -> &[u8] {
        &self.rand
    }

    /// The settings.
    pub fn config(&self) -> &GroupConfig {
        &self.cfg
    }

    /// MKI of the current group key.
    pub fn current_mki(&self) -> Option<u32> {
        self.current.as_ref().map(|k| k.mki)
    }

    /// MKI of the previous group key (kept for the switch-over).
    pub fn previous_mki(&self) -> Option<u32> {
        self.previous.as_ref().map(|k| k.mki)
    }

    /// Number of members.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// The members, in ID order.
    pub fn members(&self) -> impl Iterator<Item = &MemberId> + '_ {
        self.members.keys()
    }

    /// Adds a member's state in a free slot (the ID is not in the group).
    pub(super) fn insert(&mut self, member: MemberId, m: Member) {
        let slot = match self.free.pop() {
            Some(f) => {
                self.slots[f as usize] = Some(m);
                f
            }
            None => {
                self.slots.push(Some(m));
                (self.slots.len() - 1) as u32
            }
        };
        self.members.insert(member, slot);
    }

    /// A member's state.
    pub(super) fn member(&self, member: &MemberId) -> Option<&Member> {
        let slot = *self.members.get(member)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// The members in ID order, with their state.
    pub(super) fn iter_members(&self) -> impl Iterator<Item = (&MemberId, &Member)> + '_ {
        self.members.iter().filter_map(|(id, &slot)| {
            self.slots
                .get(slot as usize)
                .and_then(Option::as_ref)
                .map(|m| (id, m))
        })
    }

    /// True when this controller is a part of a split snapshot ([`GroupSnapshot::split`]).
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// What the controller knows about a member.
    pub fn member_status(&self, member: &MemberId) -> Option<MemberStatus> {
        let cur = self.current_mki();
        self.member(member).map(|m| MemberStatus {
            holds_csb: m.holds_csb,
            held: m.held.clone(),
            awaiting: m.exchange.as_ref().map(|e| e.mki),
            timed_out: m.exchange.as_ref().is_some_and(|e| e.timed_out),
            waiting_for_rekey: cur.is_none_or(|c| m.min_mki > c),
        })
    }

    pub(super) fn note_change(&mut self, now: Duration) {
        if self.current.is_some() {
            self.pending_changes = self.pending_changes.saturating_add(1);
            self.first_change_at.get_or_insert(now);
        }
    }

    /// Adds a member. It gets no key until the next new group key (backward secrecy, RFC
    /// 3830 §8.1 practice): with [`RekeyPolicy::Immediate`] the next
    /// [`key_all`](Self::key_all) creates one.
    pub fn join(
        &mut self,
        member: impl Into<MemberId>,
        credential: Credential,
        now: Duration,
    ) -> Result<(), GroupError> {
        if self.partial {
            return Err(GroupError::PartialGroup);
        }
        let member = member.into();
        if member.0.is_empty() || member.0.len() > u16::MAX as usize {
            return Err(GroupError::InvalidCredential(
                "member ID must be 1 to 65535 bytes (it is sent as IDr)".into(),
            ));
        }
        let public = check_credential(&credential, self.signer.as_ref())?;
        if self.members.contains_key(&member) {
            return Err(GroupError::DuplicateMember(member));
        }
        let m = Member {
            prf_key: prf_key_of(&self.cfg, &credential),
            credential,
            public,
            holds_csb: false,
            held: Vec::new(),
            min_mki: self.last_mki.saturating_add(1),
            exchange: None,
        };
        self.insert(member, m);
        self.note_change(now);
        Ok(())
    }

    /// Removes a member: it gets no further message, and the next new group key is sent only
    /// to the others (forward secrecy). The member still holds the current key until the
    /// source stops using it.
    pub fn leave(&mut self, member: &MemberId, now: Duration) -> Result<(), GroupError> {
        if self.partial {
            return Err(GroupError::PartialGroup);
        }
        let slot = self
            .members
            .remove(member)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        let m = self
            .slots
            .get_mut(slot as usize)
            .and_then(Option::take)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        self.free.push(slot);
        if let Some(cur) = self.current_mki() {
            if m.min_mki <= cur {
                self.eligible_current = self.eligible_current.saturating_sub(1);
            }
            if m.held.contains(&cur) {
                self.acked_current = self.acked_current.saturating_sub(1);
            }
        }
        self.note_change(now);
        self.check_all_acked();
        Ok(())
    }

    /// Joins and leaves since the current key was created.
    pub fn pending_changes(&self) -> u32 {
        self.pending_changes
    }

    /// Whether the next [`key_all`](Self::key_all) creates a new key: no key yet, the
    /// [`RekeyPolicy`] says the pending changes are due, or the key is older than
    /// [`GroupConfig::key_lifetime`]. Always false for a part of a split group.
    pub fn rekey_due(&self, now: Duration) -> bool {
        if self.partial {
            return false;
        }
        let Some(k) = &self.current else {
            return true;
        };
        if self
            .cfg
            .key_lifetime
            .is_some_and(|l| now.saturating_sub(k.created_at) >= l)
        {
            return true;
        }
        if self.pending_changes == 0 {
            return false;
        }
        match self.cfg.rekey {
            RekeyPolicy::Immediate => true,
            RekeyPolicy::Batch { changes, max_delay } => {
                self.pending_changes >= changes.max(1)
                    || self
                        .first_change_at
                        .is_some_and(|f| now.saturating_sub(f) >= max_delay)
            }
        }
    }

    /// Moves to a fresh TGK now, whatever the policy; returns its MKI. The current key
    /// becomes the previous one. Send it with [`key_all`](Self::key_all).
    pub fn rekey(&mut self, now: Duration, rng: &mut impl Entropy) -> Result<u32, GroupError> {
        if self.partial {
            return Err(GroupError::PartialGroup);
        }
        self.rotate(now, rng)
    }

    pub(super) fn rotate(
        &mut self,
        now: Duration,
        rng: &mut dyn Entropy,
    ) -> Result<u32, GroupError> {
        let mki = self
            .last_mki
            .checked_add(1)
            .ok_or(GroupError::MkiExhausted)?;
        let mut tgk = SecretBytes::zeroed(self.cfg.tgk_len as usize);
        rng.fill(tgk.as_mut_bytes());
        self.previous = self.current.take();
        self.current = Some(GroupKey {
            mki,
            tgk,
            created_at: now,
        });
        self.last_mki = mki;
        self.pending_changes = 0;
        self.first_change_at = None;
        // Every member joined before this key: all are eligible, none holds it yet.
        self.eligible_current = self.members.len();
        self.acked_current = 0;
        Ok(mki)
    }
}
