//! MIKEY in SDP offer/answer (RFC 4567 §4.1.2): session- and media-level key management,
//! SSRCs from `a=ssrc` (RFC 5576) filling crypto sessions, the answer matched to the
//! offer's level, and the whole setup aborted with 488 when any attribute fails.

mod common;
use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::sdp::offer_answer::*;
use mikey::sdp::{key_mgmt_from_sdp, set_key_mgmt, KeyMgmtError, KeyMgmtLevel};
use mikey::session::*;
use mikey::wire::{ErrorNo, Id, SrtpCs, SrtpPolicy};
use sdp_types::Session;

const PSK: [u8; 16] = [0x5a; 16];
const NOW: Duration = Duration::from_secs(1_790_000_000);

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 3u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(41);
            *x = n;
        }
    }
}

/// An SDP with audio and video (the RFC 4567 §5.1 shape), each with one `a=ssrc`.
fn sdp(user: &str, audio_ssrc: u32, video_ssrc: u32, video_proto: &str) -> Session {
    let text = format!(
        "v=0\r\no={user} 2891092738 2891092738 IN IP4 {user}.example.com\r\ns=Cool stuff\r\n\
         t=0 0\r\nc=IN IP4 {user}.example.com\r\n\
         m=audio 49000 RTP/SAVP 98\r\na=rtpmap:98 AMR/8000\r\na=ssrc:{audio_ssrc} cname:{user}\r\n\
         m=video 52230 {video_proto} 31\r\na=rtpmap:31 H261/90000\r\na=ssrc:{video_ssrc} cname:{user}\r\n"
    );
    Session::parse(text.as_bytes()).unwrap()
}

