//! Every message in testvectors/ parses, conformant ones re-encode byte-identically, and
//! the values their sources assert (SOURCES.md) come out of our parser.

mod common;
use common::{hex, load, message_files};
use mikey::wire::*;

/// Messages that need lenient parsing, and the quirk each shows.
const LENIENT: &[(&str, Quirk)] = &[
    ("gortsplib-mikey-a.hex", Quirk::SrtpAuthKeyLen10),
    ("gortsplib-mikey-b.hex", Quirk::SrtpAuthKeyLen10),
    ("gortsplib-mikey-c-two-cs.hex", Quirk::SrtpAuthKeyLen10),
    ("gortsplib-sdp-keymgmt.b64", Quirk::SrtpAuthKeyLen10),
    (
        "tsrtsp-mikeytest-gstreamer-server.b64",
        Quirk::SrtpAuthKeyLen10,
    ),
    ("gortsplib-mikey-extra-padding.hex", Quirk::TrailingZero),
    ("sw-smartms-imessage-1.b64", Quirk::NulTerminatedId),
    ("sw-smartms-imessage-2.b64", Quirk::NulTerminatedId),
    ("sw-smartms-imessage-2-old.b64", Quirk::NulTerminatedId),
    ("sw-wolfssl-helper-imessage.b64", Quirk::NulTerminatedId),
];

fn parse(name: &str) -> (Vec<u8>, Message<'static>) {
    let b = load(name);
    let m = Message::parse_with(&b, ParseOptions::LENIENT)
        .unwrap()
        .0
        .into_owned();
    (b, m)
}

#[test]
fn every_message_parses_and_round_trips() {
    let files = message_files();
    assert!(files.len() >= 27, "{files:?}");
    for f in &files {
        let b = load(f);
        let lenient = LENIENT.iter().find(|(n, _)| n == f);
        match lenient {
            None => {
                let m = Message::parse(&b).unwrap_or_else(|e| panic!("{f}: {e}"));
                assert_eq!(m.encode().unwrap(), b, "{f}: parse -> encode differs");
                let v = MessageView::parse(&b).unwrap();
                assert_eq!(v.payloads().count(), m.payloads.len());
            }
            Some((_, q)) => {
                let e = Message::parse(&b).expect_err(f);
                assert!(!e.to_string().is_empty());
                let (m, quirks) = Message::parse_with(&b, ParseOptions::LENIENT).unwrap();
                assert!(quirks.contains(*q), "{f}: {quirks:?}");
                let enc = m.encode().unwrap();
                if *q == Quirk::TrailingZero {
                    assert_eq!(&b[..b.len() - 1], &enc[..], "{f}");
                } else {
                    assert_eq!(enc, b, "{f}");
                }
            }
        }
    }
}

#[test]
fn nonconformant_messages_parse_on_the_wire() {
    for f in [
        "mykey-psk-init.hex",
        "mykey-psk-init-v.hex",
        "mykey-psk-resp-v.hex",
        "mykey-dhhmac-init-oakley1-sp.hex",
        "mykey-dhhmac-resp-oakley1.hex",
    ] {
        let b = load(&format!("nonconformant/{f}"));
        let m = Message::parse(&b).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(m.encode().unwrap(), b, "{f}");
        assert_eq!(m.header.csb_id, 0x12345678);
    }
}

fn srtp_map(m: &Message) -> Vec<SrtpCs> {
    match &m.header.cs_map {
        CsIdMap::SrtpId(s) => s.iter().map(|(_, c)| c).collect(),
        other => panic!("not SRTP-ID: {other:?}"),
    }
}

fn t(m: &Message) -> u64 {
    m.find(|p| {
        if let Payload::T(t) = p {
            Some(t.value)
        } else {
            None
        }
    })
    .unwrap()
}

fn rand(m: &Message) -> Option<Vec<u8>> {
    m.find(|p| {
        if let Payload::Rand(r) = p {
            Some(r.rand.to_vec())
        } else {
            None
        }
    })
}

