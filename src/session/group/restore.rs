//! Snapshots of a controller and restoring from them.

use super::*;

impl GroupController {
    /// The whole state as a plain serde structure, to restart with
    /// [`restore`](Self::restore) without rekeying anyone.
    ///
    /// **The snapshot contains secrets**: every member's credential and the current and
    /// previous TGKs (hex in JSON). Store it encrypted or not at all; the in-memory
    /// [`SecretBytes`] are zeroized on drop but the serialized text is the caller's.
    /// Events not yet taken with [`poll`](Self::poll) are not part of it.
    pub fn snapshot(&self) -> GroupSnapshot {
        let cfg = &self.cfg;
        GroupSnapshot {
            format: SNAPSHOT_FORMAT,
            csb_id: self.csb_id,
            rand: hex(&self.rand),
            config: ConfigSnapshot {
                prf: cfg.prf.to_wire(),
                encr: cfg.encr.to_wire(),
                mac: cfg.mac.to_wire(),
                v: cfg.v,
                id_i: cfg.id_i.as_ref().map(|i| IdSnapshot {
                    id_type: i.id_type.to_wire(),
                    data: hex(&i.data),
                }),
                member_id_type: cfg.member_id_type.to_wire(),
                crypto_sessions: cfg
                    .crypto_sessions
                    .iter()
                    .map(|c| CsSnapshot {
                        policy_no: c.policy_no,
                        ssrc: c.ssrc,
                        roc: c.roc,
                    })
                    .collect(),
                policies: cfg
                    .policies
                    .iter()
                    .map(|p| PolicySnapshot {
                        policy_no: p.policy_no,
                        prot_type: p.prot_type.to_wire(),
                        params: hex(p.param_bytes()),
                    })
                    .collect(),
                rand_len: cfg.rand_len,
                tgk_len: cfg.tgk_len,
                reply_timeout: cfg.reply_timeout,
                rekey: cfg.rekey,
                key_lifetime: cfg.key_lifetime,
            },
            current: self.current.as_ref().map(KeySnapshot::of),
            previous: self.previous.as_ref().map(KeySnapshot::of),
            last_mki: self.last_mki,
            last_timestamp: self.last_t,
            pending_changes: self.pending_changes,
            first_change_at: self.first_change_at,
            all_acknowledged_reported: self.all_acked_reported,
            partial: self.partial,
            members: self
                .iter_members()
                .map(|(id, m)| MemberSnapshot {
                    id: id.clone(),
                    credential: m.credential.clone(),
                    holds_csb: m.holds_csb,
                    held: m.held.clone(),
                    min_mki: m.min_mki,
                    exchange: m.exchange.as_ref().map(|e| ExchangeSnapshot {
                        mki: e.mki,
                        initial: e.initial,
                        sent_at: e.sent_at,
                        timestamp: e.reply.as_ref().map(|r| r.t.value),
                        // PSK members' reply keys are derived again from the PSK.
                        reply_key: e
                            .reply
                            .as_ref()
                            .filter(|_| m.is_pk())
                            .map(|r| r.auth.key().clone()),
                        expects_verification: e.expects_verification,
                        timed_out: e.timed_out,
                        unauth_error_reported: e.unauth_error_reported,
                    }),
                })
                .collect(),
        }
    }

    /// A controller from a snapshot (of a whole group, or of one part of
    /// [`GroupSnapshot::split`]): same CSB, RAND, keys, counters and per-member state, so
    /// members keep getting updates and replies to messages in flight still verify.
    ///
    /// A snapshot with public-key members needs the signing key, which is never in it:
    /// use [`restore_with_signing_key`](Self::restore_with_signing_key) (this returns
    /// [`GroupError::InvalidSnapshot`] for it).
    pub fn restore(snapshot: GroupSnapshot) -> Result<Self, GroupError> {
        Self::restore_inner(snapshot, None)
    }

