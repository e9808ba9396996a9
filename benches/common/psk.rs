//! The PSK exchange of `benches/exchange.rs` and its crypto floor, shared with
//! `benches/psk_profile.rs` (which includes this file by path) so the profiled workload is
//! the benched one.
#![allow(dead_code)] // each includer uses part of it

use core::time::Duration;
use mikey::crypto::{self, KemacCipher, MacKind, MessageKeys, Prf, SecretBytes};
use mikey::session::*;
use mikey::wire::{SrtpCs, SrtpPolicy};
use std::hint::black_box;

use super::common::rng;

/// The pre-shared key of every exchange.
pub const PSK: [u8; 16] = [0x42; 16];
/// The TGK the initiator sends.
pub const TGK: [u8; 16] = [9; 16];

/// The initiator's settings: one SRTP crypto session (AES_CM_128_HMAC_SHA1_80), V set,
/// AES-CM KEMAC, HMAC-SHA-1 MAC, PRF func 0 (the defaults).
pub fn cfg() -> PskConfig {
    PskConfig {
        v: true,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..PskConfig::default()
    }
}

/// One complete exchange: a fresh initiator builds the I_MESSAGE, a fresh responder checks
/// it and answers with a verification message, the initiator verifies that, both export
/// SRTP keys. Returns the two messages' lengths.
pub fn exchange(psk: &[u8], now: Duration, r: &mut impl FnMut(&mut [u8])) -> (usize, usize) {
    let mut ini = PskInitiator::new(psk, cfg());
    let m = ini.initiate(vec![TransportKey::tgk(&TGK)], now, r).unwrap();
    let mut resp = PskResponder::new(SecretBytes::from_slice(psk), ResponderConfig::default());
    let a = resp.handle(&m, now).unwrap();
    let v = a.response.as_deref().unwrap();
    ini.handle_response(v, now).unwrap();
    let x = ini.srtp().unwrap();
    let y = resp.srtp(a.csb_id).unwrap();
    resp.remove_bundle(a.csb_id);
    black_box((x, y));
    (m.len(), v.len())
}

/// How many bytes each of the exchange's two MACs covers, taken from a real exchange: the
/// I_MESSAGE up to its MAC field, and the verification message up to its MAC field plus
/// IDi || IDr || T (8 bytes of NTP-UTC; no ID payloads are sent). RFC 3830 §5.2.
pub fn mac_input_lens() -> (usize, usize) {
    let (i, v) = exchange(&PSK, Duration::from_secs(1_790_000_000), &mut rng());
    let tag = MacKind::HmacSha1_160.mac_len();
    (i - tag, v - tag + 8)
}

/// The crypto of one exchange, each primitive called on its own: on each side the three
/// message keys (encr, auth, salt; RFC 3830 §4.1.4), AES-CM over the 20-byte key data, the
/// KEMAC MAC and the verification MAC over inputs of the exchange's sizes (`lens`, from
/// [`mac_input_lens`]) — computed by the side that sends the message, computed and compared
/// in constant time by the side that checks it, the initiator's `auth_key` keyed once for
/// both — and TEK + salt of crypto session 1 from the TGK (§4.1.3), keyed once for both.
pub fn crypto_floor(psk: &[u8], lens: (usize, usize)) {
    initiator_crypto(psk, lens.0, Some(lens.1));
    export_crypto();
    responder_crypto(psk, lens);
    export_crypto();
}

/// Exchange and floor alternated in batches of `batch`, `rounds` times (so load changes on
/// a shared machine hit both alike), timed with `clock` (thread CPU time in the benches).
#[derive(Clone, Copy, Debug)]
pub struct Interleaved {
    /// Total exchange time / total floor time.
    pub ratio: f64,
    /// The median over rounds of (exchange time / floor time) of one round: a burst of load
    /// that hits one half of a round moves it less.
    pub median_ratio: f64,
    /// Mean exchange time, microseconds.
    pub exchange_us: f64,
    /// Mean floor time, microseconds.
    pub floor_us: f64,
}

impl core::fmt::Display for Interleaved {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "exchange {:.3} us, crypto floor {:.3} us, ratio {:.3} (median of rounds {:.3})",
            self.exchange_us, self.floor_us, self.ratio, self.median_ratio
        )
    }
}

