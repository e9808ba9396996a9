//! Members' replies (RFC 3830 §5.2), timeouts and acknowledgements.

use super::*;

impl GroupController {
    /// Handles `member`'s reply: a verification message (RFC 3830 §5.2) that checks makes
    /// it hold the key ([`GroupEvent::MemberAcknowledged`], then
    /// [`GroupEvent::AllAcknowledged`] when it was the last); an Error message is reported
    /// as [`GroupEvent::MemberFailed`]. A reply that does not verify for this member
    /// (another member's, replayed, forged, or for an earlier message) is rejected with
    /// [`GroupError::Rejected`] or [`GroupError::NotAwaiting`] and changes nothing.
    pub fn handle_reply(
        &mut self,
        member: &MemberId,
        bytes: &[u8],
        now: Duration,
    ) -> Result<Reply, GroupError> {
        // Replies carry the timestamp of the message they answer; `now` is not needed to
        // check them (kept for timing policies).
        let _ = now;
        let view =
            MessageView::parse(bytes).map_err(|e| GroupError::Rejected(SessionError::Parse(e)))?;
        let slot = *self
            .members
            .get(member)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        self.handle_view(slot as usize, member, &view)
    }

    /// [`handle_reply`](Self::handle_reply) for the member in `slot`, the reply parsed.
    pub(super) fn handle_view(
        &mut self,
        slot: usize,
        member: &MemberId,
        view: &MessageView<'_>,
    ) -> Result<Reply, GroupError> {
        let is_error = view.header().data_type == DataType::Error;
        // Whether an Error message is authenticated (carries V, RFC 3830 §5.1.2) matters only
        // for Error messages (only they yield `PeerError`): a verification message is not
        // walked an extra time here, the check below does it.
        let has_v = is_error && view.payloads().any(|p| matches!(p, Payload::V(_)));
        let m = self
            .slots
            .get(slot)
            .and_then(Option::as_ref)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        let ex = m
            .exchange
            .as_ref()
            .ok_or_else(|| GroupError::NotAwaiting(member.clone()))?;
        if is_error && !has_v && ex.unauth_error_reported {
            return Err(GroupError::Rejected(SessionError::Replay));
        }
        let result = check_reply(&self.cfg, self.csb_id, &self.cs_map, member, m, view);
        self.apply(slot, member, has_v, result)
    }

    /// Records the outcome of a reply checked for the member in `slot`.
    pub(super) fn apply(
        &mut self,
        slot: usize,
        member: &MemberId,
        authenticated: bool,
        result: Result<(), SessionError>,
    ) -> Result<Reply, GroupError> {
        let cur = self.current_mki();
        let v = self.cfg.v;
        let m = self
            .slots
            .get_mut(slot)
            .and_then(Option::as_mut)
            .ok_or_else(|| GroupError::UnknownMember(member.clone()))?;
        let Some(ex) = m.exchange.as_mut() else {
            return Err(GroupError::NotAwaiting(member.clone()));
        };
        let mki = ex.mki;
        match result {
            Ok(()) => {
                m.exchange = None;
                m.holds_csb = true;
                if hold(&mut m.held, mki) && Some(mki) == cur {
                    self.acked_current += 1;
                }
                self.events.push(GroupEvent::MemberAcknowledged {
                    member: member.clone(),
                    mki,
                });
                self.check_all_acked();
                Ok(Reply {
                    member: member.clone(),
                    mki,
                    verified: true,
                })
            }
            Err(error @ SessionError::PeerError(_)) => {
                if authenticated {
                    m.exchange = None;
                    if !v {
                        // Taken to hold the key when sent; it says it does not.
                        if let Some(i) = m.held.iter().position(|&k| k == mki) {
                            m.held.remove(i);
                            if Some(mki) == cur {
                                self.acked_current = self.acked_current.saturating_sub(1);
                            }
                        }
                    }
                } else {
                    ex.unauth_error_reported = true;
                }
                self.events.push(GroupEvent::MemberFailed {
                    member: member.clone(),
                    mki,
                    error,
                    authenticated,
                });
                Ok(Reply {
                    member: member.clone(),
                    mki,
                    verified: false,
                })
            }
            Err(e) => Err(GroupError::Rejected(e)),
        }
    }