fn to_text(s: &Session) -> String {
    let mut out = Vec::new();
    s.write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn reparse(s: &Session) -> Session {
    Session::parse(to_text(s).as_bytes()).unwrap()
}

fn initiator(offer: &Session, level: KeyMgmtLevel) -> PskInitiator {
    PskInitiator::new(
        &PSK,
        PskConfig {
            v: true,
            id_i: Some(Id::nai("alice@example.com")),
            crypto_sessions: crypto_sessions_for_offer(offer, level, 1),
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
            ..PskConfig::default()
        },
    )
}

fn responder() -> PskResponder {
    PskResponder::new(
        SecretBytes::from_slice(&PSK),
        ResponderConfig {
            local_ssrcs: vec![0xdead],
            ..ResponderConfig::default()
        },
    )
}

#[test]
fn ssrc_attributes() {
    let s = Session::parse(
        b"v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/SAVP 0\r\n\
          a=ssrc:12 cname:a\r\na=ssrc:12 msid:x y\r\na=ssrc:+5 cname:a\r\na=ssrc:abc cname:a\r\n\
          a=ssrc:4294967296 cname:a\r\na=ssrc\r\na=ssrc:4294967295\r\na=ssrc:0 cname:z\r\n\
          a=SSRC:99 cname:q\r\nm=video 2 RTP/SAVP 31\r\n",
    )
    .unwrap();
    assert_eq!(ssrcs_of_media(&s, 0), [12, 4294967295, 0]);
    assert_eq!(ssrcs_of_media(&s, 1), Vec::<u32>::new());
    assert_eq!(ssrcs_of_media(&s, 9), Vec::<u32>::new());
    assert_eq!(parse_ssrc_attribute("7\tcname:x"), Some(7));
    let mut s2 = s.clone();
    add_ssrc(&mut s2, 1, 0xabcd, "me\r\nm=evil").unwrap();
    assert_eq!(ssrcs_of_media(&reparse(&s2), 1), [0xabcd]);
    assert!(to_text(&s2).contains("a=ssrc:43981 cname:mem=evil\r\n"));
    assert!(add_ssrc(&mut s2, 2, 1, "x").is_err());
}

#[test]
fn session_level_offer_and_answer_with_ssrcs_from_sdp() {
    let mut offer = sdp("alice", 0xa1, 0xa2, "RTP/SAVP");
    let level = KeyMgmtLevel::Session;
    assert_eq!(media_keyed_by(&offer, level), [0, 1]);
    let cs = crypto_sessions_for_offer(&offer, level, 1);
    let ssrcs: Vec<u32> = cs.iter().map(|c| c.ssrc).collect();
    assert_eq!(
        ssrcs,
        [0xa1, 0, 0xa2, 0],
        "RFC 4567 §7.1: two CS per m= line"
    );
    let mut init = initiator(&offer, level);
    let keys = vec![TransportKey::tgk(&[1; 16]).with_mki(&[0, 0, 0, 1])];
    let msg = init.initiate(keys, NOW, &mut seq_rng()).unwrap();
    offer_with_mikey(&mut offer, level, &msg).unwrap();
    let offer = reparse(&offer);
    assert!(to_text(&offer).contains("a=key-mgmt:mikey "));

    let mut r = responder();
    let mut answer = sdp("bob", 0xb1, 0xb2, "RTP/SAVP");
    let done = answer_mikey(&offer, &mut answer, &mut r, NOW).unwrap();
    assert_eq!(done.entries.len(), 1);
    let e = &done.entries[0];
    assert_eq!((e.level, e.media.clone()), (level, vec![0, 1]));
    assert!(e.change.created);
    assert_eq!(done.for_media(1).map(|e| e.csb_id), Some(e.csb_id));
    assert_eq!(
        r.config().local_ssrcs,
        [0xdead],
        "the responder's own setting is restored"
    );
    // The verification message sits at session level of the answer.
    let answer = reparse(&answer);
    let found = key_mgmt_from_sdp(&to_text(&answer)).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, KeyMgmtLevel::Session);
    assert_eq!(Some(&found[0].attr.data), e.verification.as_ref());

    let v = handle_answer_mikey(&answer, level, &mut init, NOW)
        .unwrap()
        .unwrap();
    assert_eq!(v.ssrcs_filled, [(2, 0xb1), (4, 0xb2)]);
    let a = init.srtp().unwrap();
    assert_eq!(a, r.srtp(v.csb_id).unwrap());
    let streams: Vec<(u8, u32)> = a.iter().map(|p| (p.cs_id, p.ssrc)).collect();
    assert_eq!(streams, [(1, 0xa1), (2, 0xb1), (3, 0xa2), (4, 0xb2)]);
}

#[test]
fn media_level_offers_are_answered_per_media_and_media_level_wins() {
    let mut offer = sdp("alice", 0xa1, 0xa2, "RTP/SAVP");
    let mut inits = Vec::new();
    let mut rng = seq_rng();
    for i in 0..2 {
        let level = KeyMgmtLevel::Media(i);
        assert_eq!(media_keyed_by(&offer, level), [i]);
        let mut init = initiator(&offer, level);
        let msg = init
            .initiate(vec![TransportKey::tgk(&[i as u8 + 1; 16])], NOW, &mut rng)
            .unwrap();
        offer_with_mikey(&mut offer, level, &msg).unwrap();
        inits.push(init);
    }
    // Another protocol at session level is ignored by MIKEY.
    offer
        .attributes
        .push(sdp_types::Attribute::with_value("key-mgmt", "keyp1 AAAA"));
    assert_eq!(
        media_keyed_by(&offer, KeyMgmtLevel::Session),
        Vec::<usize>::new()
    );
    let offer = reparse(&offer);
    let mut r = responder();
    let mut answer = sdp("bob", 0xb1, 0xb2, "RTP/SAVP");
    let done = answer_mikey(&offer, &mut answer, &mut r, NOW).unwrap();
    let levels: Vec<_> = done.entries.iter().map(|e| e.level).collect();
    assert_eq!(levels, [KeyMgmtLevel::Media(0), KeyMgmtLevel::Media(1)]);
    // A session-level MIKEY attribute in the answer does not hide the media-level ones.
    set_key_mgmt(&mut answer, KeyMgmtLevel::Session, &[1, 2, 3]).unwrap();
    let answer = reparse(&answer);
    for (i, init) in inits.iter_mut().enumerate() {
        let v = handle_answer_mikey(&answer, KeyMgmtLevel::Media(i), init, NOW)
            .unwrap()
            .unwrap();
        let theirs = [0xb1, 0xb2][i];
        assert_eq!(v.ssrcs_filled, [(2, theirs)]);
        assert_eq!(init.srtp().unwrap(), r.srtp(v.csb_id).unwrap());
    }
    assert_eq!(
        mikey_of_answer(&answer, KeyMgmtLevel::Session),
        Some(vec![1, 2, 3])
    );
}