/// Runs the interleaved measurement (see [`Interleaved`]).
pub fn interleaved(
    clock: fn() -> f64,
    psk: &[u8],
    lens: (usize, usize),
    rounds: u32,
    batch: u32,
) -> Interleaved {
    let mut r = rng();
    let now = Duration::from_secs(1_790_000_000);
    let (mut te, mut tf) = (0f64, 0f64);
    let mut per_round = Vec::with_capacity(rounds as usize);
    for i in 0..rounds {
        let t = clock();
        for j in 0..batch {
            exchange(
                psk,
                now + Duration::from_secs(u64::from((i + j) % 200)),
                &mut r,
            );
        }
        let e = clock() - t;
        let t = clock();
        for _ in 0..batch {
            crypto_floor(psk, lens);
        }
        let f = clock() - t;
        te += e;
        tf += f;
        per_round.push(e / f);
    }
    per_round.sort_by(f64::total_cmp);
    let n = f64::from(rounds * batch);
    Interleaved {
        ratio: te / tf,
        median_ratio: per_round
            .get(per_round.len() / 2)
            .copied()
            .unwrap_or(f64::NAN),
        exchange_us: te * 1e6 / n,
        floor_us: tf * 1e6 / n,
    }
}

/// A forged I_MESSAGE (a genuine one with the last byte of its MAC flipped), the time it
/// is stamped with, and a responder for it that answers at most `error_replies_per_sec`
/// refused messages a second with an Error message: what an attacker without the key
/// floods a responder with. Shape, timestamp and replay checks pass; the MAC does not.
pub fn forged_setup(error_replies_per_sec: u32) -> (Vec<u8>, PskResponder, Duration) {
    let now = Duration::from_secs(1_790_000_000);
    let (_, mut m) = i_message(now);
    *m.last_mut().unwrap() ^= 1;
    let mut cfg = ResponderConfig::default();
    cfg.limits.error_replies_per_sec = error_replies_per_sec;
    let resp = PskResponder::new(SecretBytes::from_slice(&PSK), cfg);
    (m, resp, now)
}

/// Hands the forged message to a responder answering at most `error_replies_per_sec` of
/// them a second, `n` times, as a flood of one million a second (the time passed in
/// advances 1 µs a message); returns the CPU seconds taken (timed with `clock`). Each one
/// must be refused as a MAC failure.
pub fn forged(clock: fn() -> f64, n: u64, error_replies_per_sec: u32) -> f64 {
    let (m, mut resp, start) = forged_setup(error_replies_per_sec);
    let t = clock();
    for i in 0..n {
        let now = start + Duration::from_micros(i);
        let e = resp.handle(black_box(&m), now).unwrap_err();
        debug_assert_eq!(e.error, SessionError::AuthFailure);
        black_box(e);
    }
    clock() - t
}

/// The crypto a forged message needs before it can be refused: `auth_key` from the PSK
/// (RFC 3830 §4.1.4) and the MAC over the message, compared in constant time. The PSK is
/// made ready for the PRF once, as the responder keeps it between messages.
pub fn forged_floor(clock: fn() -> f64, n: u64, mac_input: usize) -> f64 {
    let msg = [0xa5u8; 512];
    let tag = [0x5au8; 20];
    let keyed = crypto::PrfKey::new(Prf::MikeyOne, &PSK);
    let t = clock();
    for _ in 0..n {
        let auth = crypto::derive_keyed(
            black_box(&keyed),
            crypto::PSK_CONST_AUTH,
            0x01020304,
            &[7; 16],
            20,
        );
        black_box(crypto::kemac::verify_mac(
            MacKind::HmacSha1_160,
            auth.as_bytes(),
            &msg[..mac_input],
            &tag,
        ));
    }
    clock() - t
}

/// The exchange taken apart: each side's steps timed next to the cryptography they contain
/// (the pieces of [`crypto_floor`], each primitive called on its own as there), alternated
/// in rounds like [`interleaved`]. Every step starts from the same state each time: the
/// initiator's generator restarts, so it sends the same I_MESSAGE and can check the same
/// verification message. Mean microseconds per step; `[step, its crypto]` each.
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// A fresh initiator builds the I_MESSAGE (`PskInitiator::new` and `initiate`); its
    /// crypto: the three message keys, AES-CM over the key data, `auth_key` keyed and the
    /// MAC over the message.
    pub initiate: [f64; 2],
    /// The same initiator then checks the verification message (`handle_response`), less
    /// `initiate` measured in the same round; its crypto: the MAC over the verification
    /// message with the already keyed `auth_key`, compared in constant time.
    pub verify: [f64; 2],
    /// A fresh responder takes the I_MESSAGE and answers it, then is dropped
    /// (`PskResponder::new`, `handle`); its crypto: the three message keys, AES-CM, the
    /// I_MESSAGE's MAC checked, `auth_key` keyed again and the verification message's MAC.
    pub respond: [f64; 2],
    /// One side's SRTP export (`srtp()`: the initiator's and the responder's, averaged); its
    /// crypto: the TGK keyed once for the TEK and the salt.
    pub export: [f64; 2],
    /// The whole exchange of [`exchange`] and [`crypto_floor`], in the same rounds.
    pub exchange: [f64; 2],
    /// [`COMPRESSIONS`] SHA-1 compressions of one block each (`sha1::block_api::compress`,
    /// SHA-NI where the CPU has it), in the same rounds: the stretch measure.
    pub compressions: f64,
}

