//! A responder harness independent of the key exchange mode.
//!
//! A fuzz input is either
//!
//! * **raw** (`input[0]` even): `input[1..]` is handed to a fresh responder of flavour
//!   `input[0] / 2`, twice. The responder must not panic, must keep its invariants, and
//!   must never accept the same bytes twice (replay protection, RFC 3830 §5.4); or
//! * **mutated** (`input[0]` odd): base message `input[0] / 2` (a valid message the harness
//!   built, see [`Base`]) is changed by the operations in `input[1..]` (4 bytes each, see
//!   [`mutate`]) and handed to a fresh responder that first accepted the base's
//!   prerequisite messages. If the base is authenticated (its MAC covers every byte but
//!   the MAC), an accepted mutation must have exactly the base's bytes as the bytes the
//!   responder authenticated: any other change must be rejected.
//!
//! To add a responder target for another mode, implement [`Harness`] in a new
//! `fuzz_targets/<mode>_responder.rs`, call [`run`] from `fuzz_target!`, and add a
//! `[[bin]]` entry to `fuzz/Cargo.toml`.

use mikey::wire::{Message, ParseOptions};

/// A valid message of the mode under test, built by our own initiator.
#[derive(Clone, Debug)]
pub struct Base {
    /// Name, for failure messages.
    pub name: String,
    /// The responder flavour that accepts it (an index for [`Harness::responder`]).
    pub flavour: usize,
    /// Messages the responder must accept first, in order (e.g. the initial message
    /// before an update).
    pub before: Vec<Vec<u8>>,
    /// The message that is mutated.
    pub message: Vec<u8>,
    /// Whether a MAC or signature covers the whole message: then no change of its bytes
    /// may be accepted.
    pub authenticated: bool,
}

/// What the responder did with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted. `authenticated` holds the message bytes the responder authenticated
    /// and acted upon (without a tolerated trailing byte, for instance).
    Accepted {
        /// The bytes the responder acted upon.
        authenticated: Vec<u8>,
    },
    /// Rejected (with or without an Error message).
    Rejected,
}

/// One responder instance of the mode under test.
pub trait Responder {
    /// Handles one message at the harness's fixed clock. Must check what the response
    /// (verification or Error message) looks like, e.g. that it parses.
    fn handle(&mut self, msg: &[u8]) -> Verdict;
    /// Checks the responder's invariants (e.g. the replay cache within its capacity).
    fn check_invariants(&self);
}

/// The mode under test.
pub trait Harness {
    /// The responder type.
    type R: Responder;
    /// Number of responder flavours (configurations).
    fn flavours(&self) -> usize;
    /// A fresh responder of flavour `flavour % flavours()`.
    fn responder(&self, flavour: usize) -> Self::R;
    /// Valid messages to mutate (at least one).
    fn bases(&self) -> &[Base];
}

/// Mutation operations: each is 4 bytes `[op, pos_hi, pos_lo, val]`; positions wrap
/// around the current length.
///
/// | `op % 8` | effect |
/// |---|---|
/// | 0 | flip bit `val % 8` of byte `pos` |
/// | 1 | set byte `pos` to `val` |
/// | 2 | insert `val` before byte `pos` |
/// | 3 | delete byte `pos` |
/// | 4 | truncate to `pos` bytes |
/// | 5 | append `val` |
/// | 6 | add `val` to byte `pos` |
/// | 7 | structural, on the parsed message (lenient), re-encoded: `val % 4` = 0 remove
/// payload `pos`, 1 duplicate it, 2 swap it with the next, 3 move it to the end |
pub fn mutate(base: &[u8], ops: &[u8]) -> Vec<u8> {
    let mut m = base.to_vec();
    for op in ops.chunks_exact(4) {
        let pos = usize::from(u16::from_be_bytes([op[1], op[2]]));
        let val = op[3];
        let at = |len: usize| if len == 0 { 0 } else { pos % len };
        match op[0] % 8 {
            0 if !m.is_empty() => {
                let i = at(m.len());
                m[i] ^= 1 << (val % 8);
            }
            1 if !m.is_empty() => {
                let i = at(m.len());
                m[i] = val;
            }
            2 => {
                let i = at(m.len() + 1);
                m.insert(i, val);
            }
            3 if !m.is_empty() => {
                let i = at(m.len());
                m.remove(i);
            }
            4 => {
                let i = at(m.len() + 1);
                m.truncate(i);
            }
            5 => m.push(val),
            6 if !m.is_empty() => {
                let i = at(m.len());
                m[i] = m[i].wrapping_add(val);
            }
            7 => {
                if let Some(s) = structural(&m, pos, val) {
                    m = s;
                }
            }
            _ => {}
        }
    }
    m
}

