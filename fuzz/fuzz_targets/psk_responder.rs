//! The PSK responder (RFC 3830 §3.1) with a fixed PSK, fed arbitrary bytes and mutations
//! of valid messages built once by our initiator (see `mikey_fuzz::responder`): it must
//! never panic, never accept the same bytes twice, never let its replay cache grow past
//! its capacity, and never accept a mutated message whose authenticated bytes changed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::session::{PskResponder, SessionError};
use mikey::wire::{DataType, Message, MessageView, ParseOptions};
use mikey_fuzz::psk::{self, Flavour, NOW};
use mikey_fuzz::responder::{self, Base, Harness, Responder, Verdict};
use std::sync::LazyLock;

/// Small, so that floods of accepted messages reach it.
const REPLAY_CAPACITY: usize = 4;

struct Psk {
    r: PskResponder,
    lenient: bool,
}

impl Responder for Psk {
    fn handle(&mut self, msg: &[u8]) -> Verdict {
        match self.r.handle(msg, NOW) {
            Ok(a) => {
                // What the responder acted upon: the message as parsed (a tolerated
                // trailing byte excluded).
                let opts = if self.lenient {
                    ParseOptions::LENIENT
                } else {
                    ParseOptions::STRICT
                };
                let view = MessageView::parse_with(msg, opts).expect("accepted but unparsable");
                assert!(
                    self.r.bundle(a.csb_id).is_some(),
                    "accepted without a bundle"
                );
                self.r.srtp(a.csb_id).expect("accepted bundle exports");
                if let Some(resp) = &a.response {
                    let m = Message::parse(resp).expect("verification message parses");
                    assert_eq!(m.header.data_type, DataType::PskResp);
                    assert_eq!(m.encode().unwrap(), *resp);
                }
                Verdict::Accepted {
                    authenticated: view.as_bytes().to_vec(),
                }
            }
            Err(rej) => {
                assert!(!rej.error.to_string().is_empty());
                if let Some(resp) = &rej.response {
                    let m = Message::parse(resp).expect("error message parses");
                    assert_eq!(m.header.data_type, DataType::Error);
                    assert!(
                        !matches!(rej.error, SessionError::Replay | SessionError::Parse(_)),
                        "no answer to replays and malformed messages"
                    );
                }
                Verdict::Rejected
            }
        }
    }

    fn check_invariants(&self) {
        let c = self.r.replay_cache();
        assert!(c.len() <= c.capacity(), "replay cache over its capacity");
    }
}

struct PskHarness {
    bases: Vec<Base>,
}

impl Harness for PskHarness {
    type R = Psk;

    fn flavours(&self) -> usize {
        Flavour::ALL.len()
    }

    fn responder(&self, flavour: usize) -> Psk {
        let f = Flavour::ALL[flavour % Flavour::ALL.len()];
        Psk {
            r: f.responder(REPLAY_CAPACITY),
            lenient: f.config(REPLAY_CAPACITY).lenient,
        }
    }

    fn bases(&self) -> &[Base] {
        &self.bases
    }
}

static HARNESS: LazyLock<PskHarness> = LazyLock::new(|| {
    let mut bases = Vec::new();
    for x in psk::exchanges() {
        let flavour = Flavour::ALL
            .iter()
            .position(|f| *f == x.flavour)
            .unwrap_or(0);
        for (n, m) in x.messages.iter().enumerate() {
            bases.push(Base {
                name: format!("{} message {n}", x.name),
                flavour,
                before: x.messages[..n].to_vec(),
                message: m.clone(),
                authenticated: x.authenticated,
            });
        }
    }
    PskHarness { bases }
});

fuzz_target!(|data: &[u8]| responder::run(&*HARNESS, data));
