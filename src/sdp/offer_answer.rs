//! MIKEY in the SDP offer/answer model (RFC 4567 §4.1.1, §4.1.2 over RFC 3264), as SIP
//! uses it:
//!
//! 1. The offerer lists its SSRCs with `a=ssrc` (RFC 5576 §4.1), builds the crypto
//!    sessions from the offer's media ([`crypto_sessions_for_offer`]: two per media, RFC
//!    4567 §7.1), creates the MIKEY message and puts it into the offer at session level or
//!    per media ([`offer_with_mikey`]).
//! 2. The answerer runs its [`PskResponder`] on every MIKEY attribute of the offer
//!    ([`answer_mikey`]): crypto sessions with SSRC 0 are filled from the `a=ssrc` lines of
//!    its answer, and each verification message goes into the answer at the level of the
//!    offer's attribute. A rejection aborts the whole setup (RFC 4567 §4.1.2) and gives
//!    the SIP failure to send (488 with a 306 or 399 warning).
//! 3. The offerer checks the verification message of the answer, matched to the level of
//!    its offer, where a media-level attribute wins over a session-level one (RFC 4567
//!    §3.1) ([`handle_answer_mikey`]).
//!
//! ```
//! use core::time::Duration;
//! use mikey::crypto::SecretBytes;
//! use mikey::sdp::offer_answer::*;
//! use mikey::sdp::KeyMgmtLevel;
//! use mikey::session::{OsEntropy, PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
//! use mikey::wire::SrtpPolicy;
//!
//! let now = Duration::from_secs(1_800_000_000);
//! let psk = [7u8; 16];
//! let sdp = |port: u16, ssrc: u32| format!(
//!     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 192.0.2.1\r\n\
//!      m=audio {port} RTP/SAVP 0\r\na=ssrc:{ssrc} cname:x\r\n");
//! // Offerer.
//! let mut offer = sdp_types::Session::parse(sdp(49000, 0x1111).as_bytes()).unwrap();
//! let cs = crypto_sessions_for_offer(&offer, KeyMgmtLevel::Session, 0);
//! assert_eq!(cs.len(), 2); // RFC 4567 §7.1: one per direction
//! let cfg = PskConfig {
//!     v: true,
//!     crypto_sessions: cs,
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
//!     ..PskConfig::default()
//! };
//! let mut initiator = PskInitiator::new(&psk, cfg);
//! let msg = initiator.initiate(vec![TransportKey::tgk(&[9; 16])], now, &mut OsEntropy).unwrap();
//! offer_with_mikey(&mut offer, KeyMgmtLevel::Session, &msg).unwrap();
//!
//! // Answerer.
//! let mut responder = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
//! let mut answer = sdp_types::Session::parse(sdp(50000, 0x2222).as_bytes()).unwrap();
//! let done = answer_mikey(&offer, &mut answer, &mut responder, now).unwrap();
//! assert_eq!(done.entries[0].level, KeyMgmtLevel::Session);
//!
//! // Offerer again: the answerer's SSRC arrives in the verification message.
//! let v = handle_answer_mikey(&answer, KeyMgmtLevel::Session, &mut initiator, now).unwrap().unwrap();
//! assert_eq!(v.ssrcs_filled, [(2, 0x2222)]);
//! assert_eq!(initiator.srtp().unwrap(), responder.srtp(v.csb_id).unwrap());
//! ```

use super::failure::{KeyMgmtError, KeyMgmtFailure};
use super::{key_mgmt_from_session, mikey_at, mikey_for_media, set_key_mgmt, KeyMgmtLevel};
use super::{SdpError, MIKEY_PRTCL_ID};
use crate::session::{BundleChange, PskInitiator, PskResponder, Verified};
use crate::wire::{CsIdMap, MessageView, ParseOptions, Quirks, SrtpCs};
use core::time::Duration;
use sdp_types::Session;

/// The SDP attribute listing a media source's SSRC (RFC 5576 §4.1).
pub const SSRC_ATTRIBUTE: &str = "ssrc";