#[test]
fn session_level_covers_only_secure_media_without_their_own_attribute() {
    // RFC 4567 §5.2: an RTP/AVP media is not keyed by a session-level attribute.
    let offer = sdp("alice", 0xa1, 0xa2, "RTP/AVP");
    assert_eq!(media_keyed_by(&offer, KeyMgmtLevel::Session), [0]);
    let mut mixed = sdp("alice", 0xa1, 0xa2, "RTP/SAVPF");
    assert_eq!(media_keyed_by(&mixed, KeyMgmtLevel::Session), [0, 1]);
    set_key_mgmt(&mut mixed, KeyMgmtLevel::Media(1), &[1]).unwrap();
    assert_eq!(media_keyed_by(&mixed, KeyMgmtLevel::Session), [0]);
    assert_eq!(
        crypto_sessions_for_offer(&mixed, KeyMgmtLevel::Session, 0).len(),
        2
    );
    assert_eq!(
        media_keyed_by(&mixed, KeyMgmtLevel::Media(2)),
        Vec::<usize>::new()
    );
}

#[test]
fn any_failure_aborts_the_whole_setup_with_488() {
    let mut offer = sdp("alice", 0xa1, 0xa2, "RTP/SAVP");
    let mut rng = seq_rng();
    let mut good = initiator(&offer, KeyMgmtLevel::Media(0));
    let m0 = good
        .initiate(vec![TransportKey::tgk(&[1; 16])], NOW, &mut rng)
        .unwrap();
    offer_with_mikey(&mut offer, KeyMgmtLevel::Media(0), &m0).unwrap();
    let mut wrong = PskInitiator::new(
        &[0x99; 16],
        PskConfig {
            v: true,
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: 0xa2,
                roc: 0,
            }],
            ..PskConfig::default()
        },
    );
    let m1 = wrong
        .initiate(vec![TransportKey::tgk(&[2; 16])], NOW, &mut rng)
        .unwrap();
    offer_with_mikey(&mut offer, KeyMgmtLevel::Media(1), &m1).unwrap();
    let mut r = responder();
    let mut answer = sdp("bob", 0xb1, 0xb2, "RTP/SAVP");
    let before = answer.clone();
    let f = answer_mikey(&offer, &mut answer, &mut r, NOW).unwrap_err();
    assert_eq!((f.status, f.reason), (488, "Not Acceptable Here"));
    assert_eq!(f.error, KeyMgmtError::Mikey(SessionError::AuthFailure));
    assert_eq!(f.sip_warning(), Some((399, "Miscellaneous warning")));
    assert_eq!(answer, before, "the answer is left alone");
    let csb0 = good.bundle().unwrap().csb_id;
    assert_ne!(csb0, wrong.bundle().unwrap().csb_id);
    assert!(
        r.bundle(csb0).is_none(),
        "media 0's bundle is dropped again"
    );
    // The MIKEY Error message goes back to the offerer, who reports it.
    let err = f.mikey_error.clone().unwrap();
    let mut ans = sdp("bob", 0xb1, 0xb2, "RTP/SAVP");
    set_key_mgmt(&mut ans, KeyMgmtLevel::Media(1), &err).unwrap();
    assert_eq!(
        handle_answer_mikey(&ans, KeyMgmtLevel::Media(1), &mut wrong, NOW),
        Err(KeyMgmtError::Mikey(SessionError::PeerError(vec![
            ErrorNo::AuthFailure
        ])))
    );
    // No MIKEY data in the answer although V was asked for.
    assert_eq!(
        handle_answer_mikey(&before, KeyMgmtLevel::Media(0), &mut good, NOW),
        Err(KeyMgmtError::Missing)
    );
}