    /// Handles a reply whose member is not known from the transport: the member is the one
    /// named by the reply's IDr payload (RFC 3830 §6.7) when present and known, else the one
    /// whose exchange has the reply's timestamp (every member's message has its own T, which
    /// the reply echoes, RFC 3830 §3.1, §5.2). One MAC is checked per reply, however many
    /// members there are. An unauthenticated Error message without IDr cannot be attributed.
    pub fn handle_reply_any(&mut self, bytes: &[u8], now: Duration) -> Result<Reply, GroupError> {
        let _ = now;
        let view =
            MessageView::parse(bytes).map_err(|e| GroupError::Rejected(SessionError::Parse(e)))?;
        let id_r = view.payloads().find_map(|p| match p {
            Payload::Id(id) => id.text().map(MemberId::from),
            _ => None,
        });
        if let Some((id, slot)) = id_r.and_then(|id| self.members.get(&id).map(|&slot| (id, slot)))
        {
            return self.handle_view(slot as usize, &id, &view);
        }
        if !view.payloads().any(|p| matches!(p, Payload::V(_))) {
            return Err(GroupError::Unattributed);
        }
        let t = view.walk().find_map(|p| p.timestamp());
        let found = t.and_then(|t| {
            self.members.iter().find(|(_, &slot)| {
                self.slots
                    .get(slot as usize)
                    .and_then(Option::as_ref)
                    .and_then(|m| m.exchange.as_ref())
                    .and_then(|e| e.reply.as_ref())
                    .is_some_and(|r| r.t == t)
            })
        });
        let Some((id, &slot)) = found else {
            return Err(GroupError::Unattributed);
        };
        let id = id.clone();
        match self.slots.get(slot as usize).and_then(Option::as_ref) {
            Some(m) => match check_reply(&self.cfg, self.csb_id, &self.cs_map, &id, m, &view) {
                Ok(()) => self.apply(slot as usize, &id, true, Ok(())),
                Err(e @ SessionError::PeerError(_)) => self.apply(slot as usize, &id, true, Err(e)),
                Err(_) => Err(GroupError::Unattributed),
            },
            None => Err(GroupError::Unattributed),
        }
    }

    pub(super) fn check_all_acked(&mut self) {
        let Some(mki) = self.current_mki() else {
            return;
        };
        if self.cfg.v
            && self.all_acked_reported != Some(mki)
            && self.eligible_current > 0
            && self.acked_current >= self.eligible_current
        {
            self.all_acked_reported = Some(mki);
            self.events.push(GroupEvent::AllAcknowledged { mki });
        }
    }

    /// Reports members whose reply is overdue ([`GroupEvent::MemberTimedOut`], once per
    /// exchange) and returns every event since the last call. Linear in the members.
    pub fn poll(&mut self, now: Duration) -> Vec<GroupEvent> {
        let timeout = self.cfg.reply_timeout;
        for (id, &slot) in &self.members {
            let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
                continue;
            };
            if let Some(ex) = m.exchange.as_mut() {
                if ex.expects_verification
                    && !ex.timed_out
                    && now.saturating_sub(ex.sent_at) >= timeout
                {
                    ex.timed_out = true;
                    self.events.push(GroupEvent::MemberTimedOut {
                        member: id.clone(),
                        mki: ex.mki,
                    });
                }
            }
        }
        std::mem::take(&mut self.events)
    }

    /// When the next reply becomes overdue (for the caller's timer), if any is awaited.
    pub fn next_timeout(&self) -> Option<Duration> {
        self.slots
            .iter()
            .flatten()
            .filter_map(|m| m.exchange.as_ref())
            .filter(|e| e.expects_verification && !e.timed_out)
            .map(|e| e.sent_at.saturating_add(self.cfg.reply_timeout))
            .min()
    }

    /// `(acked, total)` for key `mki`: members holding it (verified, or sent when V is not
    /// requested), and members eligible for it (in the group when it was created).
    pub fn acknowledged(&self, mki: u32) -> (usize, usize) {
        if Some(mki) == self.current_mki() {
            return (self.acked_current, self.eligible_current);
        }
        if Some(mki) != self.previous_mki() {
            return (0, 0);
        }
        self.slots
            .iter()
            .flatten()
            .filter(|m| m.min_mki <= mki)
            .fold((0, 0), |(a, t), m| {
                (a + usize::from(m.held.contains(&mki)), t + 1)
            })
    }
}