/// Parses the SSRC of an `a=ssrc:<ssrc-id> <attribute>[:<value>]` value (RFC 5576 §4.1:
/// `ssrc-id = integer ; 0 .. 2**32 - 1`). `None` when it is not a decimal 32-bit number.
pub fn parse_ssrc_attribute(value: &str) -> Option<u32> {
    let id = value.split([' ', '\t']).next()?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

/// The SSRCs of media `media_index` listed by `a=ssrc` (RFC 5576 §4.1), in order of first
/// appearance, without duplicates (a source has one line per source attribute). Malformed
/// lines are skipped; an out-of-range index gives an empty list.
pub fn ssrcs_of_media(session: &Session, media_index: usize) -> Vec<u32> {
    let Some(media) = session.medias.get(media_index) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in &media.attributes {
        if a.attribute != SSRC_ATTRIBUTE {
            continue;
        }
        if let Some(ssrc) = a.value.as_deref().and_then(parse_ssrc_attribute) {
            if !out.contains(&ssrc) {
                out.push(ssrc);
            }
        }
    }
    out
}

/// Adds `a=ssrc:<ssrc> cname:<cname>` to media `media_index` (RFC 5576 §4.1; `cname` is
/// the source attribute every source must have, RFC 5576 §6.1). Fails only for a media
/// index out of range.
pub fn add_ssrc(
    session: &mut Session,
    media_index: usize,
    ssrc: u32,
    cname: &str,
) -> Result<(), SdpError> {
    let count = session.medias.len();
    let media = session
        .medias
        .get_mut(media_index)
        .ok_or(SdpError::MediaIndex {
            index: media_index,
            count,
        })?;
    let cname: String = cname.chars().filter(|c| !c.is_control()).collect();
    media.add_attribute_with_value(SSRC_ATTRIBUTE, format!("{ssrc} cname:{cname}"));
    Ok(())
}

fn is_secure_profile(media: &sdp_types::Media) -> bool {
    media.proto.to_ascii_uppercase().contains("SAVP")
}

/// The media descriptions a MIKEY attribute at `level` keys (RFC 4567 §3.1): for
/// [`KeyMgmtLevel::Media`] that media alone; for [`KeyMgmtLevel::Session`] every media
/// with a secure profile (`RTP/SAVP`, `RTP/SAVPF`, ...; RFC 4567 §5.2: an `RTP/AVP` media
/// is not affected) that has no media-level MIKEY attribute of its own.
pub fn media_keyed_by(session: &Session, level: KeyMgmtLevel) -> Vec<usize> {
    match level {
        KeyMgmtLevel::Media(i) if i < session.medias.len() => vec![i],
        KeyMgmtLevel::Media(_) => Vec::new(),
        KeyMgmtLevel::Session => session
            .medias
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                is_secure_profile(m) && mikey_at(session, KeyMgmtLevel::Media(*i)).is_none()
            })
            .map(|(i, _)| i)
            .collect(),
    }
}

/// The crypto sessions (SRTP-ID map, RFC 3830 §6.1.1) for a MIKEY message the offerer
/// puts at `level` of `offer`: two consecutive crypto sessions per keyed media (RFC 4567
/// §7.1), in `m=` order: CS 2k+1 for the offerer's stream (its first `a=ssrc` of that
/// media, or 0 when it lists none), CS 2k+2 for the answerer's stream (SSRC 0: the
/// answerer fills it in, see [`answer_mikey`]). Every crypto session uses `policy_no`
/// and ROC 0.
pub fn crypto_sessions_for_offer(
    offer: &Session,
    level: KeyMgmtLevel,
    policy_no: u8,
) -> Vec<SrtpCs> {
    media_keyed_by(offer, level)
        .into_iter()
        .take(127)
        .flat_map(|i| {
            let ssrc = ssrcs_of_media(offer, i).first().copied().unwrap_or(0);
            [
                SrtpCs {
                    policy_no,
                    ssrc,
                    roc: 0,
                },
                SrtpCs {
                    policy_no,
                    ssrc: 0,
                    roc: 0,
                },
            ]
        })
        .collect()
}

/// Puts the offerer's initiator message into the offer as `a=key-mgmt:mikey` at `level`
/// (RFC 4567 §4.1.1: base64 in the keymgmt-data field; §4.1.2: the offer must contain the
/// media description the data applies to). Replaces an earlier MIKEY attribute there.
pub fn offer_with_mikey(
    session: &mut Session,
    level: KeyMgmtLevel,
    initiator_message: &[u8],
) -> Result<(), SdpError> {
    set_key_mgmt(session, level, initiator_message)
}