    /// [`restore`](Self::restore) for a group with public-key members (RFC 3830 §3.2): the
    /// caller passes the signing key, certificates and provider again, as for
    /// [`with_signing_key`](Self::with_signing_key) (a snapshot holds no signing key).
    /// Public-key exchanges in flight resume: their replies verify with the reply key kept
    /// in [`ExchangeSnapshot::reply_key`].
    pub fn restore_with_signing_key(
        snapshot: GroupSnapshot,
        provider: Arc<dyn CryptoProvider>,
        key: Arc<dyn RsaPrivate>,
        certs: Vec<Vec<u8>>,
    ) -> Result<Self, GroupError> {
        Self::restore_inner(
            snapshot,
            Some(Signer {
                provider,
                key,
                certs,
            }),
        )
    }

    pub(super) fn restore_inner(
        snapshot: GroupSnapshot,
        signer: Option<Signer>,
    ) -> Result<Self, GroupError> {
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(bad("unknown format version"));
        }
        let cfg = config_from(snapshot.csb_id, &snapshot.config)?;
        validate(&cfg).map_err(|e| GroupError::InvalidSnapshot(e.to_string()))?;
        let rand = unhex(&snapshot.rand).ok_or_else(|| bad("RAND is not hex"))?;
        if rand.len() < 16 || rand.len() > 255 {
            return Err(bad("RAND length"));
        }
        let (current, previous) = keys_from(&snapshot, &cfg)?;
        let cs_map = cs_map_of(&cfg)?;
        let mut g = GroupController {
            cfg,
            csb_id: snapshot.csb_id,
            rand,
            current,
            previous,
            last_mki: snapshot.last_mki,
            last_t: snapshot.last_timestamp,
            pending_changes: snapshot.pending_changes,
            first_change_at: snapshot.first_change_at,
            all_acked_reported: snapshot.all_acknowledged_reported,
            partial: snapshot.partial,
            members: BTreeMap::new(),
            slots: Vec::with_capacity(snapshot.members.len()),
            free: Vec::new(),
            cs_map,
            acked_current: 0,
            eligible_current: 0,
            events: Vec::new(),
            signer,
        };
        for ms in &snapshot.members {
            let member = g.member_from(ms)?;
            if g.members.contains_key(&ms.id) {
                return Err(GroupError::InvalidSnapshot(format!(
                    "member {} twice",
                    ms.id
                )));
            }
            g.insert(ms.id.clone(), member);
        }
        g.recount();
        Ok(g)
    }

    /// A member of a snapshot, checked against this controller's signer and with the key
    /// that checks the reply of its exchange in flight.
    fn member_from(&self, ms: &MemberSnapshot) -> Result<Member, GroupError> {
        if ms.id.0.is_empty() || ms.held.len() > 2 {
            return Err(bad("member entry"));
        }
        let public = check_credential(&ms.credential, self.signer.as_ref())
            .map_err(|e| GroupError::InvalidSnapshot(format!("member {}: {e}", ms.id)))?;
        let exchange = match &ms.exchange {
            Some(e) => Some(self.exchange_from(&ms.credential, e)?),
            None => None,
        };
        Ok(Member {
            prf_key: prf_key_of(&self.cfg, &ms.credential),
            credential: ms.credential.clone(),
            public,
            holds_csb: ms.holds_csb,
            held: ms.held.clone(),
            min_mki: ms.min_mki,
            exchange,
        })
    }

    /// The exchange in flight of a member with `credential`.
    fn exchange_from(
        &self,
        credential: &Credential,
        e: &ExchangeSnapshot,
    ) -> Result<Exchange, GroupError> {
        let pending = e.timestamp.map(Timestamp::ntp_utc);
        // What checks the reply: for a PSK member the auth key derived again from its PSK
        // (RFC 3830 §4.1.4), for a public-key member the key of the message's envelope
        // key, kept in the snapshot (§3.2, §5.2).
        let reply = match credential {
            Credential::Psk(psk) => pending.map(|t| PendingReply {
                t,
                auth: psk_auth_key(&self.cfg, self.csb_id, &self.rand, psk),
            }),
            Credential::PublicKey { .. } => {
                if pending.is_some() && e.reply_key.is_none() {
                    return Err(bad("public-key exchange without its reply key"));
                }
                pending
                    .zip(e.reply_key.clone())
                    .map(|(t, auth)| PendingReply {
                        t,
                        auth: reply_key(&self.cfg, auth),
                    })
            }
        };
        Ok(Exchange {
            mki: e.mki,
            initial: e.initial,
            sent_at: e.sent_at,
            expects_verification: e.expects_verification,
            timed_out: e.timed_out,
            unauth_error_reported: e.unauth_error_reported,
            reply,
        })
    }
}

