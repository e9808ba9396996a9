//! The receive pipeline of [`Responder::handle`](super::Responder::handle), written once for
//! every mode (see the module docs of [`engine`](super) for its order).

use super::hooks::{Claims, Env, Existing, Incoming, Outcome, Recovered, ReplyAuth, Updates};
use super::limits::Events;
use super::limits::{Limit, ResponderEvent};
use super::reply::{answers, error_reply};
use super::table::{BundleTable, Counters, Entry, PeerName};
use super::weak::{check_distinct_mkis, check_tgk_fits, Leniencies, Leniency, MIN_RAND_LEN};
use super::window::{self, nanos, Verdict};
use super::{Accepted, Mode, Rejected, Responder, ResponderConfig};
use crate::bundle::{BundleChange, CryptoSessionBundle, TransportKey};
use crate::crypto::SecretBytes;
use crate::session::common::{check_policies, fill_ssrcs};
use crate::session::replay::{MessageDigest, ReplayCache, ReplayVerdict};
use crate::session::{SessionError, TimestampPolicy};
use crate::srtp::export::DecodedPolicies;
use crate::wire::{CsIdMap, MessageView, Quirk, Timestamp};
use core::time::Duration;
use std::sync::Arc;

pub(super) fn handle<M: Mode>(
    r: &mut Responder<M>,
    bytes: &[u8],
    now: Duration,
) -> Result<Accepted, Rejected> {
    if bytes.len() > r.cfg.limits.max_message_len {
        let error = SessionError::LimitReached(Limit::MessageLen);
        r.events.push(ResponderEvent::LimitReached {
            limit: Limit::MessageLen,
        });
        return Err(Rejected {
            error,
            response: None,
        });
    }
    let view = match MessageView::parse_with(bytes, r.cfg.parse_options()) {
        Ok(v) => v,
        Err(e) => return Err(unparsed(r, bytes, e, now)),
    };
    let mut seen = Seen::default();
    match process(r, &view, now, &mut seen) {
        Ok(a) => Ok(a),
        Err(error) => Err(refused(r, &view, seen, error, now)),
    }
}

// The two refusals are out of line and cold: the accepting path stays compact in the
// instruction cache (a full exchange is bound by it, not by its arithmetic).

/// A message that did not parse: the mode's error reply, if any, within the budget for
/// unauthenticated messages (asked before the reply is built).
#[cold]
#[inline(never)]
fn unparsed<M: Mode>(
    r: &mut Responder<M>,
    bytes: &[u8],
    e: crate::wire::ParseError,
    now: Duration,
) -> Rejected {
    let Responder {
        mode,
        cfg,
        error_budget,
        events,
        ..
    } = r;
    let mut may_answer = || error_budget.spend(cfg.limits.error_replies_per_sec, now, events);
    let (error, response) = mode.parse_failure(bytes, e, cfg, now, &mut may_answer);
    Rejected { error, response }
}

/// A parsed message refused by the pipeline: the event, the Error message (within the
/// budget when the message did not authenticate).
#[cold]
#[inline(never)]
fn refused<M: Mode>(
    r: &mut Responder<M>,
    view: &MessageView<'_>,
    seen: Seen,
    error: SessionError,
    now: Duration,
) -> Rejected {
    match &error {
        SessionError::LimitReached(limit) => r
            .events
            .push(ResponderEvent::LimitReached { limit: *limit }),
        SessionError::ReplayCacheFull => r.events.push(ResponderEvent::ReplayCacheFull),
        _ => {}
    }
    let auth = seen.auth.as_ref();
    let per_sec = r.cfg.limits.error_replies_per_sec;
    let answer = answers(&r.cfg, &error)
        && (auth.is_some() || r.error_budget.spend(per_sec, now, &mut r.events));
    let response = answer
        .then(|| error_reply(&r.cfg, view.header(), seen.t, &error, auth))
        .flatten();
    Rejected { error, response }
}

/// What the pipeline learnt before it failed, for the Error message.
#[derive(Default)]
struct Seen {
    t: Option<Timestamp>,
    auth: Option<ReplyAuth>,
}

