//! One message per member for the current group key (RFC 3830 §8.1).

use super::*;

impl GroupController {
    /// One message per member for the current group key, creating a new key first when
    /// [`rekey_due`](Self::rekey_due). Members that do not hold the CSB yet get an initial
    /// message with the group RAND, the others an update (RFC 3830 §4.5: same CSB ID, no
    /// RAND). Members who joined after the current key get nothing until the next one.
    /// A message that cannot be built is reported as [`GroupEvent::MemberFailed`].
    pub fn key_all(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        self.fan_out(now, rng, false)
    }

    /// Like [`key_all`](Self::key_all), but only for members that neither hold the current
    /// key nor have an exchange for it in flight (new, failed or timed-out members).
    pub fn key_outstanding(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        self.fan_out(now, rng, true)
    }

    pub(super) fn fan_out(
        &mut self,
        now: Duration,
        rng: &mut dyn Entropy,
        outstanding_only: bool,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        if self.rekey_due(now) {
            self.rotate(now, rng)?;
        }
        let key = self.current.as_ref().ok_or(GroupError::NoKey)?;
        let (mki, tk) = (key.mki, key.transport());
        // The same key data for every member (RFC 3830 §8.1: same TGK and MKI), encoded once
        // and encrypted for each member. Each member's message has its own NTP-UTC timestamp
        // (§6.6; 1 µs apart), which its reply echoes: a reply names its exchange, and the
        // controller checks one MAC per reply (`handle_reply_any`).
        let plain =
            encode_keys(std::slice::from_ref(&tk), None).map_err(|e| invalid(e.to_string()))?;
        let mut t = now.max(self.last_t + Duration::from_micros(1));
        let fan = FanOut {
            ctx: Ctx {
                cfg: &self.cfg,
                csb_id: self.csb_id,
                rand: &self.rand,
                signer: self.signer.as_ref(),
                cs_map: &self.cs_map,
            },
            id_i: self.cfg.id_i.as_ref().map(|i| (i.id_type, &*i.data)),
            cs_map: &self.cs_map,
            plain: plain.as_bytes(),
            tk: &tk,
        };
        let mut out = Vec::new();
        for (id, &slot) in &self.members {
            let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
                continue;
            };
            if skipped(m, mki, outstanding_only) {
                continue;
            }
            // Strictly after every earlier T: messages to a member never reuse one, so the
            // KEMAC keystream (from the PSK, CSB ID, RAND, all fixed, and T) is never reused
            // (RFC 3830 §4.2.3, §4.5 "MUST use a new timestamp").
            let at = t;
            let ts = Timestamp::ntp_utc(Timestamp::from_unix(at).value);
            self.last_t = at;
            t += Duration::from_micros(1);
            match fan.message(m, id, ts, at, rng) {
                Ok((bytes, reply)) => {
                    if record_sent(m, mki, now, self.cfg.v, reply) {
                        self.acked_current += 1;
                    }
                    out.push((id.clone(), bytes));
                }
                Err(error) => self.events.push(GroupEvent::MemberFailed {
                    member: id.clone(),
                    mki,
                    error,
                    authenticated: false,
                }),
            }
        }
        Ok(out)
    }
}

/// Whether `m` gets no message for key `mki`: it joined after that key, or (with
/// `outstanding_only`) it holds the key or has an exchange for it in flight.
fn skipped(m: &Member, mki: u32, outstanding_only: bool) -> bool {
    m.min_mki > mki
        || (outstanding_only
            && (m.held.contains(&mki)
                || m.exchange
                    .as_ref()
                    .is_some_and(|e| e.mki == mki && e.expects_verification && !e.timed_out)))
}

/// Records the exchange of a message with key `mki` just sent to `m` (`v`: whether a
/// verification message is asked for). Returns whether `m` now newly counts as holding
/// the key: without verification the member is taken to hold it.
fn record_sent(
    m: &mut Member,
    mki: u32,
    now: Duration,
    v: bool,
    reply: Option<PendingReply>,
) -> bool {
    m.exchange = Some(Exchange {
        mki,
        initial: !m.holds_csb,
        sent_at: now,
        expects_verification: v,
        timed_out: false,
        unauth_error_reported: false,
        reply,
    });
    if v {
        return false;
    }
    // No verification asked for: the member is taken to hold it.
    m.holds_csb = true;
    hold(&mut m.held, mki)
}

/// What every member's message of one fan-out is built from: the group's settings and the
/// key data, encoded once (RFC 3830 §8.1).
struct FanOut<'a> {
    ctx: Ctx<'a>,
    id_i: Option<(IdType, &'a [u8])>,
    cs_map: &'a CsIdMap<'static>,
    plain: &'a [u8],
    tk: &'a TransportKey,
}

impl FanOut<'_> {
    /// The message for member `id` with timestamp `ts` (`at` as a time) and the key that
    /// checks its reply.
    fn message(
        &self,
        m: &Member,
        id: &MemberId,
        ts: Timestamp,
        at: Duration,
        rng: &mut dyn Entropy,
    ) -> Result<(Vec<u8>, Option<PendingReply>), SessionError> {
        let cfg = self.ctx.cfg;
        match &m.credential {
            // The PSK message (RFC 3830 §3.1), built from the group's settings in place:
            // an initial message with the group RAND, or an update without (§4.5).
            Credential::Psk(psk) => build_i_message(
                &IMessage {
                    csb_id: self.ctx.csb_id,
                    prf: cfg.prf,
                    encr: cfg.encr,
                    mac: cfg.mac,
                    v: cfg.v,
                    rand: self.ctx.rand,
                    send_rand: !m.holds_csb,
                    id_i: self.id_i,
                    id_r: Some((cfg.member_id_type, id.as_str().as_bytes())),
                    policies: &cfg.policies,
                    cs_map: self.cs_map,
                },
                psk.as_bytes(),
                m.prf_key.as_ref(),
                ts,
                Plain::Encoded(self.plain),
            )
            .map(|(bytes, auth)| (bytes, Some(PendingReply { t: ts, auth }))),
            Credential::PublicKey { .. } => self.ctx.pk_message(
                m.public.as_ref(),
                id,
                m.holds_csb,
                vec![self.tk.clone()],
                at,
                rng,
            ),
        }
    }
}
