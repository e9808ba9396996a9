//! Encoders that cannot emit a broken message (issue 14): every length and count at its
//! field's maximum encodes to exactly `encoded_len` bytes and parses back; one past it is a
//! typed `EncodeError` naming payload, field, length and maximum, nothing is written, and
//! the initiators surface it as `SessionError::Encode` instead of sending bytes.

use core::time::Duration;
use mikey::session::{DhConfig, DhHmacInitiator, PskConfig, PskInitiator, SessionError};
use mikey::session::{GroupConfig, GroupController, TransportKey};
use mikey::wire::*;
use std::borrow::Cow;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(37);
            *x = n;
        }
    }
}

fn too_long(payload: &str, field: &str, len: usize, max: usize) -> EncodeError {
    let e = EncodeError {
        payload: "",
        field: "",
        kind: EncodeErrorKind::TooLong { len, max },
    };
    EncodeError {
        payload: leak(payload),
        field: leak(field),
        ..e
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn msg(payloads: Vec<Payload<'static>>) -> Message<'static> {
    Message {
        header: Header::new(DataType::PskInit, 0x0102_0304),
        payloads,
    }
}

/// Encodes (exactly `encoded_len` bytes), parses back strictly, compares.
fn round_trip(m: &Message<'_>) {
    let b = m.encode().expect("the maximum encodes");
    assert_eq!(b.len(), m.encoded_len());
    let back = Message::parse(&b).expect("and parses back");
    assert_eq!(&back, m);
}

/// The encode error, and `encode_into` leaves a non-empty buffer as it was.
fn refused(m: &Message<'_>) -> EncodeError {
    let mut out = vec![0xee; 3];
    let e = m.encode_into(&mut out).unwrap_err();
    assert_eq!(out, [0xee; 3], "nothing written on error");
    assert_eq!(m.encode(), Err(e));
    e
}

fn data(n: usize) -> Cow<'static, [u8]> {
    Cow::Owned(vec![0x61; n])
}

#[test]
fn rand_and_randr_lengths() {
    round_trip(&msg(vec![Payload::Rand(Rand { rand: data(255) })]));
    let e = refused(&msg(vec![Payload::Rand(Rand { rand: data(256) })]));
    assert_eq!(e, too_long("RAND", "RAND len", 256, 255));
    assert_eq!((e.value_len(), e.field_max()), (Some(256), Some(255)));
    let randr = |n| {
        msg(vec![Payload::Randr(RandRoleRand {
            role: RandRole::from_wire(1),
            rand: data(n),
        })])
    };
    round_trip(&randr(255));
    assert_eq!(
        refused(&randr(256)),
        too_long("RANDR", "RAND length", 256, 255)
    );
}

#[test]
fn id_cert_and_idr_lengths() {
    let id = |n| {
        Payload::Id(Id {
            id_type: IdType::Uri,
            data: data(n),
        })
    };
    round_trip(&msg(vec![id(65_535)]));
    assert_eq!(
        refused(&msg(vec![id(65_536)])),
        too_long("ID", "ID len", 65_536, 65_535)
    );
    let cert = |n| {
        Payload::Cert(Cert {
            cert_type: CertType::X509v3,
            data: data(n),
        })
    };
    round_trip(&msg(vec![cert(65_535)]));
    assert_eq!(
        refused(&msg(vec![cert(65_536)])),
        too_long("CERT", "Cert len", 65_536, 65_535)
    );
    let idr = |n| {
        Payload::Idr(IdRoleId {
            role: IdRole::from_wire(1),
            id: Id {
                id_type: IdType::Uri,
                data: data(n),
            },
        })
    };
    round_trip(&msg(vec![idr(65_535)]));
    assert_eq!(
        refused(&msg(vec![idr(65_536)])),
        too_long("IDR", "ID len", 65_536, 65_535)
    );
}

fn cs(i: usize) -> SrtpCs {
    SrtpCs {
        policy_no: 0,
        ssrc: i as u32,
        roc: 0,
    }
}

#[test]
fn srtp_id_map_holds_255_crypto_sessions() {
    let entries: Vec<SrtpCs> = (0..255).map(cs).collect();
    let mut map = SrtpIdMap::from_entries(&entries).unwrap();
    let mut m = msg(vec![]);
    m.header.cs_map = CsIdMap::SrtpId(map.clone());
    round_trip(&m);
    assert_eq!(m.header.cs_map.count(), 255);
    let more: Vec<SrtpCs> = (0..256).map(cs).collect();
    assert_eq!(
        SrtpIdMap::from_entries(&more).unwrap_err(),
        too_long("HDR", "#CS", 256, 255)
    );
    assert_eq!(
        map.push(cs(255)).unwrap_err(),
        too_long("HDR", "#CS", 256, 255)
    );
    assert_eq!(map.len(), 255, "a refused entry is not added");
}

#[test]
fn generic_id_map_fields() {
    let mut g = GenericIdMap::default();
    g.push(1, ProtType::Srtp, false, &[0; 127], &[1; 65_535], &[2; 255])
        .unwrap();
    let mut m = msg(vec![]);
    m.header.cs_map = CsIdMap::GenericId(g.clone());
    round_trip(&m);
    let f = "HDR GENERIC-ID";
    let p = |g: &mut GenericIdMap<'_>, ps: usize, sd: usize, spi: usize| {
        g.push(
            2,
            ProtType::Srtp,
            false,
            &vec![0; ps],
            &vec![1; sd],
            &vec![2; spi],
        )
    };
    assert_eq!(p(&mut g, 128, 0, 0), Err(too_long(f, "#P", 128, 127)));
    assert_eq!(
        p(&mut g, 0, 65_536, 0),
        Err(too_long(f, "Session Data Length", 65_536, 65_535))
    );
    assert_eq!(
        p(&mut g, 0, 0, 256),
        Err(too_long(f, "SPI Length", 256, 255))
    );
    assert_eq!(g.len(), 1, "refused sessions are not added");
    for _ in 1..255 {
        p(&mut g, 0, 0, 0).unwrap();
    }
    assert_eq!(p(&mut g, 0, 0, 0), Err(too_long("HDR", "#CS", 256, 255)));
}

fn key(n: usize, kv: KeyValidity<'static>) -> KeyData<'static> {
    KeyData {
        key_type: KeyDataType::Tgk,
        key: data(n),
        salt: None,
        kv,
    }
}

fn null_kemac(keys: Vec<KeyData<'static>>) -> Result<Payload<'static>, EncodeError> {
    let mut plain = Vec::new();
    KeyDataList { id: None, keys }.encode(&mut plain)?;
    Ok(Payload::Kemac(Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: plain.into(),
        mac_alg: MacAlg::Null,
        mac: Cow::Borrowed(&[]),
    }))
}

#[test]
fn mki_and_key_validity_lengths() {
    let spi = |n| key(16, KeyValidity::Spi(data(n)));
    round_trip(&msg(vec![null_kemac(vec![spi(255)]).unwrap()]));
    assert_eq!(
        null_kemac(vec![spi(256)]).unwrap_err(),
        too_long("Key data", "SPI Length", 256, 255)
    );
    let interval = |f, t| {
        key(
            16,
            KeyValidity::Interval {
                from: data(f),
                to: data(t),
            },
        )
    };
    round_trip(&msg(vec![null_kemac(vec![interval(255, 255)]).unwrap()]));
    assert_eq!(
        null_kemac(vec![interval(256, 6)]).unwrap_err(),
        too_long("Key data", "VF Length", 256, 255)
    );
    assert_eq!(
        null_kemac(vec![interval(6, 256)]).unwrap_err(),
        too_long("Key data", "VT Length", 256, 255)
    );
}

#[test]
fn key_data_and_kemac_lengths() {
    // A key data sub-payload of 65,535 key bytes encodes and parses back on its own...
    let list = KeyDataList {
        id: None,
        keys: vec![key(65_535, KeyValidity::Null)],
    };
    let mut plain = Vec::new();
    list.encode(&mut plain).unwrap();
    assert_eq!(plain.len(), list.encoded_len());
    assert_eq!(KeyDataList::parse(&plain, false, 0).unwrap(), list);
    let mut out = vec![1];
    let e = KeyDataList {
        id: None,
        keys: vec![key(16, KeyValidity::Null), key(65_536, KeyValidity::Null)],
    }
    .encode(&mut out)
    .unwrap_err();
    assert_eq!(e, too_long("Key data", "Key data len", 65_536, 65_535));
    assert_eq!(out, [1], "the first key is not left behind");
    // ... and as a payload; a KEMAC carries at most 65,535 bytes of Encr data.
    round_trip(&msg(vec![Payload::KeyData(key(65_535, KeyValidity::Null))]));
    let kemac = |n| {
        Payload::Kemac(Kemac {
            encr_alg: EncrAlg::AesCm128,
            encr_data: data(n),
            mac_alg: MacAlg::HmacSha1_160,
            mac: Cow::Owned(vec![0; 20]),
        })
    };
    round_trip(&msg(vec![kemac(65_535)]));
    assert_eq!(
        refused(&msg(vec![kemac(65_536)])),
        too_long("KEMAC", "Encr data len", 65_536, 65_535)
    );
    // The salt field: 16 bits too, and present exactly for the +SALT types.
    let salted = |n| KeyData {
        key_type: KeyDataType::TgkSalt,
        salt: Some(data(n)),
        ..key(16, KeyValidity::Null)
    };
    round_trip(&msg(vec![Payload::KeyData(salted(65_535))]));
    assert_eq!(
        refused(&msg(vec![Payload::KeyData(salted(65_536))])),
        too_long("Key data", "Salt len", 65_536, 65_535)
    );
    let salt_on_tgk = KeyData {
        salt: Some(data(14)),
        ..key(16, KeyValidity::Null)
    };
    let e = refused(&msg(vec![Payload::KeyData(salt_on_tgk)]));
    assert_eq!((e.payload, e.field), ("Key data", "Salt data"));
}

#[test]
fn security_policy_parameter_lengths() {
    let mut sp = SecurityPolicy::new(1, ProtType::Srtp);
    sp.push(200, &[7; 255]).unwrap();
    assert_eq!(
        sp.push(201, &[7; 256]),
        Err(too_long("SP", "param Length", 256, 255))
    );
    assert_eq!(sp.params().count(), 1, "a refused parameter is not added");
    round_trip(&msg(vec![Payload::Sp(sp.clone())]));
    // Parameters up to 65,535 bytes in all: 256 of 255 bytes are 65,792.
    for _ in 1..254 {
        sp.push(200, &[7; 255]).unwrap();
    }
    assert_eq!(sp.param_bytes().len(), 254 * 257);
    let mut full = sp.clone();
    full.push(202, &[8; 255]).unwrap();
    assert_eq!(full.param_bytes().len(), 65_535);
    round_trip(&msg(vec![Payload::Sp(full.clone())]));
    assert_eq!(
        full.push(203, &[]),
        Err(too_long("SP", "Policy param length", 65_537, 65_535))
    );
    // The typed SRTP policy: unknown parameters and the 32-bit key derivation rate.
    let mut p = SrtpPolicy::aes_cm_128_hmac_sha1_80();
    p.unknown.push((99, vec![1; 255]));
    p.kdr = Some(u64::from(u32::MAX));
    let sp = p.to_payload(0).unwrap();
    assert_eq!(sp.srtp(), p);
    p.unknown.push((98, vec![1; 256]));
    assert_eq!(
        p.to_payload(0).unwrap_err(),
        too_long("SP", "param Length", 256, 255)
    );
    p.unknown.pop();
    p.kdr = Some(u64::from(u32::MAX) + 1);
    let e = p.to_payload(0).unwrap_err();
    assert_eq!((e.payload, e.field), ("SP", "Key derivation rate"));
}

#[test]
fn sign_pke_sakke_and_extension_lengths() {
    let sign = |n| {
        Payload::Sign(Sign {
            sign_type: SignType::from_wire(0),
            signature: data(n),
        })
    };
    round_trip(&msg(vec![sign(4095)]));
    assert_eq!(
        refused(&msg(vec![sign(4096)])),
        too_long("SIGN", "Signature len", 4096, 4095)
    );
    let pke = |n| {
        Payload::Pke(Pke {
            cache: CacheType::from_wire(0),
            data: data(n),
        })
    };
    round_trip(&msg(vec![pke(16_383)]));
    assert_eq!(
        refused(&msg(vec![pke(16_384)])),
        too_long("PKE", "Data len", 16_384, 16_383)
    );
    let sakke = |n| {
        Payload::Sakke(SakkePayload {
            params: SakkeParams::from_wire(1),
            id_scheme: SakkeIdScheme::from_wire(1),
            data: data(n),
        })
    };
    round_trip(&msg(vec![sakke(65_535)]));
    assert_eq!(
        refused(&msg(vec![sakke(65_536)])),
        too_long("SAKKE", "SAKKE data length", 65_536, 65_535)
    );
    let ext = |n| {
        Payload::GenExt(GeneralExtension {
            ext_type: GenExtType::from_wire(250),
            data: data(n),
        })
    };
    round_trip(&msg(vec![ext(65_535)]));
    assert_eq!(
        refused(&msg(vec![ext(65_536)])),
        too_long("General Ext.", "Length", 65_536, 65_535)
    );
    let ids = GeneralExtension::key_ids(&[(KeyIdType::from_wire(0), &[5; 255])]).unwrap();
    round_trip(&msg(vec![Payload::GenExt(ids)]));
    assert_eq!(
        GeneralExtension::key_ids(&[(KeyIdType::from_wire(0), &[5; 256])]).unwrap_err(),
        too_long("General Ext.", "Key ID Length", 256, 255)
    );
}

#[test]
fn lengths_implied_by_codes_and_codes_in_bit_fields() {
    let kemac = Payload::Kemac(Kemac {
        encr_alg: EncrAlg::AesCm128,
        encr_data: data(4),
        mac_alg: MacAlg::HmacSha1_160,
        mac: data(19),
    });
    let e = refused(&msg(vec![kemac]));
    assert_eq!(
        e,
        EncodeError::new(
            "KEMAC",
            "MAC",
            EncodeErrorKind::WrongLength {
                len: 19,
                expected: 20
            }
        )
    );
    let v = Payload::V(Verification {
        auth_alg: MacAlg::from_wire(200),
        mac: data(20),
    });
    assert_eq!(
        refused(&msg(vec![v])).kind,
        EncodeErrorKind::BadCode { value: 200, max: 0 }
    );
    let dh = Payload::Dh(Dh {
        group: DhGroup::from_wire(2),
        value: data(127),
        reserved: 0,
        kv: KeyValidity::Null,
    });
    let e = refused(&msg(vec![dh]));
    assert_eq!(
        (e.payload, e.field, e.value_len()),
        ("DH", "DH-value", Some(127))
    );
    let sign = Payload::Sign(Sign {
        sign_type: SignType::from_wire(16),
        signature: data(2),
    });
    let e = refused(&msg(vec![sign]));
    assert_eq!(e.kind, EncodeErrorKind::BadCode { value: 16, max: 15 });
    let counter = Payload::T(Timestamp {
        ts_type: TsType::Counter,
        value: 1 << 32,
    });
    assert_eq!(refused(&msg(vec![counter])).field, "TS value");
    let mut h = Header::new(DataType::PskInit, 1);
    h.prf = PrfFunc::from_wire(128);
    let e = refused(&Message::new(h));
    assert_eq!((e.payload, e.field), ("HDR", "PRF func"));
    let csb = GeneralExtension {
        ext_type: GenExtType::CsbId,
        data: data(3),
    };
    assert_eq!(refused(&msg(vec![Payload::GenExt(csb)])).field, "Data");
}

#[test]
fn sign_ends_the_message() {
    let m = msg(vec![
        Payload::Sign(Sign {
            sign_type: SignType::from_wire(0),
            signature: data(4),
        }),
        Payload::Rand(Rand { rand: data(16) }),
    ]);
    let e = refused(&m);
    assert!(matches!(e.kind, EncodeErrorKind::Misplaced { .. }));
    assert_eq!(e.payload, "SIGN");
}

#[test]
fn errors_are_displayed_and_are_std_errors() {
    let e = too_long("RAND", "RAND len", 256, 255);
    assert_eq!(
        e.to_string(),
        "cannot encode RAND RAND len: length 256 does not fit, at most 255"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().contains("RAND"));
    let s = SessionError::Encode(e);
    assert!(s.to_string().contains("at most 255"));
    assert_eq!(s.error_no(), ErrorNo::Unspecified);
}

fn psk_cfg() -> PskConfig {
    PskConfig {
        crypto_sessions: vec![cs(1)],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..PskConfig::default()
    }
}

/// The PSK initiator's I_MESSAGE, parsed back.
fn psk_initiate(cfg: PskConfig, keys: Vec<TransportKey>) -> Result<Message<'static>, SessionError> {
    let b = PskInitiator::new(&[9; 16], cfg).initiate(keys, NOW, &mut rng())?;
    Ok(Message::parse(&b)
        .expect("what is sent parses")
        .into_owned())
}

fn encode_err(r: Result<Message<'static>, SessionError>) -> EncodeError {
    match r {
        Err(SessionError::Encode(e)) => e,
        other => panic!("expected SessionError::Encode, got {other:?}"),
    }
}

fn tgk() -> Vec<TransportKey> {
    vec![TransportKey::tgk(&[3; 16])]
}

#[test]
fn psk_initiator_rand_id_and_crypto_sessions() {
    let with_rand = |n| PskConfig {
        rand: Some(vec![0x5a; n]),
        ..psk_cfg()
    };
    let m = psk_initiate(with_rand(255), tgk()).unwrap();
    let rand = m.find(|p| match p {
        Payload::Rand(r) => Some(r.rand.len()),
        _ => None,
    });
    assert_eq!(rand, Some(255));
    assert_eq!(
        encode_err(psk_initiate(with_rand(256), tgk())),
        too_long("RAND", "RAND len", 256, 255)
    );
    let with_id = |n| PskConfig {
        id_i: Some(Id {
            id_type: IdType::Uri,
            data: data(n),
        }),
        ..psk_cfg()
    };
    let m = psk_initiate(with_id(65_535), tgk()).unwrap();
    assert!(m
        .find(|p| match p {
            Payload::Id(i) => Some(i.data.len() == 65_535),
            _ => None,
        })
        .unwrap());
    assert_eq!(
        encode_err(psk_initiate(with_id(65_536), tgk())),
        too_long("ID", "ID len", 65_536, 65_535)
    );
    let with_cs = |n| PskConfig {
        crypto_sessions: (0..n).map(cs).collect(),
        ..psk_cfg()
    };
    let m = psk_initiate(with_cs(255), tgk()).unwrap();
    assert_eq!(m.header.cs_map.count(), 255);
    assert_eq!(
        encode_err(psk_initiate(with_cs(256), tgk())),
        too_long("HDR", "#CS", 256, 255)
    );
}

#[test]
fn psk_initiator_mki_and_key_data() {
    // MIKEY-NULL so the key data can be read back from the message.
    let null = PskConfig {
        encr: EncrAlg::Null,
        mac: MacAlg::Null,
        ..psk_cfg()
    };
    let mki = |n| vec![TransportKey::tgk(&[3; 16]).with_mki(&vec![1; n])];
    let m = psk_initiate(null.clone(), mki(255)).unwrap();
    let Some(Payload::Kemac(k)) = m.payloads.last() else {
        panic!("KEMAC last")
    };
    let keys = k.plaintext_keys(false).unwrap().unwrap();
    assert_eq!(keys.keys[0].kv.spi().map(<[u8]>::len), Some(255));
    assert_eq!(
        encode_err(psk_initiate(null.clone(), mki(256))),
        too_long("Key data", "SPI Length", 256, 255)
    );
    // One key data sub-payload of n key bytes takes 4 + n bytes of the KEMAC's 65,535.
    let big = |n: usize| vec![TransportKey::tgk(&vec![3; n])];
    let m = psk_initiate(null.clone(), big(65_531)).unwrap();
    let Some(Payload::Kemac(k)) = m.payloads.last() else {
        panic!("KEMAC last")
    };
    assert_eq!(k.encr_data.len(), 65_535);
    assert_eq!(
        encode_err(psk_initiate(null, big(65_532))),
        too_long("KEMAC", "Encr data len", 65_536, 65_535)
    );
    // Encrypted: the same limit.
    assert_eq!(
        encode_err(psk_initiate(psk_cfg(), big(65_532))),
        too_long("KEMAC", "Encr data len", 65_536, 65_535)
    );
    // A single key over 65,535 bytes: its KEMAC is over the limit first.
    assert_eq!(
        encode_err(psk_initiate(psk_cfg(), big(65_536))),
        too_long("KEMAC", "Encr data len", 65_540, 65_535)
    );
}

#[test]
fn dhhmac_initiator_crypto_sessions_and_mki() {
    let cfg = |n, mki: usize| DhConfig {
        id_r: Some(Id::nai("bob@example.com")),
        crypto_sessions: (0..n).map(cs).collect(),
        kv: KeyValidity::Spi(data(mki)),
        ..DhConfig::default()
    };
    let initiate = |c| {
        let b = DhHmacInitiator::new(&[1; 16], c).initiate(NOW, &mut rng())?;
        Ok(Message::parse(&b)
            .expect("what is sent parses")
            .into_owned())
    };
    let m = initiate(cfg(255, 255)).unwrap();
    assert_eq!(m.header.cs_map.count(), 255);
    let spi = m.find(|p| match p {
        Payload::Dh(d) => d.kv.spi().map(<[u8]>::len),
        _ => None,
    });
    assert_eq!(spi, Some(255));
    assert_eq!(
        encode_err(initiate(cfg(256, 4))),
        too_long("HDR", "#CS", 256, 255)
    );
    assert_eq!(
        encode_err(initiate(cfg(1, 256))),
        too_long("DH", "SPI Length", 256, 255)
    );
}

#[test]
fn group_config_refuses_256_crypto_sessions() {
    let cfg = |n| GroupConfig {
        id_i: Some(Id::nai("source@example.com")),
        crypto_sessions: (1..=n).map(cs).collect(),
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..GroupConfig::default()
    };
    if let Err(e) = GroupController::new(cfg(255), &mut rng()) {
        panic!("255 crypto sessions refused: {e}");
    }
    let Err(e) = GroupController::new(cfg(256), &mut rng()) else {
        panic!("256 crypto sessions accepted")
    };
    assert!(
        matches!(e, mikey::session::group::GroupError::InvalidConfig(_)),
        "{e}"
    );
}

#[test]
fn null_kemac_data_must_be_key_data() {
    let kemac = |d: Vec<u8>| {
        Payload::Kemac(Kemac {
            encr_alg: EncrAlg::Null,
            encr_data: d.into(),
            mac_alg: MacAlg::Null,
            mac: Cow::Borrowed(&[]),
        })
    };
    let e = refused(&msg(vec![kemac(vec![1, 2, 3])]));
    assert_eq!((e.payload, e.field), ("KEMAC", "Encr data"));
    assert!(matches!(e.kind, EncodeErrorKind::Malformed { .. }));
    // A key data chain is fine for PSK; a public-key message wants an ID payload first.
    let mut plain = Vec::new();
    KeyDataList {
        id: None,
        keys: vec![key(16, KeyValidity::Spi(data(4)))],
    }
    .encode(&mut plain)
    .unwrap();
    round_trip(&msg(vec![kemac(plain.clone())]));
    let mut pk = msg(vec![kemac(plain)]);
    pk.header.data_type = DataType::PkInit;
    assert_eq!(refused(&pk).field, "Encr data");
}