/// The SHA-1 compressions one exchange needs, counted with `valgrind --tool=callgrind` (the
/// calls of `sha1::block_api::compress` in `psk_profile -- 2000`, divided by 2,000).
pub const COMPRESSIONS: u32 = 64;

/// Runs [`Phases`]: `rounds` rounds of `batch` of each step and each crypto, timed with
/// `clock`.
pub fn phases(clock: fn() -> f64, rounds: u32, batch: u32) -> Phases {
    let now = Duration::from_secs(1_790_000_000);
    let lens = mac_input_lens();
    let (mut ini, m) = i_message(now);
    let mut resp = responder();
    let a = resp.handle(&m, now).unwrap();
    let v = a.response.clone().unwrap();
    ini.handle_response(&v, now).unwrap();
    let mut sum = [0f64; 11];
    let mut r = rng();
    // Any chaining value: a compression's cost does not depend on it.
    let mut state = [0u32; 5];
    for i in 0..rounds {
        let steps: [&mut dyn FnMut(); 11] = [
            &mut || drop(black_box(i_message(now))),
            &mut || initiator_crypto(&PSK, lens.0, None),
            &mut || {
                let (mut ini, _) = i_message(now);
                black_box(ini.handle_response(&v, now).unwrap());
            },
            &mut || initiator_crypto(&PSK, lens.0, Some(lens.1)),
            &mut || respond(&m, now),
            &mut || responder_crypto(&PSK, lens),
            &mut || {
                black_box(ini.srtp().unwrap());
                black_box(resp.srtp(a.csb_id).unwrap());
            },
            &mut || {
                export_crypto();
                export_crypto()
            },
            &mut || {
                let t = now + Duration::from_secs(u64::from(i % 200));
                black_box(exchange(&PSK, t, &mut r));
            },
            &mut || crypto_floor(&PSK, lens),
            &mut || {
                for _ in 0..COMPRESSIONS {
                    sha1::block_api::compress(&mut state, black_box(&[[0x5a; 64]]));
                }
                black_box(&state);
            },
        ];
        for (s, f) in sum.iter_mut().zip(steps) {
            let t = clock();
            for _ in 0..batch {
                f();
            }
            *s += clock() - t;
        }
    }
    let us = |s: f64| s * 1e6 / f64::from(rounds * batch);
    Phases {
        initiate: [us(sum[0]), us(sum[1])],
        verify: [us(sum[2] - sum[0]), us(sum[3] - sum[1])],
        respond: [us(sum[4]), us(sum[5])],
        export: [us(sum[6]) / 2.0, us(sum[7]) / 2.0],
        exchange: [us(sum[8]), us(sum[9])],
        compressions: us(sum[10]),
    }
}

/// The responder's step of [`phases`] `n` times: a fresh responder takes the same
/// I_MESSAGE, answers it and is dropped.
pub fn respond_loop(n: u64) {
    let now = Duration::from_secs(1_790_000_000);
    let (_, m) = i_message(now);
    for _ in 0..n {
        respond(&m, now);
    }
}

/// A fresh initiator with the exchange's settings ([`cfg`]) and the I_MESSAGE it sends at
/// `now`, from a restarted generator: the same message every time.
pub fn i_message(now: Duration) -> (PskInitiator, Vec<u8>) {
    let mut ini = PskInitiator::new(&PSK, cfg());
    let m = ini
        .initiate(vec![TransportKey::tgk(&TGK)], now, &mut rng())
        .unwrap();
    (ini, m)
}

/// A fresh responder for [`PSK`] with the default settings.
pub fn responder() -> PskResponder {
    PskResponder::new(SecretBytes::from_slice(&PSK), ResponderConfig::default())
}

