//! TS 33.180 derivations against published values: GUK-IDs (F.1.3), the DPCK (F.1.5),
//! MIKEY-SAKKE UIDs (F.2.1) and key period numbers. Every expected value is read from
//! `testvectors/` (provenance in `testvectors/SOURCES.md`).
#![cfg(feature = "sakke")]

mod common;
mod mcx_common;
use common::hex;
use mcx_common::{alea, get, key_id, read, stw_items};
use mikey::mcx::{derive, KeyPeriod, Uid};
use std::collections::HashMap;
use std::time::Duration;

/// `name=value` fields of one line of sw-3gpp-mcx-keyid-vectors.txt.
fn fields(line: &str) -> HashMap<&str, &str> {
    line.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .collect()
}

#[test]
fn guk_ids_of_the_3gpp_keyid_vectors() {
    let text = read("sw-3gpp-mcx-keyid-vectors.txt");
    let mut n = 0;
    for line in text.lines().filter(|l| l.starts_with("case ")) {
        let f = fields(line);
        let want = key_id(line.rsplit("guk_id=").next().unwrap().trim());
        let got = derive::guk_id(
            &hex(f["gmk"]),
            key_id(f["gmk_id"]),
            f["sender_uri"].as_bytes(),
        )
        .unwrap();
        assert_eq!(got, want, "{line}");
        n += 1;
    }
    assert_eq!(n, 4, "S01-S03 and guk_only");
}

#[test]
fn dpck_of_the_3gpp_keyid_vectors() {
    let text = read("sw-3gpp-mcx-keyid-vectors.txt");
    let line = text.lines().find(|l| l.starts_with("gmk=")).unwrap();
    let f = fields(line);
    let want = line.rsplit("dpck=").next().unwrap().trim();
    let got = derive::dpck(&hex(f["gmk"]), key_id(f["dppk_id"])).unwrap();
    assert_eq!(got.as_bytes(), &hex(want)[..]);
}

#[test]
fn guk_ids_of_the_streamwide_and_alea_messages() {
    // Streamwide Test 1: GMK-ID, GMK, responder URI -> GUK-ID.
    let items = stw_items();
    let got = derive::guk_id(
        &hex(&get(&items, "GMK")),
        key_id(&get(&items, "GMK-ID")),
        get(&items, "Responder URI").as_bytes(),
    )
    .unwrap();
    assert_eq!(got, key_id(&get(&items, "GUK-ID")));

    // ALEA: GMK sent by gms to alice (sip:u1alea@veronica-cluster).
    let alea = alea();
    let got = derive::guk_id(
        &hex(&alea["gmk_expected"]),
        key_id(&alea["gmk_id_expected"]),
        alea["alice_uri"].as_bytes(),
    )
    .unwrap();
    assert_eq!(got, key_id(&alea["gmk_guk_id_expected"]));
}

#[test]
fn the_five_streamwide_uid_cases() {
    let md = read("streamwide-StreamwideTestVectors-v5.md");
    let section = md.split("## MIKEYSAKKE-PAYLOAD").next().unwrap();
    let mut n = 0;
    for case in section.split("### Test").skip(1) {
        let val = |k: &str| {
            case.lines()
                .find(|l| l.starts_with(k))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
                .unwrap()
        };
        let num = |k: &str| val(k).parse::<u64>().unwrap();
        let period = KeyPeriod {
            length: num("key_period:"),
            offset: num("key_period_offset:"),
        };
        let uid = Uid::derive(
            val("uri:").as_bytes(),
            val("kms_uri:").as_bytes(),
            period,
            num("current_key_period_no"),
        )
        .unwrap();
        let want = case
            .lines()
            .find_map(|l| l.strip_prefix("generated uid "))
            .unwrap();
        assert_eq!(uid.to_string(), want.trim(), "case{case}");
        n += 1;
    }
    assert_eq!(n, 5);
}

/// The key period of the Streamwide KMS certificate.
fn stw_period(items: &[(String, String)]) -> KeyPeriod {
    KeyPeriod {
        length: get(items, "UserKeyPeriod").parse().unwrap(),
        offset: get(items, "UserKeyOffset").parse().unwrap(),
    }
}

/// The key period of the ALEA material.
fn alea_period(a: &HashMap<String, String>) -> KeyPeriod {
    KeyPeriod {
        length: a["user_key_period"].parse().unwrap(),
        offset: a["user_key_offset"].parse().unwrap(),
    }
}

#[test]
fn user_ids_of_the_streamwide_kms_material() {
    let items = stw_items();
    let period = stw_period(&items);
    let kms = get(&items, "KmsUri");
    let mut n = 0;
    for (i, (k, uri)) in items.iter().enumerate() {
        if k != "UserUri" {
            continue;
        }
        let user_id = &items[i + 1];
        let period_no = &items[i + 2];
        assert_eq!(
            (user_id.0.as_str(), period_no.0.as_str()),
            ("UserID", "KeyPeriodNo")
        );
        let uid = Uid::derive(
            uri.as_bytes(),
            kms.as_bytes(),
            period,
            period_no.1.parse().unwrap(),
        )
        .unwrap();
        assert_eq!(uid.to_string(), user_id.1, "{uri}");
        n += 1;
    }
    assert_eq!(n, 4, "GMS, Alice, IWF, Bob");
}

#[test]
fn user_ids_of_the_alea_material() {
    let a = alea();
    let period = alea_period(&a);
    let no: u64 = a["key_period_no"].parse().unwrap();
    for who in ["gms", "gms2", "alice", "bob"] {
        let uid = Uid::derive(
            a[&format!("{who}_uri")].as_bytes(),
            a["kms_uri"].as_bytes(),
            period,
            no,
        )
        .unwrap();
        assert_eq!(
            uid.to_string(),
            a[&format!("{who}_id")].to_lowercase(),
            "{who}"
        );
    }
}

/// The NTP-UTC timestamp (seconds part) of a MIKEY message's T payload, as a Duration
/// since the Unix epoch.
fn message_time(name: &str) -> Duration {
    let b = common::load(name);
    let m = mikey::wire::Message::parse_with(&b, mikey::wire::ParseOptions::LENIENT)
        .unwrap()
        .0;
    let t = m
        .find(|p| match p {
            mikey::wire::Payload::T(t) => Some(*t),
            _ => None,
        })
        .unwrap();
    t.to_unix().unwrap()
}

#[test]
fn period_numbers_at_the_time_of_the_published_messages() {
    // The Streamwide keys are for period 236, the ALEA keys for period 4: the messages
    // sent with them carry timestamps inside those periods.
    let items = stw_items();
    let stw = stw_period(&items);
    let want: u64 = get(&items, "KeyPeriodNo").parse().unwrap();
    for f in [
        "sw-stw-ref-gmk-imessage.b64",
        "sw-stw-ref-csk-imessage.b64",
        "sw-stw-ref-pck-imessage.b64",
    ] {
        assert_eq!(stw.number_at(message_time(f)).unwrap(), want, "{f}");
    }
    let a = alea();
    let alea_p = alea_period(&a);
    let t = message_time("sw-alea-v3-gmk-imessage.b64");
    assert_eq!(
        alea_p.number_at(t).unwrap(),
        a["key_period_no"].parse::<u64>().unwrap()
    );
    let (uid, no) = Uid::derive_at(
        a["alice_uri"].as_bytes(),
        a["kms_uri"].as_bytes(),
        alea_p,
        t,
    )
    .unwrap();
    assert_eq!((uid.to_string(), no), (a["alice_id"].to_lowercase(), 4));
}
