//! Unit tests of the ONVIF policies and `text/parameters` bodies.

use super::*;
use crate::srtp::export::suite_for;
use crate::srtp::SrtpSuite;
use crate::wire::KeyDataType;

#[test]
fn policies_describe_their_suites() {
    for s in SrtpSuite::ALL {
        let p = onvif_policy(s);
        assert_eq!(suite_for(&p, false).unwrap().0, s, "{s:?}");
        let k = onvif_transport_key(
            s,
            &vec![1; s.master_key_len()],
            &vec![2; s.master_salt_len()],
            [0, 0, 0, 7],
        );
        assert_eq!(k.mki(), Some(&[0, 0, 0, 7][..]));
        let expect = if s == SrtpSuite::AesCm128HmacSha1_80 {
            KeyDataType::Tek
        } else {
            KeyDataType::TekSalt
        };
        assert_eq!(k.key_type, expect);
    }
}

#[test]
fn parameter_bodies() {
    assert_eq!(format_mikey_parameter(&[1, 2, 3]), "mikey: AQID\r\n");
    assert_eq!(parse_mikey_parameter("mikey: AQID\r\n").unwrap(), [1, 2, 3]);
    assert_eq!(
        parse_mikey_parameter("foo: bar\r\nMIKEY:AQID").unwrap(),
        [1, 2, 3]
    );
    assert_eq!(
        parse_mikey_parameter(" Mikey :\tAQID \r\n").unwrap(),
        [1, 2, 3]
    );
    assert_eq!(
        parse_mikey_parameter("volume: 1\r\n"),
        Err(KeyMgmtError::NoMikeyParameter)
    );
    assert_eq!(
        parse_mikey_parameter(""),
        Err(KeyMgmtError::NoMikeyParameter)
    );
    assert!(matches!(
        parse_mikey_parameter("x: y\r\nmikey: AQ*D\r\n"),
        Err(KeyMgmtError::Sdp(crate::sdp::SdpError::Base64 {
            offset: 15,
            ..
        }))
    ));
    assert!(matches!(
        parse_mikey_parameter("mikey:\r\n"),
        Err(KeyMgmtError::Sdp(_))
    ));
    assert!(is_mikey_get_parameter(GET_PARAMETER_MIKEY_BODY));
    assert!(is_mikey_get_parameter("position\r\nMikey\r\n"));
    assert!(!is_mikey_get_parameter("mikey: AQID\r\n"));
    for s in [
        "é:",
        ":",
        "mikey",
        "mikey:é",
        "\u{0}mikey: AA==",
        "mikey: =\r\n",
    ] {
        let _ = parse_mikey_parameter(s);
    }
}