fn sp(m: &Message) -> SrtpPolicy {
    m.find(|p| {
        if let Payload::Sp(s) = p {
            Some(s.srtp())
        } else {
            None
        }
    })
    .unwrap()
}

/// (key, salt, MKI) of the single NULL-KEMAC key; a 30-byte TEK is key || salt.
fn key(m: &Message) -> (Vec<u8>, Vec<u8>, Option<Vec<u8>>) {
    let k = m
        .find(|p| {
            if let Payload::Kemac(k) = p {
                Some(k)
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(k.encr_alg, EncrAlg::Null);
    assert_eq!(k.mac_alg, MacAlg::Null);
    let list = k.plaintext_keys(false).unwrap().unwrap();
    assert_eq!(list.keys.len(), 1);
    let kd = &list.keys[0];
    let (key, salt) = match &kd.salt {
        Some(s) => (kd.key.to_vec(), s.to_vec()),
        None => (kd.key[..16].to_vec(), kd.key[16..].to_vec()),
    };
    (key, salt, kd.kv.spi().map(|s| s.to_vec()))
}

fn cs(policy_no: u8, ssrc: u32, roc: u32) -> SrtpCs {
    SrtpCs {
        policy_no,
        ssrc,
        roc,
    }
}

#[test]
fn gortsplib_values() {
    let (_, a) = parse("gortsplib-mikey-a.hex");
    assert_eq!(a.header.data_type, DataType::PskInit);
    assert!(!a.header.v);
    assert_eq!(a.header.prf, PrfFunc::Mikey1);
    assert_eq!(a.header.csb_id, 0xe69d51f8);
    assert_eq!(srtp_map(&a), vec![cs(0, 0x30685760, 0)]);
    assert_eq!(t(&a), 0xebfe6f2db1c13fd0);
    assert_eq!(rand(&a).unwrap(), hex("c2dde443a84930a5757a7ed9c3a417fb"));
    let p = sp(&a);
    assert_eq!(p.encr_alg, Some(SrtpEncrAlg::AesCm));
    assert_eq!(p.encr_key_len, Some(16));
    assert_eq!(p.auth_alg, Some(SrtpAuthAlg::HmacSha1));
    assert_eq!(p.auth_key_len, Some(10));
    assert_eq!(
        (p.srtp_encryption, p.srtcp_encryption, p.srtp_authentication),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(
        key(&a),
        (
            hex("9091783dfce8ddcd443a53508b64509f"),
            hex("35bd8a86bc4d8b7637a502493daf"),
            None
        )
    );

    let (_, b) = parse("gortsplib-mikey-b.hex");
    assert_eq!(b.header.csb_id, 0xfeaf9752);
    assert_eq!(srtp_map(&b), vec![cs(0, 0xcc836237, 0)]);
    assert_eq!(t(&b), 0xebfef66ba28c9b84);
    assert_eq!(rand(&b).unwrap(), hex("276e94180e8875c2eaad31d82f864620"));
    assert_eq!(key(&b).0, hex("991b0f148f094b4e5b8b3053cd627687"));
    assert_eq!(key(&b).1, hex("7fcced1866f141772adddde7064b"));

    let (_, c) = parse("gortsplib-mikey-c-two-cs.hex");
    assert_eq!(c.header.csb_id, 0x7de127a6);
    assert_eq!(
        srtp_map(&c),
        vec![cs(0, 0xcc836237, 0), cs(0, 0xb5cc3bf2, 0)]
    );
    assert_eq!(key(&c).0, key(&b).0);

    let (_, x) = parse("gortsplib-mikey-extra-padding.hex");
    assert_eq!(x.header.csb_id, 0xb1405657);
    assert_eq!(srtp_map(&x), vec![cs(0, 0x726ef4db, 0)]);
    assert_eq!(sp(&x).auth_key_len, Some(20));
    assert_eq!(sp(&x).auth_tag_len, Some(10));
    assert_eq!(
        key(&x),
        (
            hex("5db18d956f6967cc0d73f8b4e776a48a"),
            hex("08c4220e521dcaa3b800f584fc25"),
            None
        )
    );

    let (_, s) = parse("gortsplib-mikey-kemac-spi-synthetic.hex");
    assert_eq!(s.header.csb_id, 0x12345678);
    assert_eq!(srtp_map(&s), vec![cs(3, 0x11223344, 0x55667788)]);
    let k = s
        .find(|p| {
            if let Payload::Kemac(k) = p {
                Some(k)
            } else {
                None
            }
        })
        .unwrap();
    let l = k.plaintext_keys(false).unwrap().unwrap();
    assert_eq!(&*l.keys[0].key, &hex("aabbcc")[..]);
    assert_eq!(l.keys[0].kv.spi().unwrap(), &hex("1122")[..]);

    let (_, d) = parse("gortsplib-sdp-keymgmt.b64");
    assert_eq!(d.header.csb_id, 2049124702);
    assert_eq!(srtp_map(&d), vec![cs(0, 2508989223, 0)]);
    assert_eq!(t(&d), 17003794820816085580);
    assert_eq!(rand(&d).unwrap(), hex("6c1c02e3ebc63ebf7a7c9bf80dbeacd7"));
    assert_eq!(
        key(&d),
        (
            hex("5fc5ef382cc8321d094ce5a2bd62f111"),
            hex("f953512a757e38f68bcc46ec3f43"),
            None
        )
    );
}

#[test]
fn ts_rtsp_server_values() {
    let (_, m) = parse("tsrtsp-mikeytest-roundtrip1.b64");
    assert_eq!(m.header.csb_id, 0xb4effbf2);
    assert_eq!(srtp_map(&m)[0].ssrc, 0x048F147F);
    let p = sp(&m);
    assert_eq!(
        (p.auth_key_len, p.salt_key_len, p.auth_tag_len),
        (Some(20), Some(14), Some(10))
    );
    assert_eq!(p.kdr, None);
    assert_eq!(
        key(&m),
        (
            hex("68FF7F2B360A05AC381A67D784AE6328"),
            hex("3D884CC40A60EBD2CA7FE01F0670"),
            Some(167395361u32.to_be_bytes().to_vec())
        )
    );

    let (_, g) = parse("tsrtsp-mikeytest-gstreamer-server.b64");
    assert_eq!(g.header.csb_id, 0x2ebcacbe);
    assert_eq!(srtp_map(&g)[0].ssrc, 0x7F6F6CE8);
    assert_eq!(sp(&g).auth_key_len, Some(10));
    assert_eq!(
        key(&g),
        (
            hex("8A6FEF072AF4B12B89A084EDBD860CE2"),
            hex("07D3B431A506BD6015722A09FB0C"),
            None
        )
    );

    let (_, a) = parse("tsrtsp-sdp-announce-keymgmt.b64");
    assert_eq!(a.header.csb_id, 0x496ae122);
    assert_eq!(srtp_map(&a)[0].ssrc, 0x3acc2ceb);
    assert_eq!(sp(&a).prf, Some(SrtpPrf::AesCm));
    assert_eq!(
        key(&a),
        (
            hex("a67335a9c40b0ad5cc519f2299786113"),
            hex("82b7edbd4f4cc6a5dd684381db2c"),
            Some(hex("00000001"))
        )
    );
}

#[test]
fn onvif_values() {
    let (_, s) = parse("onvif-streaming-setup-keymgmt-client.b64");
    assert_eq!(s.header.csb_id, 0xfd6d77d0);
    assert_eq!(srtp_map(&s)[0].ssrc, 0xc20f551c);
    assert_eq!(rand(&s), None, "the Genetec client sends no RAND");
    assert_eq!(t(&s), 0x01d38e19cef95c3d);
    assert_eq!(
        key(&s),
        (
            hex("df40b9f54ac2944d1edbb50fe61fd6b7"),
            hex("2f542fcf9d7f383edadb669a8de4"),
            Some(hex("0000002f"))
        )
    );

    let (_, r) = parse("onvif-streaming-set-parameter-rekey-client.b64");
    assert_eq!(r.header.csb_id, 0x6802afc1);
    assert_eq!(srtp_map(&r)[0].ssrc, 0xd2bf1824);
    assert_eq!(
        key(&r),
        (
            hex("a5e923b3cf20f90ec053a2c0bd1b2857"),
            hex("29f5f195b526e5c8f6a86de20ebe"),
            Some(hex("00000002"))
        )
    );

    let (_, g) = parse("onvif-streaming-get-parameter-multicast-device.b64");
    assert_eq!(g.header.csb_id, 0x6ad5a258);
    assert_eq!(srtp_map(&g)[0].ssrc, 0xdd05c028);
    assert_eq!(rand(&g).unwrap(), hex("6ad5a25835199be9ec33f21427589970"));
    assert_eq!(sp(&g).salt_key_len, Some(14));
    let unix = Timestamp::ntp_utc(t(&g)).to_unix().unwrap().as_secs();
    assert!(
        (1_481_068_800..1_481_155_200).contains(&unix),
        "T is 2016-12-07: {unix}"
    );
    assert_eq!(
        key(&g),
        (
            hex("ececd2e6e9993171ea69e8190b75240f"),
            hex("06c2e4d3698f86fcf9f07a31139e"),
            Some(hex("0000000d"))
        )
    );
}

#[test]
fn rfc4567_example_values() {
    let (_, a) = parse("rfc4567-ex1-alice-psk-init.b64");
    assert!(a.header.v);
    assert_eq!(a.header.csb_id, 0xcd177e50);
    assert_eq!(srtp_map(&a), vec![cs(0, 0, 0)]);
    assert_eq!(t(&a), 0xc8e350ea00000000);
    assert_eq!(rand(&a).unwrap(), hex("4a28da979ee21a7651a0d7f19136d98c"));
    let id = a
        .find(|p| {
            if let Payload::Id(i) = p {
                Some(i.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (id.id_type, id.text()),
        (IdType::Nai, Some("donald@duck.com"))
    );
    let sp_ = a
        .find(|p| {
            if let Payload::Sp(s) = p {
                Some(s.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (sp_.policy_no, sp_.prot_type, sp_.param_bytes().len()),
        (0, ProtType::Srtp, 0)
    );
    let k = a
        .find(|p| {
            if let Payload::Kemac(k) = p {
                Some(k.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (k.encr_alg, k.encr_data.len(), k.mac_alg, k.mac.len()),
        (EncrAlg::AesCm128, 36, MacAlg::HmacSha1_160, 20)
    );

    let (_, b) = parse("rfc4567-ex1-bob-psk-verify.b64");
    assert_eq!(b.header.data_type, DataType::PskResp);
    assert_eq!(b.header.csb_id, 0xcd177e50);
    let id = b
        .find(|p| {
            if let Payload::Id(i) = p {
                Some(i.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(id.text(), Some("mickey@mouse.com"));
    let v = b
        .find(|p| {
            if let Payload::V(v) = p {
                Some(v.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(v.auth_alg, MacAlg::HmacSha1_160);
    assert_eq!(
        &*v.mac,
        &hex("9fc1dd184e413035c522e18481afbad80818e5c7")[..]
    );
}

#[test]
fn mikey_sakke_values() {
    let (_, g) = parse("sw-stw-ref-gmk-imessage.b64");
    assert_eq!(g.header.data_type, DataType::Sakke);
    assert_eq!(g.header.prf, PrfFunc::HmacSha256);
    assert_eq!(g.header.csb_id, 0x06a12aea);
    let CsIdMap::GenericId(map) = &g.header.cs_map else {
        panic!("{:?}", g.header.cs_map)
    };
    let cs: Vec<_> = map.iter().collect();
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].cs_id, 4);
    assert_eq!(cs[0].spi, &hex("0df9bc3906a12aea")[..]);
    let sakke = g
        .find(|p| {
            if let Payload::Sakke(s) = p {
                Some(s.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (sakke.params, sakke.id_scheme, sakke.data.len()),
        (SakkeParams::Set1, SakkeIdScheme::Unknown(2), 273)
    );
    let sign = g
        .find(|p| {
            if let Payload::Sign(s) = p {
                Some(s.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (sign.sign_type, sign.signature.len()),
        (SignType::Eccsi, 129)
    );
    assert!(matches!(g.payloads.last(), Some(Payload::Sign(_))));
    assert!(g
        .payloads
        .iter()
        .any(|p| matches!(p, Payload::GenExt(e) if e.ext_type == GenExtType::Mcx)));

    let (_, p) = parse("sw-stw-ref-pck-imessage.b64");
    assert_eq!(p.header.cs_map, CsIdMap::Empty { count: 0 });

    let (_, l) = parse("sw-stw-ref-gmk-legacy-iwf-imessage.b64");
    let ssrcs: Vec<u32> = srtp_map(&l).iter().map(|c| c.ssrc).collect();
    assert_eq!(ssrcs, vec![0xcafebabe, 0]);
    assert_eq!(rand(&l).map(|r| r.len()), Some(16));

    let (_, alea) = parse("sw-alea-v3-gmk-imessage.b64");
    assert_eq!(alea.header.csb_id, 0x0c340888);
    let sp_ = alea
        .find(|p| {
            if let Payload::Sp(s) = p {
                Some(s.clone())
            } else {
                None
            }
        })
        .unwrap();
    let roc = sp_.params().find(|p| p.param_type == 13).unwrap();
    assert_eq!(roc.value.len(), 1, "ALEA sends ROC tx rate as one byte");
    assert!(sp_.srtp().roc_tx_rate.is_some());
    let idrs: Vec<IdRole> = alea
        .payloads
        .iter()
        .filter_map(|p| {
            if let Payload::Idr(i) = p {
                Some(i.role)
            } else {
                None
            }
        })
        .collect();
    assert!(
        idrs.contains(&IdRole::InitiatorKms) && idrs.contains(&IdRole::ResponderKms),
        "{idrs:?}"
    );

    let (_, sm) = parse("sw-smartms-imessage-1.b64");
    assert!(sm.header.v);
    assert_eq!(
        srtp_map(&sm).iter().map(|c| c.ssrc).collect::<Vec<_>>(),
        vec![1, 0]
    );
    let kms = sm
        .find(|p| {
            if let Payload::Idr(i) = p {
                (i.role == IdRole::InitiatorKms).then(|| i.id.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(kms.text(), Some("streamwide.com"));
}

#[test]
fn gstreamer_fragment_matches_our_encoding() {
    let frag = hex(&std::fs::read_to_string(common::path(
        "gst-mikey-test-create-common-csmap-2cs.fragment.hex",
    ))
    .unwrap());
    let mut h = Header::new(DataType::PskInit, 0x12345678);
    h.cs_map = CsIdMap::SrtpId(
        SrtpIdMap::from_entries(&[cs(1, 0x12345678, 0), cs(2, 0x23456789, 1)]).unwrap(),
    );
    let out = Message::new(h).encode().unwrap();
    assert_eq!(&out[10..], &frag[..]);
    let nocs = load("gst-mikey-test-create-common-hdr-nocs.hex");
    assert_eq!(
        Message::new(Header::new(DataType::PskInit, 0x12345678))
            .encode()
            .unwrap(),
        nocs
    );
}
