//! Property test: `SrtpPolicy::from_params` (which slots each parameter by its type rather
//! than matching on it) decodes any sequence of SRTP policy parameters exactly as a plain
//! reading of RFC 3830 §6.10.1, RFC 4771 and RFC 7714 does: each parameter in order, a
//! later duplicate replacing an earlier one, a value its field cannot hold kept as unknown.

use mikey::wire::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// The unsigned integer a value of 1 to 8 bytes carries, big-endian.
fn uint(v: &[u8]) -> Option<u64> {
    (1..=8)
        .contains(&v.len())
        .then(|| v.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
}

/// The reference: one `match` on the type per parameter.
fn reference(params: &[(u8, Vec<u8>)]) -> SrtpPolicy {
    let mut p = SrtpPolicy::default();
    for (t, v) in params {
        let u = uint(v);
        let byte = u.and_then(|u| u8::try_from(u).ok());
        let flag = byte.filter(|b| *b <= 1).map(|b| b == 1);
        let ok = match t {
            0 => byte.map(|b| p.encr_alg = Some(SrtpEncrAlg::from_wire(b))),
            1 => byte.map(|b| p.encr_key_len = Some(b)),
            2 => byte.map(|b| p.auth_alg = Some(SrtpAuthAlg::from_wire(b))),
            3 => byte.map(|b| p.auth_key_len = Some(b)),
            4 => byte.map(|b| p.salt_key_len = Some(b)),
            5 => byte.map(|b| p.prf = Some(SrtpPrf::from_wire(b))),
            6 => u.map(|u| p.kdr = Some(u)),
            7 => flag.map(|f| p.srtp_encryption = Some(f)),
            8 => flag.map(|f| p.srtcp_encryption = Some(f)),
            9 => byte.map(|b| p.fec_order = Some(FecOrder::from_wire(b))),
            10 => flag.map(|f| p.srtp_authentication = Some(f)),
            11 => byte.map(|b| p.auth_tag_len = Some(b)),
            12 => byte.map(|b| p.prefix_len = Some(b)),
            13 => u
                .and_then(|u| u16::try_from(u).ok())
                .map(|r| p.roc_tx_rate = Some(r)),
            14 => byte.map(|b| p.srtp_auth_alg = Some(SrtpAuthAlg::from_wire(b))),
            15 => byte.map(|b| p.srtcp_auth_alg = Some(SrtpAuthAlg::from_wire(b))),
            16 => byte.map(|b| p.srtp_auth_key_len = Some(b)),
            17 => byte.map(|b| p.srtcp_auth_key_len = Some(b)),
            18 => byte.map(|b| p.srtp_auth_tag_len = Some(b)),
            19 => byte.map(|b| p.srtcp_auth_tag_len = Some(b)),
            20 => byte.map(|b| p.aead_auth_tag_len = Some(b)),
            _ => None,
        };
        if ok.is_none() {
            p.unknown.push((*t, v.clone()));
        }
    }
    p
}

/// Values around the edges: empty, one byte (0, 1 and 2 most often: the flags' edge), a
/// one-byte value in two bytes, two and three bytes (the ROC rate's 16-bit edge), and 4 to 9
/// bytes (over 8 is no integer).
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![]),
        (0u8..=2).prop_map(|b| vec![b]),
        any::<u8>().prop_map(|b| vec![b]),
        any::<u8>().prop_map(|b| vec![0, b]),
        any::<[u8; 2]>().prop_map(|b| b.to_vec()),
        any::<[u8; 3]>().prop_map(|b| b.to_vec()),
        vec(any::<u8>(), 4..=9),
    ]
}

fn param() -> impl Strategy<Value = (u8, Vec<u8>)> {
    // Mostly known types (and the KDR, ROC rate and flags), some unknown.
    let t = prop_oneof![4 => 0u8..=20, 1 => Just(6u8), 1 => Just(13u8), 1 => 7u8..=10, 1 => any::<u8>()];
    (t, value())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn slotted_decoding_matches_the_reference(params in vec(param(), 0..24)) {
        let mut sp = SecurityPolicy::new(0, ProtType::Srtp);
        for (t, v) in &params {
            sp.push(*t, v).unwrap();
        }
        prop_assert_eq!(sp.srtp(), reference(&params));
    }
}

#[test]
fn a_later_kdr_or_roc_rate_wins_whatever_its_width() {
    let decode = |params: &[(u8, &[u8])]| {
        let mut sp = SecurityPolicy::new(0, ProtType::Srtp);
        for (t, v) in params {
            sp.push(*t, v).unwrap();
        }
        let p = sp.srtp();
        (p.kdr, p.roc_tx_rate)
    };
    assert_eq!(decode(&[(6, &[1, 0, 0]), (6, &[5])]), (Some(5), None));
    assert_eq!(decode(&[(6, &[5]), (6, &[1, 0, 0])]), (Some(0x10000), None));
    assert_eq!(decode(&[(13, &[2, 1]), (13, &[3])]), (None, Some(3)));
    assert_eq!(decode(&[(13, &[3]), (13, &[2, 1])]), (None, Some(0x201)));
    // One no field can hold leaves the earlier value in place.
    assert_eq!(decode(&[(13, &[3]), (13, &[1, 0, 0])]), (None, Some(3)));
    assert_eq!(decode(&[(6, &[3]), (6, &[])]), (Some(3), None));
}