/// Steps 1-4: the cheap checks. Returns the timestamp verdict, whether the message
/// updates a bundle, and the leniencies used.
fn cheap_checks<B>(
    cfg: &ResponderConfig,
    claims: &Claims<'_>,
    now: Duration,
    last: Option<u64>,
    existing: Option<&Entry<B>>,
    updates: Updates,
) -> Result<(Verdict, bool, Leniencies), SessionError> {
    let mut lenient = Leniencies::default();
    let policy = &cfg.timestamps;
    check_policies(claims.policies)?;
    let verdict = window::check(&claims.t, now, cfg.limits.max_skew, policy, last)?;
    if policy.accept_any_time && verdict.ordered.is_some() {
        let clock = TimestampPolicy {
            accept_any_time: false,
            ..*policy
        };
        if window::check(&claims.t, now, cfg.limits.max_skew, &clock, None).is_err() {
            lenient.insert(Leniency::NonClockTimestamp);
        }
    }
    let is_update = updates == Updates::WithoutRand && claims.rand.is_none() && existing.is_some();
    match claims.rand {
        Some(r) if r.len() < MIN_RAND_LEN => match cfg.lenient {
            true => lenient.insert(Leniency::ShortRand),
            false => {
                return Err(SessionError::WeakInput(super::Weakness::ShortRand {
                    len: r.len(),
                }))
            }
        },
        None if updates == Updates::WithoutRand && !is_update => match policy.allow_missing_rand {
            true => lenient.insert(Leniency::MissingRand),
            false => return Err(SessionError::MissingPayload("RAND")),
        },
        _ => {}
    }
    Ok((verdict, is_update, lenient))
}

/// What steps 3-4 let through: the timestamp verdict, whether the message updates a
/// bundle, the leniencies used, and the message's replay digest.
struct Admitted {
    verdict: Verdict,
    is_update: bool,
    leniencies: Leniencies,
    digest: MessageDigest,
}

/// Steps 3-4: timestamp window, RAND, COUNTER table, replay cache and the peer's share of
/// it. Changes nothing (the message is recorded only once it authenticates).
#[allow(clippy::too_many_arguments)]
fn admit<B>(
    cfg: &ResponderConfig,
    replay: &mut ReplayCache,
    counters: &Counters,
    claims: &Claims<'_>,
    bytes: &[u8],
    peer: &[u8],
    existing: Option<&Entry<B>>,
    updates: Updates,
    now: Duration,
) -> Result<Admitted, SessionError> {
    let now_ns = nanos(now);
    let digest = claims.replay.digest(bytes);
    let checked = cheap_checks(cfg, claims, now, counters.last(peer), existing, updates);
    let (verdict, is_update, leniencies) = match checked {
        // A replay of an ordered (COUNTER) value fails the window first: say what it is
        // (and answer it with nothing).
        Err(SessionError::InvalidTimestamp)
            if replay.check(&digest, peer, now_ns) == ReplayVerdict::Replayed =>
        {
            return Err(SessionError::Replay)
        }
        other => other?,
    };
    if verdict.ordered.is_none() && replay.may_have_forgotten(verdict.keep_until) {
        return Err(SessionError::InvalidTimestamp);
    }
    if verdict.ordered.is_some() {
        counters
            .admits(peer, cfg.limits.counter_identities)
            .map_err(SessionError::LimitReached)?;
    }
    match replay.check(&digest, peer, now_ns) {
        ReplayVerdict::Fresh => Ok(Admitted {
            verdict,
            is_update,
            leniencies,
            digest,
        }),
        ReplayVerdict::Replayed => Err(SessionError::Replay),
        ReplayVerdict::Full => Err(SessionError::ReplayCacheFull),
        ReplayVerdict::PeerFull => Err(SessionError::LimitReached(Limit::ReplayPerPeer)),
    }
}

