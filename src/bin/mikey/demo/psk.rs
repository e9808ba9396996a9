//! `mikey demo --mode psk`: the pre-shared key exchange (RFC 3830 §3.1) with a
//! verification message, AES-CM-128 KEMAC and HMAC-SHA-1-160.

use super::report::{crypto_sessions, policies, Exchange, ALICE, BOB, RESPONDER_SSRC};
use crate::args::{psk_or_random, Psk};
use crate::out::hex;
use crate::Failure;
use mikey::session::{
    system_time, OsEntropy, PskConfig, PskInitiator, PskResponder, ResponderConfig, SessionError,
    TransportKey,
};
use mikey::wire::Id;

/// `mikey demo [--mode psk] [--psk HEX] [--json]`.
pub fn run(psk: Option<Psk>, json: bool) -> Result<(), Failure> {
    let psk = psk_or_random(psk, 32);
    let fail = |e: SessionError| Failure::Input(e.to_string());
    let now = system_time();
    let cfg = PskConfig {
        v: true,
        id_i: Some(Id::uri(ALICE)),
        id_r: Some(Id::uri(BOB)),
        crypto_sessions: crypto_sessions(true),
        policies: policies()?,
        ..PskConfig::default()
    };
    let mut initiator = PskInitiator::new(psk.as_bytes(), cfg);
    let mut tgk = [0u8; 16];
    rand::fill(&mut tgk[..]);
    let i_msg = initiator
        .initiate(
            vec![TransportKey::tgk(&tgk).with_mki(&[0, 0, 0, 1])],
            now,
            &mut OsEntropy,
        )
        .map_err(fail)?;
    let mut responder = PskResponder::new(
        psk.0.clone(),
        ResponderConfig {
            local_ssrcs: vec![RESPONDER_SSRC],
            id_r: Some(Id::uri(BOB)),
            ..ResponderConfig::default()
        },
    );
    let accepted = responder.handle(&i_msg, now).map_err(|r| fail(r.error))?;
    let r_msg = accepted
        .response
        .clone()
        .ok_or_else(|| Failure::Input("no verification message".into()))?;
    initiator.handle_response(&r_msg, now).map_err(fail)?;
    let title = "MIKEY pre-shared key exchange (RFC 3830 §3.1), AES-CM-128 + HMAC-SHA-1-160, V=1";
    let mut x = Exchange {
        i_srtp: initiator.srtp().map_err(fail)?,
        r_srtp: responder.srtp(accepted.csb_id).map_err(fail)?,
        i_msg,
        r_msg,
        ..Exchange::new("psk", title, "verification message")
    };
    x.fact("psk", "PSK", hex(psk.as_bytes()));
    x.print(json)
}