/// One MIKEY attribute of the offer the answerer accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnsweredKeyMgmt {
    /// Where the attribute was in the offer (and where the verification message goes in
    /// the answer).
    pub level: KeyMgmtLevel,
    /// The media it keys (see [`media_keyed_by`]).
    pub media: Vec<usize>,
    /// The crypto session bundle it created or updated.
    pub csb_id: u32,
    /// What changed in the bundle.
    pub change: BundleChange,
    /// The verification message written into the answer, when the offerer asked for one
    /// (RFC 3830 §3.1: V flag).
    pub verification: Option<Vec<u8>>,
    /// Device quirks the responder tolerated.
    pub quirks: Quirks,
}

/// What [`answer_mikey`] did: one entry per MIKEY attribute of the offer, session level
/// first, then media in order. Empty when the offer carries no key management at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerKeyMgmt {
    /// The accepted attributes.
    pub entries: Vec<AnsweredKeyMgmt>,
}

impl AnswerKeyMgmt {
    /// The entry keying media `media_index` (media level wins over session level,
    /// RFC 4567 §3.1).
    pub fn for_media(&self, media_index: usize) -> Option<&AnsweredKeyMgmt> {
        self.entries
            .iter()
            .find(|e| e.level == KeyMgmtLevel::Media(media_index))
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|e| e.level == KeyMgmtLevel::Session && e.media.contains(&media_index))
            })
    }

    /// Writes the verification messages into `answer` at the level of each offer
    /// attribute (RFC 4567 §4.1.1, §5.2). [`answer_mikey`] already did this; use it to
    /// build another copy of the answer.
    pub fn write_to(&self, answer: &mut Session) -> Result<(), SdpError> {
        for e in &self.entries {
            if let Some(v) = &e.verification {
                set_key_mgmt(answer, e.level, v)?;
            }
        }
        Ok(())
    }
}

/// The SSRCs the responder fills into the zero-SSRC crypto sessions of `msg`, in order.
/// With the layout of [`crypto_sessions_for_offer`] (two crypto sessions per keyed media)
/// the answerer's stream is the even crypto session of each media; otherwise each media
/// contributes the answer's first SSRC in turn.
fn local_ssrcs_for(offer: &Session, answer: &Session, level: KeyMgmtLevel, msg: &[u8]) -> Vec<u32> {
    let media = media_keyed_by(offer, level);
    let first = |i: usize| ssrcs_of_media(answer, i).first().copied().unwrap_or(0);
    let map: Option<Vec<(u8, SrtpCs)>> = MessageView::parse_with(msg, ParseOptions::LENIENT)
        .ok()
        .and_then(|v| match &v.header().cs_map {
            CsIdMap::SrtpId(m) => Some(m.iter().collect()),
            _ => None,
        });
    match map {
        Some(cs) if !media.is_empty() && cs.len() == 2 * media.len() => cs
            .iter()
            .filter(|(_, c)| c.ssrc == 0)
            .map(|(id, _)| {
                let id = usize::from(*id);
                if id % 2 == 0 {
                    media.get((id - 1) / 2).map_or(0, |&m| first(m))
                } else {
                    0
                }
            })
            .collect(),
        _ => media.into_iter().map(first).collect(),
    }
}

