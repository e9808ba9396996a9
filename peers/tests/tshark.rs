//! Interoperability with Wireshark's MIKEY dissector (`epan/dissectors/packet-mikey.c`), run
//! through `tshark`. The test writes a classic pcap file of Ethernet/IPv4/UDP frames to port
//! 2269 (the MIKEY port Wireshark dissects), one MIKEY message per frame: messages we build
//! with every payload type Wireshark 4.0 knows, and every message of `testvectors/`.
//!
//! `tshark -T json -x --no-duplicate-keys` gives each field with its raw bytes and position
//! in the frame. For every payload we encoded we know its offset and bytes, so the test
//! asserts that Wireshark finds each payload, and each field inside it, at exactly the
//! offset and with exactly the bytes our codec used, plus decoded values for the header, and
//! that Wireshark reports nothing malformed and no expert item of error severity.
//!
//! tshark is required: without it the test fails (CI installs it).

mod tshark_common;

use mikey::wire::{
    CacheType, Cert, CertType, Chash, CsIdMap, DataType, Dh, DhGroup, EncrAlg, ErrorNo,
    ErrorPayload, GenExtType, GeneralExtension, HashFunc, Header, Id, IdRole, IdRoleId, IdType,
    Kemac, KeyData, KeyDataList, KeyDataType, KeyValidity, MacAlg, Message, MessageView,
    ParseOptions, Payload, Pke, PrfFunc, Rand, SakkeIdScheme, SakkeParams, SakkePayload,
    SecurityPolicy, Sign, SignType, SrtpCs, SrtpIdMap, SrtpPolicy, Timestamp, TsType, Verification,
};
use std::borrow::Cow;
use std::path::Path;
use tshark_common::{check_frame, dissect, unhex};

/// A self-signed P-256 X.509 certificate (DER), made with OpenSSL for this test: Wireshark
/// dissects CERT data as an X.509 certificate and would flag random bytes.
const CERT_HEX: &str = concat!(
    "3082018030820127a0030201020214275da313722670cbe3eeedd6c2b65146cd1a0522300a06082a8648ce3d04030230",
    "163114301206035504030c0b6d696b65792d7065657273301e170d3236313132363134323432335a170d333631313233",
    "3134323432335a30163114301206035504030c0b6d696b65792d70656572733059301306072a8648ce3d020106082a86",
    "48ce3d030107034200048d4d0a80cdf28c9a58b7642d6fb113fe74d71bb22d7d189ba067fa722f3a13fdbc3313c14e9b",
    "9fde1e742d3dec7f17b220d48b5542a4b5c0f7b5eb20d93e7afda3533051301d0603551d0e0416041473afdde2c8f697",
    "0181ecaa08d9e7f42625b9d163301f0603551d2304183016801473afdde2c8f6970181ecaa08d9e7f42625b9d163300f",
    "0603551d130101ff040530030101ff300a06082a8648ce3d04030203470030440220454af7964974ea90e556e680c807",
    "20341b8262340626c525c5a91e98f4522e4402200b78b92b667442a252d124920d2e32e5e9cce1513f8dd513b8c9ec08",
    "f7f53b8f",);

// ---------------------------------------------------------------------------------------------
// Messages we build

fn owned(b: &[u8]) -> Cow<'static, [u8]> {
    Cow::Owned(b.to_vec())
}

fn hdr(t: DataType, csb: u32, cs: &[SrtpCs]) -> Header<'static> {
    let mut h = Header::new(t, csb);
    h.cs_map = CsIdMap::SrtpId(SrtpIdMap::from_entries(cs).unwrap());
    h
}

fn kd(
    t: KeyDataType,
    key: &[u8],
    salt: Option<&[u8]>,
    kv: KeyValidity<'static>,
) -> KeyData<'static> {
    KeyData {
        key_type: t,
        key: owned(key),
        salt: salt.map(owned),
        kv,
    }
}

