//! `mikey demo --mode group`: three rekeys with the MKI moving forward, the newcomer never
//! holding the first key, and the receiver who left unable to open the last one.

mod cli_common;
use cli_common::mikey;

#[test]
fn group_demo_json() {
    let (code, out, err) = mikey(&["demo", "--mode", "group", "--members", "4", "--json"]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["mode"], "group");
    let steps = d["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s["mki"], i + 1);
        assert_eq!(s["all_acknowledged"], true);
    }
    assert_eq!(steps[0]["messages"].as_array().unwrap().len(), 4);
    assert!(steps[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["kind"] == "initial"));
    // The last receiver (dave) has a public key: public-key messages to it in every step.
    for s in steps {
        for m in s["messages"].as_array().unwrap() {
            let pk = m["to"] == "dave@example.com";
            assert_eq!(m["method"], if pk { "pk" } else { "psk" }, "{m}");
        }
        assert!(s["holders"]["dave@example.com"]["mkis"]
            .as_array()
            .unwrap()
            .contains(&s["mki"]));
    }
    // Join: 5 messages, the newcomer's initial, the others updates; newcomer holds only MKI 2.
    let join = steps[1]["messages"].as_array().unwrap();
    assert_eq!(join.len(), 5);
    assert_eq!(join.iter().filter(|m| m["kind"] == "update").count(), 4);
    assert_eq!(
        steps[1]["holders"]["erin@example.com"]["mkis"],
        serde_json::json!([2])
    );
    assert_eq!(steps[1]["previous_mki"], 1);
    // Leave: bob gets nothing and cannot open the MKI 3 packet.
    let leave = &steps[2];
    assert_eq!(leave["messages"].as_array().unwrap().len(), 4);
    assert!(!leave["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["to"] == "bob@example.com"));
    assert_eq!(
        leave["packet"]["not_opened_by"],
        serde_json::json!(["bob@example.com"])
    );
    assert_eq!(
        leave["holders"]["bob@example.com"]["mkis"],
        serde_json::json!([1, 2])
    );
    assert_eq!(
        leave["source_srtp"].as_array().unwrap().len(),
        2,
        "MKI 2 and 3"
    );
}

#[test]
fn group_demo_text_and_usage() {
    let (code, out, _) = mikey(&["demo", "--mode", "group"]);
    assert_eq!(code, 0);
    for s in [
        "MKI 1 -> MKI 2",
        "MKI 2 -> MKI 3",
        "opened by 5/5",
        "(left the group)",
    ] {
        assert!(out.contains(s), "{s}\n{out}");
    }
    assert_eq!(mikey(&["demo", "--mode", "group", "--members", "x"]).0, 2);
    assert_eq!(mikey(&["demo", "--mode", "group", "--bogus"]).0, 2);
}
