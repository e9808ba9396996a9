use super::*;

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/testvectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn ids(name: &str) -> Vec<&'static str> {
    let text = vector(name);
    let chunks = split(&text);
    assert_eq!(chunks.len(), 1, "{name}");
    let bytes = chunks[0].data.clone().unwrap();
    let d = dissect(&bytes).unwrap();
    d.deviations.iter().map(|d| d.id).collect()
}

#[test]
fn deviations_of_shipped_vectors() {
    assert_eq!(ids("gortsplib-mikey-a.hex"), ["srtp_auth_key_len_10"]);
    assert_eq!(ids("gortsplib-mikey-extra-padding.hex"), ["trailing_zero"]);
    assert_eq!(ids("sw-smartms-imessage-1.b64"), ["nul_terminated_id"]);
    assert_eq!(ids("sw-alea-v3-gmk-imessage.b64"), ["roc_tx_rate"]);
    assert_eq!(
        ids("gst-mikey-test-create-common-hdr-nocs.hex"),
        ["missing_payload", "missing_payload"]
    );
    assert_eq!(
        ids("onvif-streaming-setup-keymgmt-client.b64"),
        ["odd_timestamp"]
    );
    assert_eq!(
        ids("nonconformant/mykey-dhhmac-init-oakley1-sp.hex"),
        ["missing_payload"]
    );
    assert!(ids("onvif-streaming-get-parameter-multicast-device.b64").is_empty());
    assert!(ids("rfc4567-ex1-alice-psk-init.b64").is_empty());
}

#[test]
fn odd_timestamp_names_the_filetime_reading() {
    let bytes = split(&vector("onvif-streaming-setup-keymgmt-client.b64"))[0]
        .data
        .clone()
        .unwrap();
    let d = dissect(&bytes).unwrap();
    let t = &d.deviations[0];
    // T follows the 10-byte header and the 9-byte SRTP-ID map entry.
    assert_eq!(t.offset, Some(19));
    assert!(t.text.contains("year 2037"), "{}", t.text);
    assert!(
        t.text.contains("FILETIME it reads as the year 2018"),
        "{}",
        t.text
    );
    assert!(d.notes[0].contains("update message"));
}

#[test]
fn lines_are_split_and_decoded_on_their_own() {
    let a = String::from_utf8(vector("gortsplib-mikey-a.hex")).unwrap();
    let b64 = String::from_utf8(vector("onvif-streaming-set-parameter-rekey-client.b64")).unwrap();
    let text = format!(
        "v=0\r\ns=-\r\na=key-mgmt:mikey {}\r\nm=video 0 RTP/AVP 96\r\na=key-mgmt:mikey !!\r\n\
         m=audio 0 RTP/AVP 0\r\na=key-mgmt:mikey {}\r\n{}\nKeyMgmt: prot=mikey; data=\"{}\"\n\
         mikey: {}\n",
        b64.trim(),
        b64.trim(),
        a.trim(),
        b64.trim(),
        b64.trim()
    );
    let chunks = split(text.as_bytes());
    let sources: Vec<&str> = chunks.iter().map(|c| c.source.as_str()).collect();
    assert_eq!(
        sources,
        [
            "line 3 (SDP a=key-mgmt, session level)",
            "line 5 (SDP a=key-mgmt, media 0)",
            "line 7 (SDP a=key-mgmt, media 1)",
            "line 8 (hex)",
            "line 9 (KeyMgmt entry 1)",
            "line 10 (mikey: body)",
        ]
    );
    assert!(chunks[1].data.is_err());
    for c in chunks.iter().filter(|c| c.source != chunks[1].source) {
        assert!(dissect(c.data.as_ref().unwrap()).is_ok(), "{}", c.source);
    }
}

#[test]
fn wrapped_base64_is_one_message() {
    let b64 = String::from_utf8(vector("sw-stw-ref-gmk-imessage.b64")).unwrap();
    let b64 = b64.trim();
    let wrapped: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let chunks = split(wrapped.join("\n").as_bytes());
    assert_eq!(chunks.len(), 1, "{chunks:?}");
    assert_eq!(
        chunks[0].data.as_ref().unwrap(),
        &crate::sdp::decode_base64(b64, 0).unwrap()
    );
    assert!(chunks[0].source.starts_with("lines 1-"));
}

#[test]
fn nothing_found_is_one_error() {
    for input in [&b"not mikey at all!"[..], b"v=0\r\ns=x\r\n", b"  \n "] {
        let c = split(input);
        assert_eq!(c.len(), 1);
        assert!(c[0].data.is_err(), "{c:?}");
    }
    assert!(split(b"").is_empty());
    // A short hex input is still the message (and the parser says what is wrong).
    assert_eq!(split(b"0100")[0].data, Ok(vec![1, 0]));
}

#[test]
fn at_most_max_messages() {
    let line = "mikey: !\n".repeat(MAX_MESSAGES + 5);
    let c = split(line.as_bytes());
    assert_eq!(c.len(), MAX_MESSAGES + 1);
    assert!(c[MAX_MESSAGES]
        .data
        .as_ref()
        .unwrap_err()
        .contains("more than"));
    assert_eq!(c[MAX_MESSAGES].source, format!("line {}", MAX_MESSAGES + 1));
}

#[test]
fn wrapped_hex_messages_one_after_another() {
    // The mykey files are hex wrapped at 64 characters.
    let mut text = vector("nonconformant/mykey-psk-init-v.hex");
    text.extend(vector("nonconformant/mykey-psk-resp-v.hex"));
    text.extend(vector("gortsplib-mikey-a.hex"));
    let c = split(&text);
    assert_eq!(c.len(), 3, "{c:?}");
    for x in &c {
        assert!(dissect(x.data.as_ref().unwrap()).is_ok(), "{}", x.source);
    }
    assert!(c[0].source.starts_with("lines 1-"));
}