fn null_kemac(keys: Vec<KeyData<'static>>) -> Payload<'static> {
    let mut data = Vec::new();
    KeyDataList { id: None, keys }.encode(&mut data).unwrap();
    Payload::Kemac(Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: Cow::Owned(data),
        mac_alg: MacAlg::Null,
        mac: owned(&[]),
    })
}

fn enc_kemac(n: usize) -> Payload<'static> {
    Payload::Kemac(Kemac {
        encr_alg: EncrAlg::AesCm128,
        encr_data: Cow::Owned((0..n).map(|i| (i * 37 + 5) as u8).collect()),
        mac_alg: MacAlg::HmacSha1_160,
        mac: Cow::Owned((0..20).map(|i| 0xa0 + i as u8).collect()),
    })
}

fn t_now() -> Payload<'static> {
    Payload::T(Timestamp::ntp_utc(0xebfe_6f2d_b1c1_3fd0))
}

fn rand(n: usize) -> Payload<'static> {
    Payload::Rand(Rand {
        rand: Cow::Owned((0..n).map(|i| (i * 11 + 3) as u8).collect()),
    })
}

fn cert() -> Payload<'static> {
    Payload::Cert(Cert {
        cert_type: CertType::X509v3Sign,
        data: Cow::Owned(unhex(CERT_HEX)),
    })
}

fn sign(n: usize) -> Payload<'static> {
    Payload::Sign(Sign {
        sign_type: SignType::RsaPkcs1,
        signature: Cow::Owned(vec![0x5a; n]),
    })
}