fn process<M: Mode>(
    r: &mut Responder<M>,
    view: &MessageView<'_>,
    now: Duration,
    seen: &mut Seen,
) -> Result<Accepted, SessionError> {
    let Responder {
        mode,
        cfg,
        provider,
        entropy,
        replay,
        bundles,
        counters,
        events,
        error_budget: _,
    } = r;
    let now_ns = nanos(now);
    let h = view.header();
    // 1-2. Shape, header, algorithms.
    let parts = mode.collect(view, cfg)?;
    let claims = mode.claims(&parts);
    seen.t = Some(claims.t);
    mode.check_algorithms(&parts, cfg)?;
    // 3-4. Timestamp window, RAND, updates, replay cache, quotas.
    bundles.expire(now_ns, cfg.limits.bundle_idle_lifetime, events);
    let peer = PeerName::of(claims.peer);
    let peer = peer.as_bytes();
    let existing = bundles.get(h.csb_id);
    let bytes = view.as_bytes();
    let a = admit(
        cfg,
        replay,
        counters,
        &claims,
        bytes,
        peer,
        existing,
        M::UPDATES,
        now,
    )?;
    let incoming = incoming(view, &claims, existing, a.is_update, cfg);
    let mut env = Env {
        provider: provider.as_ref(),
        rng: entropy.as_mut(),
    };
    // 5. Authentication; a bundle's CSB ID stays with the peer that created it.
    let mut authed = mode.authenticate(&parts, &incoming, &mut env)?;
    seen.auth = authed.reply_auth.take();
    if existing.is_some_and(|e| e.binding.as_ref().is_some_and(|b| *b != authed.binding)) {
        return Err(SessionError::AuthFailure);
    }
    // 6. Recorded, then the keys recovered.
    // `admit` found it fresh, and nothing has touched the cache since.
    let peer_name = replay.record(a.digest, peer, a.verdict.keep_until);
    if let Some(v) = a.verdict.ordered {
        counters.record(peer, v);
    }
    let mut rec = mode.recover(&parts, &mut authed.state, &incoming, &mut env)?;
    if rec.reply_auth.is_some() {
        seen.auth = rec.reply_auth.take();
    }
    // 7. What was recovered, the bundle it makes, the reply.
    let (candidate, decoded, echoed, change) = candidate(&mut rec, &incoming, cfg.limits.max_keys)?;
    let cs_map = echoed.as_ref().unwrap_or(&candidate.cs_map);
    let (bundle, auth) = (&candidate, seen.auth.as_ref());
    let out = Outcome {
        bundle,
        cs_map,
        auth,
    };
    let response = mode.reply(&parts, &authed.state, &incoming, &out, &mut env)?;
    // 8. Installed.
    // An update keeps the bundle's update key unless the mode brings a new one.
    let kept = existing
        .filter(|_| a.is_update)
        .and_then(|e| e.update_key.clone());
    let binding = (!rec.shared).then_some(authed.binding);
    let owner = (peer_name, binding, rec.update_key.or(kept));
    let csb_id = install(bundles, events, cfg, owner, (candidate, decoded), now_ns);
    accepted(csb_id, change, response, view, a.leniencies)
}

/// Step 8: the bundle installed for its peer (making room within the limits); its CSB ID.
fn install<B>(
    bundles: &mut BundleTable<B>,
    events: &mut Events,
    cfg: &ResponderConfig,
    (peer, binding, update_key): (Arc<[u8]>, Option<B>, Option<SecretBytes>),
    (bundle, policies): (CryptoSessionBundle, DecodedPolicies),
    now_ns: u64,
) -> u32 {
    let csb_id = bundle.csb_id;
    let entry = Entry {
        peer,
        policies,
        binding,
        update_key,
        last_used: now_ns,
        bundle,
    };
    bundles.install(csb_id, entry, &cfg.limits, events);
    csb_id
}

fn accepted(
    csb_id: u32,
    change: BundleChange,
    response: Option<Vec<u8>>,
    view: &MessageView<'_>,
    leniencies: Leniencies,
) -> Result<Accepted, SessionError> {
    Ok(Accepted {
        csb_id,
        change,
        response,
        quirks: view.quirks(),
        leniencies,
    })
}