fn structural(bytes: &[u8], pos: usize, val: u8) -> Option<Vec<u8>> {
    let (mut msg, _) = Message::parse_with(bytes, ParseOptions::LENIENT).ok()?;
    let n = msg.payloads.len();
    if n == 0 {
        return None;
    }
    let i = pos % n;
    match val % 4 {
        0 => {
            msg.payloads.remove(i);
        }
        1 => {
            let p = msg.payloads[i].clone();
            msg.payloads.insert(i, p);
        }
        2 => msg.payloads.swap(i, (i + 1) % n),
        _ => {
            let p = msg.payloads.remove(i);
            msg.payloads.push(p);
        }
    }
    msg.encode().ok()
}

/// A raw input: `bytes` handed to a responder of `flavour`.
pub fn raw_input(flavour: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = vec![flavour.wrapping_mul(2)];
    v.extend_from_slice(bytes);
    v
}

/// A mutation input: base `base` changed by `ops` (see [`mutate`]).
pub fn mutation_input(base: u8, ops: &[[u8; 4]]) -> Vec<u8> {
    let mut v = vec![base.wrapping_mul(2) | 1];
    for op in ops {
        v.extend_from_slice(op);
    }
    v
}

fn is_genuine(bases: &[Base], bytes: &[u8]) -> bool {
    bases
        .iter()
        .any(|b| b.message == bytes || b.before.iter().any(|m| m == bytes))
}

/// Runs one fuzz input against the harness (see the module documentation).
pub fn run<H: Harness>(h: &H, data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let index = usize::from(sel >> 1);
    if sel & 1 == 0 {
        let mut r = h.responder(index % h.flavours().max(1));
        let first = r.handle(rest);
        r.check_invariants();
        let again = r.handle(rest);
        r.check_invariants();
        if matches!(first, Verdict::Accepted { .. }) {
            assert_eq!(
                again,
                Verdict::Rejected,
                "the same bytes were accepted twice"
            );
        }
        return;
    }
    let bases = h.bases();
    if bases.is_empty() {
        return;
    }
    let base = &bases[index % bases.len()];
    let mut r = h.responder(base.flavour);
    for (n, m) in base.before.iter().enumerate() {
        assert!(
            matches!(r.handle(m), Verdict::Accepted { .. }),
            "{}: prerequisite message {n} was not accepted",
            base.name
        );
        r.check_invariants();
    }
    let mutated = mutate(&base.message, rest);
    let verdict = r.handle(&mutated);
    r.check_invariants();
    if let Verdict::Accepted { authenticated } = &verdict {
        // A MAC covers every byte of the base but the MAC: an accepted mutation must be
        // the base itself (or, in theory, another genuine message the harness built).
        if base.authenticated {
            assert!(
                authenticated == &base.message || is_genuine(bases, authenticated),
                "{}: a message whose authenticated bytes changed was accepted",
                base.name
            );
        }
        assert_eq!(
            r.handle(&mutated),
            Verdict::Rejected,
            "{}: the same bytes were accepted twice",
            base.name
        );
        r.check_invariants();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations() {
        let b = [1u8, 2, 3, 4];
        assert_eq!(mutate(&b, &[0, 0, 1, 0]), [1, 3, 3, 4]);
        assert_eq!(mutate(&b, &[1, 0, 5, 9]), [1, 9, 3, 4]);
        assert_eq!(mutate(&b, &[2, 0, 4, 9]), [1, 2, 3, 4, 9]);
        assert_eq!(mutate(&b, &[3, 0, 0, 0]), [2, 3, 4]);
        assert_eq!(mutate(&b, &[4, 0, 2, 0]), [1, 2]);
        assert_eq!(mutate(&b, &[5, 0, 0, 7]), [1, 2, 3, 4, 7]);
        assert_eq!(
            mutate(&[], &[0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0]),
            Vec::<u8>::new()
        );
    }
}