fn our_messages() -> Vec<(&'static str, Vec<u8>)> {
    let cs2 = [
        SrtpCs {
            policy_no: 0,
            ssrc: 0x3068_5760,
            roc: 0,
        },
        SrtpCs {
            policy_no: 1,
            ssrc: 0xcc83_6237,
            roc: 0x0102_0304,
        },
    ];
    let all_params = SrtpPolicy {
        kdr: Some(0x0001_0000),
        fec_order: Some(mikey::wire::FecOrder::FecSrtp),
        prefix_len: Some(0),
        ..SrtpPolicy::aes_cm_128_hmac_sha1_80()
    };
    let mut out = Vec::new();

    // PSK-INIT: SRTP-ID map, T, RAND, two SP (all RFC 3830 SRTP params), KEMAC NULL with key
    // data of every KV kind.
    let m = Message::new(hdr(DataType::PskInit, 0xe69d_51f8, &cs2))
        .with(t_now())
        .with(rand(16))
        .with(Payload::Sp(all_params.to_payload(0).unwrap()))
        .with(Payload::Sp(
            SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap(),
        ))
        .with(null_kemac(vec![
            kd(
                KeyDataType::TekSalt,
                &[0x11; 16],
                Some(&[0x22; 14]),
                KeyValidity::Spi(owned(&[0, 0, 0, 0x2f])),
            ),
            kd(
                KeyDataType::Tek,
                &[0x33; 30],
                None,
                KeyValidity::Interval {
                    from: owned(&[0xeb, 0xfe, 0, 0]),
                    to: owned(&[0xec, 0, 0, 0]),
                },
            ),
            kd(KeyDataType::Tgk, &[0x44; 16], None, KeyValidity::Null),
        ]));
    out.push(("ours: PSK-INIT NULL KEMAC", m.encode().unwrap()));

    // PSK-INIT, V flag, PRF-HMAC-SHA-256, ID, encrypted KEMAC with HMAC, General Extensions.
    let mut m = Message::new(hdr(DataType::PskInit, 0xcd17_7e50, &cs2[..1]))
        .with(t_now())
        .with(rand(20))
        .with(Payload::Id(Id::uri("sip:alice@example.com")))
        .with(Payload::Sp(SecurityPolicy::new(
            0,
            mikey::wire::ProtType::Srtp,
        )))
        .with(Payload::GenExt(GeneralExtension {
            ext_type: GenExtType::SdpIds,
            data: owned(b"1 2"),
        }))
        .with(Payload::GenExt(GeneralExtension::csb_id(0x1234_5678)))
        .with(enc_kemac(36));
    m.header.v = true;
    m.header.prf = PrfFunc::HmacSha256;
    out.push(("ours: PSK-INIT V, ID, encrypted KEMAC", m.encode().unwrap()));

    // PSK verification message: T, ID, V (HMAC).
    let m = Message::new(hdr(DataType::PskResp, 0xcd17_7e50, &cs2[..1]))
        .with(t_now())
        .with(Payload::Id(Id::nai("bob@example.com")))
        .with(Payload::V(Verification {
            auth_alg: MacAlg::HmacSha1_160,
            mac: Cow::Owned(vec![0x9f; 20]),
        }));
    out.push(("ours: PSK-VERIFY", m.encode().unwrap()));

    // PK-INIT: T, RAND, ID, CERT, CHASH, PKE, KEMAC, SIGN.
    let m = Message::new(hdr(DataType::PkInit, 7, &cs2))
        .with(t_now())
        .with(rand(16))
        .with(Payload::Id(Id::uri("sip:alice@example.com")))
        .with(cert())
        .with(Payload::Pke(Pke {
            cache: CacheType::Cache,
            data: Cow::Owned(vec![0x66; 128]),
        }))
        .with(enc_kemac(52))
        .with(sign(128));
    out.push(("ours: PK-INIT", m.encode().unwrap()));

    // CHASH on its own (after T).
    let m = Message::new(hdr(DataType::PkInit, 8, &cs2[..1]))
        .with(t_now())
        .with(Payload::Chash(Chash {
            hash_func: HashFunc::Sha1,
            hash: Cow::Owned(vec![0xcc; 20]),
        }))
        .with(sign(64));
    out.push(("ours: PK-INIT with CHASH", m.encode().unwrap()));

    // DH-INIT (OAKLEY 1, 768 bits) and DH-RESP (OAKLEY 2, 1024 bits), with CERT and SIGN.
    let m = Message::new(hdr(DataType::DhInit, 9, &cs2))
        .with(t_now())
        .with(rand(16))
        .with(cert())
        .with(Payload::Sp(
            SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap(),
        ))
        .with(Payload::Dh(Dh {
            group: DhGroup::Oakley1,
            value: Cow::Owned(vec![0xd1; 96]),
            reserved: 0,
            kv: KeyValidity::Null,
        }))
        .with(sign(96));
    out.push(("ours: DH-INIT", m.encode().unwrap()));
    let m = Message::new(hdr(DataType::DhResp, 9, &cs2))
        .with(t_now())
        .with(Payload::Id(Id::nai("bob@example.com")))
        .with(Payload::Dh(Dh {
            group: DhGroup::Oakley2,
            value: Cow::Owned(vec![0xd2; 128]),
            reserved: 0,
            kv: KeyValidity::Null,
        }))
        .with(Payload::Dh(Dh {
            group: DhGroup::Oakley5,
            value: Cow::Owned(vec![0xd3; 192]),
            reserved: 0,
            kv: KeyValidity::Null,
        }))
        .with(sign(64));
    out.push(("ours: DH-RESP", m.encode().unwrap()));

    // Error message: T, ERR, ERR, V.
    let m = Message::new(hdr(DataType::Error, 10, &[]))
        .with(t_now())
        .with(Payload::Err(ErrorPayload {
            error_no: ErrorNo::InvalidTs,
            reserved: 0,
        }))
        .with(Payload::Err(ErrorPayload {
            error_no: ErrorNo::InvalidSpPar,
            reserved: 0,
        }))
        .with(Payload::V(Verification {
            auth_alg: MacAlg::Null,
            mac: owned(&[]),
        }));
    out.push(("ours: ERROR", m.encode().unwrap()));

    // COUNTER and NTP timestamps.
    let m = Message::new(hdr(DataType::PskInit, 11, &cs2))
        .with(Payload::T(Timestamp::counter(0x0102_0304)))
        .with(rand(16))
        .with(null_kemac(vec![kd(
            KeyDataType::TgkSalt,
            &[0x55; 16],
            Some(&[0x66; 14]),
            KeyValidity::Null,
        )]));
    out.push(("ours: COUNTER timestamp", m.encode().unwrap()));
    let m = Message::new(hdr(DataType::PskResp, 11, &[])).with(Payload::T(Timestamp {
        ts_type: TsType::Ntp,
        value: 0xdead_beef_0000_0001,
    }));
    out.push(("ours: NTP timestamp", m.encode().unwrap()));

    // RFC 6509 MIKEY-SAKKE I_MESSAGE shape: SAKKE data type, T, RAND, IDRi, IDRr, SAKKE, SIGN.
    let mut h = hdr(DataType::Sakke, 0x1357_9bdf, &[]);
    h.cs_map = CsIdMap::Empty { count: 0 };
    let m = Message::new(h)
        .with(t_now())
        .with(rand(16))
        .with(Payload::Idr(IdRoleId {
            role: IdRole::Initiator,
            id: Id::uri("tel:+447700900123"),
        }))
        .with(Payload::Idr(IdRoleId {
            role: IdRole::Responder,
            id: Id {
                id_type: IdType::ByteString,
                data: owned(b"2011-02\0tel:+447700900123\0"),
            },
        }))
        .with(Payload::Sakke(SakkePayload {
            params: SakkeParams::Set1,
            id_scheme: SakkeIdScheme::TelUriMonthly,
            data: Cow::Owned(vec![0x04; 273]),
        }))
        .with(Payload::Sign(Sign {
            sign_type: SignType::Eccsi,
            signature: Cow::Owned(vec![0xec; 129]),
        }));
    out.push(("ours: SAKKE", m.encode().unwrap()));

    // Every message must be valid for our strict parser and encode back to itself.
    for (n, b) in &out {
        let m = Message::parse(b).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(&m.encode().unwrap(), b, "{n}");
    }
    out
}