/// The message as the mode's hooks see it: with the RAND keys derive from (the message's,
/// or the bundle's for an update, RFC 3830 §4.5) and the bundle it refers to.
fn incoming<'v, 'a, B>(
    view: &'v MessageView<'a>,
    claims: &'v Claims<'v>,
    existing: Option<&'v Entry<B>>,
    is_update: bool,
    cfg: &'v ResponderConfig,
) -> Incoming<'v, 'a, B> {
    let rand: &[u8] = match (claims.rand, existing) {
        (Some(r), _) => r,
        (None, Some(e)) if is_update => &e.bundle.rand,
        (None, _) => &[],
    };
    Incoming {
        view,
        claims,
        rand,
        existing: existing.map(|e| Existing {
            bundle: &e.bundle,
            binding: e.binding.as_ref(),
            update_key: e.update_key.as_ref(),
        }),
        is_update,
        cfg,
    }
}

/// What [`candidate`] makes: the bundle with its policies as decoded, the map the reply
/// echoes, what changed.
type Candidate = (
    CryptoSessionBundle,
    DecodedPolicies,
    Option<CsIdMap<'static>>,
    BundleChange,
);

/// Step 7: the bundle the recovered keys make, checked; with the crypto session map the
/// reply echoes when the bundle keeps its own (RFC 3830 §4.5) and what changed. The keys
/// and policies move from `rec` into the bundle.
fn candidate<B>(
    rec: &mut Recovered,
    m: &Incoming<'_, '_, B>,
    max_keys: usize,
) -> Result<Candidate, SessionError> {
    let h = m.view.header();
    let too_many = |n: usize| {
        SessionError::InvalidKeyData(format!(
            "{n} keys in the bundle, at most {max_keys} accepted"
        ))
    };
    if rec.keys.len() > max_keys {
        return Err(too_many(rec.keys.len()));
    }
    check_distinct_mkis(&rec.keys).map_err(SessionError::WeakInput)?;
    if !m.is_update && rec.keys.is_empty() {
        return Err(SessionError::InvalidKeyData(
            "no key in the initial message".into(),
        ));
    }
    let rand = rec.rand.as_deref().unwrap_or(m.rand);
    if rand.is_empty() && rec.keys.iter().any(TransportKey::is_tgk) {
        return Err(SessionError::MissingPayload(
            "RAND (needed to derive keys from a TGK)",
        ));
    }
    let cs_map = match rec.cs_map.take() {
        Some(c) => c,
        None => {
            let mut c = h.cs_map.clone().into_owned();
            fill_ssrcs(&mut c, &m.cfg.local_ssrcs);
            c
        }
    };
    let mut bundle = match &m.existing {
        Some(e) if m.is_update => e.bundle.clone(),
        _ => CryptoSessionBundle::new(rec.csb_id.unwrap_or(h.csb_id), h.prf, rand.to_vec()),
    };
    bundle.gstreamer_auth_key_len |= m.view.quirks().contains(Quirk::SrtpAuthKeyLen10);
    // The bundle takes the message's map unless it is empty and the bundle has one
    // (`CryptoSessionBundle::update`); the answer echoes the message's map either way.
    let (to_bundle, kept) = if cs_map.count() > 0 || bundle.cs_map.count() == 0 {
        (Some(cs_map), None)
    } else {
        (None, Some(cs_map))
    };
    let policies = rec.policies.take().unwrap_or_else(|| {
        let sp = m.claims.policies.iter();
        sp.map(|p| p.clone().into_owned()).collect()
    });
    let mut change = bundle.update(to_bundle, policies, core::mem::take(&mut rec.keys));
    change.created = !m.is_update;
    if bundle.keys.len() > max_keys {
        return Err(too_many(bundle.keys.len()));
    }
    // One pass over the crypto sessions: each policy decoded once for both checks, and
    // kept for the bundle's exports.
    let decoded = crate::srtp::export::check_suites(&bundle, |suite| {
        check_tgk_fits(&bundle.keys, suite).map_err(SessionError::WeakInput)
    })?;
    Ok((bundle, decoded, kept, change))
}