#[test]
fn offers_without_mikey() {
    let mut r = responder();
    let plain = sdp("alice", 1, 2, "RTP/SAVP");
    let mut answer = sdp("bob", 3, 4, "RTP/SAVP");
    assert_eq!(
        answer_mikey(&plain, &mut answer, &mut r, NOW).unwrap(),
        AnswerKeyMgmt::default()
    );
    let mut other = plain.clone();
    set_key_mgmt(&mut other, KeyMgmtLevel::Session, &[1]).unwrap();
    other.attributes[0].value = Some("keyp1 AQ==".into());
    let f = answer_mikey(&other, &mut answer, &mut r, NOW).unwrap_err();
    assert_eq!((f.status, f.error.clone()), (488, KeyMgmtError::NotMikey));
    assert_eq!(f.sip_warning(), Some((306, "Attribute not understood")));
    let mut broken = plain.clone();
    broken
        .attributes
        .push(sdp_types::Attribute::with_value("key-mgmt", "mikey A"));
    assert!(matches!(
        answer_mikey(&broken, &mut answer, &mut r, NOW)
            .unwrap_err()
            .error,
        KeyMgmtError::Sdp(_)
    ));
    let mut short = answer.clone();
    short.medias.pop();
    assert_eq!(
        answer_mikey(&plain, &mut short, &mut r, NOW)
            .unwrap_err()
            .error,
        KeyMgmtError::AnswerMismatch {
            offer: 2,
            answer: 1
        }
    );
    // No V asked for and no answer data: nothing to check.
    let mut i = PskInitiator::new(&PSK, PskConfig::default());
    i.initiate(vec![TransportKey::tgk(&[1; 16])], NOW, &mut seq_rng())
        .unwrap();
    assert_eq!(
        handle_answer_mikey(&plain, KeyMgmtLevel::Session, &mut i, NOW),
        Ok(None)
    );
}

#[test]
fn rfc4567_example_offer_without_the_psk_is_refused() {
    let b64 = std::fs::read_to_string(common::path("rfc4567-ex1-alice-psk-init.b64")).unwrap();
    let text = format!(
        "v=0\r\no=alice 2891092738 2891092738 IN IP4 w-land.example.com\r\ns=Cool stuff\r\n\
         e=alice@w-land.example.com\r\nt=0 0\r\nc=IN IP4 w-land.example.com\r\n\
         a=key-mgmt:mikey {}\r\nm=audio 49000 RTP/SAVP 98\r\na=rtpmap:98 AMR/8000\r\n\
         m=video 52230 RTP/SAVP 31\r\na=rtpmap:31 H261/90000\r\n",
        b64.trim()
    );
    let offer = Session::parse(text.as_bytes()).unwrap();
    let mut answer = offer.clone();
    answer.attributes.clear();
    let mut r = PskResponder::new(
        SecretBytes::from_slice(&PSK),
        ResponderConfig {
            timestamps: TimestampPolicy {
                accept_any_time: true,
                ..TimestampPolicy::default()
            },
            ..ResponderConfig::default()
        },
    );
    let f = answer_mikey(&offer, &mut answer, &mut r, NOW).unwrap_err();
    assert_eq!(f.status, 488);
    assert_eq!(f.error, KeyMgmtError::Mikey(SessionError::AuthFailure));
}