/// The answerer's side (RFC 4567 §4.1.1 "handle a received offer" and "create an
/// answer", §4.1.2): runs `responder` on every `a=key-mgmt:mikey` attribute of `offer`
/// (the first one per level) and writes each verification message into `answer` at the
/// same level.
///
/// `answer` is the answerer's draft answer, with one media description per media of the
/// offer (RFC 3264 §6); its `a=ssrc` lines (RFC 5576) fill the crypto sessions whose SSRC
/// is 0 (see [`crypto_sessions_for_offer`] for the layout). The responder's own
/// `local_ssrcs` are restored afterwards.
///
/// Any failure aborts the whole setup (RFC 4567 §4.1.2: "including those parts of the
/// session that successfully completed their part of the key management"): bundles this
/// call created are removed again, `answer` is left unchanged, and the SIP failure to send
/// is returned (488 "Not Acceptable Here", with a MIKEY Error message when the responder
/// built one). An offer without any `key-mgmt` attribute gives an empty result; one whose
/// attributes are all of other protocols fails with [`KeyMgmtError::NotMikey`].
pub fn answer_mikey(
    offer: &Session,
    answer: &mut Session,
    responder: &mut PskResponder,
    now: Duration,
) -> Result<AnswerKeyMgmt, KeyMgmtFailure> {
    if answer.medias.len() != offer.medias.len() {
        return Err(KeyMgmtFailure::sip(
            KeyMgmtError::AnswerMismatch {
                offer: offer.medias.len(),
                answer: answer.medias.len(),
            },
            None,
        ));
    }
    let all = key_mgmt_from_session(offer)
        .map_err(|e| KeyMgmtFailure::sip(KeyMgmtError::Sdp(e), None))?;
    if all.is_empty() {
        return Ok(AnswerKeyMgmt::default());
    }
    let mut todo: Vec<(KeyMgmtLevel, &[u8])> = Vec::new();
    for e in &all {
        if e.attr.prtcl_id == MIKEY_PRTCL_ID && !todo.iter().any(|(l, _)| *l == e.level) {
            todo.push((e.level, &e.attr.data));
        }
    }
    if todo.is_empty() {
        return Err(KeyMgmtFailure::sip(KeyMgmtError::NotMikey, None));
    }
    let saved = responder.config().local_ssrcs.clone();
    let mut done = AnswerKeyMgmt::default();
    let mut failure = None;
    for (level, msg) in todo {
        responder.set_local_ssrcs(local_ssrcs_for(offer, answer, level, msg));
        match responder.handle(msg, now) {
            Ok(a) => done.entries.push(AnsweredKeyMgmt {
                level,
                media: media_keyed_by(offer, level),
                csb_id: a.csb_id,
                change: a.change,
                verification: a.response,
                quirks: a.quirks,
            }),
            Err(r) => {
                failure = Some(KeyMgmtFailure::sip(
                    KeyMgmtError::Mikey(r.error),
                    r.response,
                ));
                break;
            }
        }
    }
    responder.set_local_ssrcs(saved);
    let failure = match failure {
        Some(f) => Some(f),
        None => {
            let mut copy = answer.clone();
            match done.write_to(&mut copy) {
                Ok(()) => {
                    *answer = copy;
                    None
                }
                Err(e) => Some(KeyMgmtFailure::sip(KeyMgmtError::Sdp(e), None)),
            }
        }
    };
    match failure {
        None => Ok(done),
        Some(f) => {
            for e in &done.entries {
                if e.change.created {
                    responder.remove_bundle(e.csb_id);
                }
            }
            Err(f)
        }
    }
}

/// The MIKEY message of `answer` that answers an offer attribute at `level`: the
/// session-level attribute for [`KeyMgmtLevel::Session`], and for a media the media-level
/// attribute if there is one, else the session-level one (RFC 4567 §3.1). `None` when
/// there is none or it is malformed.
pub fn mikey_of_answer(answer: &Session, level: KeyMgmtLevel) -> Option<Vec<u8>> {
    match level {
        KeyMgmtLevel::Session => mikey_at(answer, KeyMgmtLevel::Session).flatten(),
        KeyMgmtLevel::Media(i) => mikey_for_media(answer, i),
    }
}

/// The offerer's side of the answer (RFC 4567 §4.1.1 "handle a received answer"): checks
/// the verification message answering the offer attribute at `level` with `initiator`
/// (which takes over the SSRCs the answerer filled in). Returns `None` when the answer
/// carries no MIKEY data there and none was asked for (V flag clear). Errors: no MIKEY
/// data although a verification message was asked for ([`KeyMgmtError::Missing`]), or
/// the initiator rejecting it (an Error message from the answerer is
/// [`crate::session::SessionError::PeerError`]); RFC 4567 §4.1.1 then aborts the session.
pub fn handle_answer_mikey(
    answer: &Session,
    level: KeyMgmtLevel,
    initiator: &mut PskInitiator,
    now: Duration,
) -> Result<Option<Verified>, KeyMgmtError> {
    match mikey_of_answer(answer, level) {
        Some(data) => initiator
            .handle_response(&data, now)
            .map(Some)
            .map_err(KeyMgmtError::Mikey),
        None if initiator.is_confirmed() => Ok(None),
        None => Err(KeyMgmtError::Missing),
    }
}