fn vectors() -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testvectors");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            (n.ends_with(".hex") || n.ends_with(".b64")) && !n.contains("fragment")
        })
        .map(|p| {
            let s = std::fs::read_to_string(&p).unwrap();
            let s = s.trim();
            let b = if p.extension().unwrap() == "hex" {
                unhex(s)
            } else {
                base64::engine::general_purpose::STANDARD.decode(s).unwrap()
            };
            (p.file_name().unwrap().to_str().unwrap().to_owned(), b)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn wireshark_dissects_our_messages_alike() {
    let msgs = our_messages();
    let bytes: Vec<Vec<u8>> = msgs.iter().map(|(_, b)| b.clone()).collect();
    let frames = dissect(&bytes, "ours");
    let mut checked = 0;
    for ((name, b), layers) in msgs.iter().zip(&frames) {
        checked += check_frame(name, layers, b, ParseOptions::STRICT).checked();
    }
    eprintln!(
        "{} messages, {checked} fields compared with Wireshark",
        msgs.len()
    );
}

#[test]
fn wireshark_dissects_test_vectors_alike() {
    let vs = vectors();
    let bytes: Vec<Vec<u8>> = vs.iter().map(|(_, b)| b.clone()).collect();
    let frames = dissect(&bytes, "vectors");
    let mut checked = 0;
    let mut generic = Vec::new();
    for ((name, b), layers) in vs.iter().zip(&frames) {
        checked += check_frame(name, layers, b, ParseOptions::LENIENT).checked();
        let v = MessageView::parse_with(b, ParseOptions::LENIENT).unwrap();
        if matches!(v.header().cs_map, CsIdMap::GenericId(_)) {
            generic.push(name.as_str());
        }
    }
    eprintln!(
        "{} vectors, {checked} fields compared with Wireshark; header only (GENERIC-ID map, unknown to Wireshark 4.0): {generic:?}",
        vs.len()
    );
}