/// The error for a snapshot that cannot be restored.
fn bad(s: &str) -> GroupError {
    GroupError::InvalidSnapshot(s.to_owned())
}

/// The configuration of a snapshot (not yet validated).
fn config_from(csb_id: u32, c: &ConfigSnapshot) -> Result<GroupConfig, GroupError> {
    Ok(GroupConfig {
        csb_id: Some(csb_id),
        prf: PrfFunc::from_wire(c.prf),
        encr: EncrAlg::from_wire(c.encr),
        mac: MacAlg::from_wire(c.mac),
        v: c.v,
        id_i: match &c.id_i {
            Some(i) => Some(Id {
                id_type: IdType::from_wire(i.id_type),
                data: Cow::Owned(unhex(&i.data).ok_or_else(|| bad("IDi is not hex"))?),
            }),
            None => None,
        },
        member_id_type: IdType::from_wire(c.member_id_type),
        crypto_sessions: c
            .crypto_sessions
            .iter()
            .map(|c| SrtpCs {
                policy_no: c.policy_no,
                ssrc: c.ssrc,
                roc: c.roc,
            })
            .collect(),
        policies: c
            .policies
            .iter()
            .map(|p| {
                policy_from(p.policy_no, p.prot_type, &p.params)
                    .ok_or_else(|| bad("malformed policy parameters"))
            })
            .collect::<Result<_, _>>()?,
        rand_len: c.rand_len,
        tgk_len: c.tgk_len,
        reply_timeout: c.reply_timeout,
        rekey: c.rekey,
        key_lifetime: c.key_lifetime,
    })
}

/// One key of a snapshot: a TGK of the configured length and an MKI in `1..=last_mki`.
fn key_from(
    k: &Option<KeySnapshot>,
    snapshot: &GroupSnapshot,
    cfg: &GroupConfig,
) -> Result<Option<GroupKey>, GroupError> {
    match k {
        Some(k) if k.tgk.len() != cfg.tgk_len as usize => Err(bad("TGK length")),
        Some(k) if k.mki == 0 || k.mki > snapshot.last_mki => Err(bad("MKI")),
        Some(k) => Ok(Some(GroupKey {
            mki: k.mki,
            tgk: k.tgk.clone(),
            created_at: k.created_at,
        })),
        None => Ok(None),
    }
}

/// The current and previous keys of a snapshot; a previous key needs a current one with a
/// newer MKI.
fn keys_from(
    snapshot: &GroupSnapshot,
    cfg: &GroupConfig,
) -> Result<(Option<GroupKey>, Option<GroupKey>), GroupError> {
    let current = key_from(&snapshot.current, snapshot, cfg)?;
    let previous = key_from(&snapshot.previous, snapshot, cfg)?;
    match (&current, &previous) {
        (None, Some(_)) => return Err(bad("previous key without a current one")),
        (Some(c), Some(p)) if p.mki >= c.mki => return Err(bad("previous MKI not older")),
        _ => {}
    }
    Ok((current, previous))
}

// ---------------------------------------------------------------------------------------
// Snapshots