/// A fresh responder takes `m`, answers it and is dropped.
fn respond(m: &[u8], now: Duration) {
    black_box(responder().handle(black_box(m), now).unwrap());
}

impl core::fmt::Display for Phases {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let rows = [
            ("initiate", self.initiate, 1.0),
            ("verify (handle_response)", self.verify, 1.0),
            ("respond (new + handle)", self.respond, 1.0),
            ("export (srtp), each side", self.export, 2.0),
        ];
        let over = self.exchange[0] - self.exchange[1];
        writeln!(
            f,
            "| step | time (us) | its crypto (us) | above the crypto (us) | share of the exchange's |"
        )?;
        writeln!(f, "| --- | --- | --- | --- | --- |")?;
        let mut rest = over;
        for (name, [t, c], times) in rows {
            rest -= (t - c) * times;
            writeln!(
                f,
                "| {name} | {t:.3} | {c:.3} | {:.3} | {:.0}% |",
                t - c,
                100.0 * (t - c) * times / over
            )?;
        }
        writeln!(
            f,
            "| the rest (remove_bundle, drops, the bench's own code) | | | {rest:.3} | {:.0}% |",
            100.0 * rest / over
        )?;
        let [e, c] = self.exchange;
        writeln!(
            f,
            "| exchange | {e:.3} | {c:.3} | {over:.3} | 100% (ratio {:.3}) |",
            e / c
        )?;
        write!(
            f,
            "{COMPRESSIONS} SHA-1 compressions: {:.3} us; exchange / them {:.2}, floor / them {:.2}",
            self.compressions,
            e / self.compressions,
            c / self.compressions
        )
    }
}

/// The initiator's crypto: the three message keys, AES-CM over the 20-byte key data, its
/// `auth_key` keyed once for the MAC over the I_MESSAGE (`l0` bytes) and, with `l1`, the
/// check of the verification message.
fn initiator_crypto(psk: &[u8], l0: usize, l1: Option<usize>) {
    let (msg, tag) = ([0xa5u8; 512], [0x5au8; 20]);
    let k = message_keys(psk);
    black_box(kemac_encrypt(&k));
    let auth = crypto::MacKey::new(MacKind::HmacSha1_160, k.auth);
    black_box(auth.mac(&msg[..l0]));
    if let Some(l1) = l1 {
        black_box(auth.verify(&msg[..l1], &tag));
    }
    black_box(auth);
}

/// The responder's crypto: the three message keys, AES-CM over the key data, the
/// I_MESSAGE's MAC computed and compared in constant time, then `auth_key` keyed again to
/// MAC the verification message (as `PskResponder` does, so that a forged message costs no
/// copy of the keyed state).
fn responder_crypto(psk: &[u8], lens: (usize, usize)) {
    let (msg, tag) = ([0xa5u8; 512], [0x5au8; 20]);
    let k = message_keys(psk);
    black_box(kemac_encrypt(&k));
    black_box(crypto::kemac::verify_mac(
        MacKind::HmacSha1_160,
        k.auth.as_bytes(),
        &msg[..lens.0],
        &tag,
    ));
    let auth = crypto::MacKey::new(MacKind::HmacSha1_160, k.auth);
    black_box(auth.mac(&msg[..lens.1]));
}

/// One side's SRTP export crypto: the TGK keyed once for the TEK and the salt of crypto
/// session 1.
fn export_crypto() {
    let tgk = crypto::PrfKey::new(Prf::MikeyOne, &TGK);
    for (c, len) in [(crypto::TGK_CONST_TEK, 16), (crypto::TGK_CONST_SALT, 14)] {
        black_box(crypto::derive_tgk_keyed(
            &tgk, c, 1, 0x01020304, &[7; 16], len,
        ));
    }
}

/// The message keys (encr, auth, salt) from `psk`.
fn message_keys(psk: &[u8]) -> MessageKeys {
    MessageKeys::derive(
        Prf::MikeyOne,
        psk,
        0x01020304,
        &[7; 16],
        KemacCipher::AesCm128,
        MacKind::HmacSha1_160,
    )
}

/// AES-CM over 20 bytes of key data with `k`.
fn kemac_encrypt(k: &MessageKeys) -> Vec<u8> {
    crypto::kemac::encrypt(
        KemacCipher::AesCm128,
        k.encr.as_bytes(),
        k.salt.as_bytes(),
        1,
        2,
        &[0x33u8; 20],
    )
    .unwrap()
}
