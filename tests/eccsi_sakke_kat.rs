//! Known answers for ECCSI (RFC 6507 Appendix A) and SAKKE (RFC 6508 Appendix A), the
//! rejections both must make, and real KMS material (Streamwide reference set, ALEA v3
//! interop set): every user's SSK/PVT and RSK validated against its KMS's KPAK and Z, and
//! the SSV of real I_MESSAGEs recovered with those RSKs.
#![cfg(feature = "sakke")]

mod common;
#[path = "../src/crypto/sakke/testdata.rs"]
mod testdata;

use common::{hex, load};
use mikey::crypto::eccsi::{EccsiError, Kpak, Ksak, Pvt, SigningKey, Ssk, SIGNATURE_LEN};
use mikey::crypto::sakke::{
    validate_rsk, Identifier, KmsPublicKey, MasterSecret, Receiver, Rsk, SakkeError,
    ENCAPSULATED_LEN, POINT_LEN,
};
use mikey::wire::{Message, ParseOptions, Payload};
use testdata::{value, RFC6507, RFC6508};

/// An integer value of RFC 6507 Appendix A left-padded to 32 octets.
fn int32(label: &str) -> [u8; 32] {
    let v = value(RFC6507, label, 0);
    let mut out = [0u8; 32];
    out[32 - v.len()..].copy_from_slice(&v);
    out
}

/// An entropy source that always gives the same value (the RFC's fixed ephemerals).
fn fixed_entropy(v: [u8; 32]) -> impl FnMut(&mut [u8]) {
    move |buf: &mut [u8]| buf.copy_from_slice(&v)
}

struct Eccsi {
    kpak: Kpak,
    id: Vec<u8>,
    signer: SigningKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn rfc6507() -> Eccsi {
    let ksak = Ksak::from_bytes(&int32("KSAK")).unwrap();
    let kpak = ksak.kpak();
    let id = value(RFC6507, "ID", 0);
    let (ssk, pvt) = ksak.issue(&id, &mut fixed_entropy(int32("v"))).unwrap();
    let signer = SigningKey::new(&kpak, &id, &ssk, &pvt).unwrap();
    Eccsi {
        kpak,
        id,
        signer,
        message: value(RFC6507, "M", 0),
        signature: value(RFC6507, "Sig", 0),
    }
}

#[test]
fn rfc6507_appendix_a_known_answers() {
    let e = rfc6507();
    assert_eq!(e.kpak.to_bytes().as_slice(), value(RFC6507, "KPAK", 0));
    assert_eq!(
        e.signer.pvt().to_bytes().as_slice(),
        value(RFC6507, "PVT", 0)
    );
    assert_eq!(e.signer.hs().as_slice(), value(RFC6507, "HS", 0));
    let ksak = Ksak::from_bytes(&int32("KSAK")).unwrap();
    let (ssk, _) = ksak.issue(&e.id, &mut fixed_entropy(int32("v"))).unwrap();
    assert_eq!(ssk.to_bytes().as_bytes(), value(RFC6507, "SSK", 0));

    let sig = e
        .signer
        .sign(&e.message, &mut fixed_entropy(int32("j")))
        .unwrap();
    assert_eq!(&sig[..32], value(RFC6507, "r", 0));
    assert_eq!(&sig[32..64], value(RFC6507, "s", 0));
    assert_eq!(sig.as_slice(), e.signature);
    e.kpak.verify(&e.id, &e.message, &e.signature).unwrap();
}

#[test]
fn eccsi_rejects_forgeries_and_bad_key_material() {
    let e = rfc6507();
    let verify = |id: &[u8], m: &[u8], s: &[u8]| e.kpak.verify(id, m, s);
    let mut wrong_id = e.id.clone();
    wrong_id[5] ^= 1;
    assert_eq!(
        verify(&wrong_id, &e.message, &e.signature),
        Err(EccsiError::BadSignature)
    );
    assert_eq!(
        verify(&e.id, b"message", &e.signature),
        Err(EccsiError::BadSignature)
    );
    // Every single-bit flip of r, s or the PVT is rejected.
    for bit in 0..SIGNATURE_LEN * 8 {
        let mut s = e.signature.clone();
        s[bit / 8] ^= 1 << (bit % 8);
        assert!(verify(&e.id, &e.message, &s).is_err(), "bit {bit}");
    }
    assert!(matches!(
        verify(&e.id, &e.message, &e.signature[1..]),
        Err(EccsiError::InvalidLength(_))
    ));
    // r = 0, r = p (0 mod p), s = 0, s = q: rejected before any computation.
    let p = hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
    let q = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    for (range, v) in [
        (0..32, vec![0; 32]),
        (0..32, p),
        (32..64, vec![0; 32]),
        (32..64, q),
    ] {
        let mut s = e.signature.clone();
        s[range].copy_from_slice(&v);
        assert_eq!(
            verify(&e.id, &e.message, &s),
            Err(EccsiError::SignatureOutOfRange)
        );
    }
    let mut bad_pvt = e.signature.clone();
    bad_pvt[64] = 0x02;
    assert!(matches!(
        verify(&e.id, &e.message, &bad_pvt),
        Err(EccsiError::InvalidPoint { .. })
    ));

    // SSK validation (RFC 6507 §5.1.2): a wrong SSK, identifier or PVT fails.
    let ssk = Ssk::from_bytes(&value(RFC6507, "SSK", 0)).unwrap();
    let pvt = Pvt::from_bytes(&value(RFC6507, "PVT", 0)).unwrap();
    let mut other = value(RFC6507, "SSK", 0);
    other[31] ^= 1;
    let other = Ssk::from_bytes(&other).unwrap();
    assert_eq!(
        SigningKey::new(&e.kpak, &e.id, &other, &pvt).unwrap_err(),
        EccsiError::SskValidation
    );
    assert_eq!(
        SigningKey::new(&e.kpak, &wrong_id, &ssk, &pvt).unwrap_err(),
        EccsiError::SskValidation
    );
    let kpak_as_pvt = Pvt::from_bytes(&e.kpak.to_bytes()).unwrap();
    assert_eq!(
        SigningKey::new(&e.kpak, &e.id, &ssk, &kpak_as_pvt).unwrap_err(),
        EccsiError::SskValidation
    );
    // Out-of-range and malformed inputs.
    assert!(matches!(
        Ssk::from_bytes(&[0; 32]),
        Err(EccsiError::InvalidScalar { .. })
    ));
    assert!(matches!(
        Ssk::from_bytes(&[0xff; 32]),
        Err(EccsiError::InvalidScalar { .. })
    ));
    assert!(matches!(
        Ksak::from_bytes(&[1; 31]),
        Err(EccsiError::InvalidLength(_))
    ));
    let mut off_curve = value(RFC6507, "KPAK", 0);
    off_curve[64] ^= 1;
    assert_eq!(
        Kpak::from_bytes(&off_curve),
        Err(EccsiError::InvalidPoint { what: "KPAK" })
    );
    let mut zero = |b: &mut [u8]| b.fill(0);
    assert_eq!(
        Ksak::generate(&mut zero).unwrap_err(),
        EccsiError::EntropyExhausted
    );
}

/// A point of RFC 6508 Appendix A from its two coordinates.
fn point(x: &str, y: &str) -> Vec<u8> {
    let mut p = vec![0x04];
    p.extend(value(RFC6508, x, 0));
    p.extend(value(RFC6508, y, 0));
    p
}

struct Sakke {
    kms: MasterSecret,
    z: KmsPublicKey,
    b: Identifier,
    ssv: [u8; 16],
}

fn rfc6508() -> Sakke {
    let kms = MasterSecret::from_bytes(&value(RFC6508, "z", 0)).unwrap();
    let z = kms.public_key();
    let mut ssv = [0u8; 16];
    ssv.copy_from_slice(&value(RFC6508, "SSV", 0));
    Sakke {
        kms,
        z,
        b: Identifier::new(&value(RFC6508, "b", 0)).unwrap(),
        ssv,
    }
}

#[test]
fn rfc6508_appendix_a_known_answers() {
    let s = rfc6508();
    assert_eq!(s.z.to_bytes().as_slice(), point("Zx", "Zy"));
    let rsk = s.kms.issue_rsk(&s.b).unwrap();
    assert_eq!(rsk.to_bytes().as_bytes(), point("Kbx", "Kby"));
    validate_rsk(&s.z, &s.b, &rsk).unwrap();

    let data = s.z.encapsulate(&s.b, &s.ssv).unwrap();
    let mut expected = point("Rbx", "Rby");
    expected.extend(value(RFC6508, "H", 0));
    assert_eq!(data.as_bytes().as_slice(), expected);
    assert_eq!(&data.as_bytes()[..POINT_LEN], point("TESTx", "TESTy"));

    // The receiver holds only Z and its RSK, as parsed from octets.
    let z = KmsPublicKey::from_bytes(&point("Zx", "Zy")).unwrap();
    let rsk = Rsk::from_bytes(&point("Kbx", "Kby")).unwrap();
    let receiver = Receiver::new(&z, s.b.clone(), &rsk).unwrap();
    let ssv = receiver.decapsulate(data.as_bytes()).unwrap();
    assert_eq!(ssv.as_bytes(), value(RFC6508, "SSV", 1));
}

#[test]
fn sakke_rejects_wrong_keys_and_tampered_data() {
    let s = rfc6508();
    let rsk = s.kms.issue_rsk(&s.b).unwrap();
    let data = s.z.encapsulate(&s.b, &s.ssv).unwrap();
    let receiver = Receiver::new(&s.z, s.b.clone(), &rsk).unwrap();

    // Wrong identity: the RSK does not validate for another identifier, and data sent to
    // another identifier does not decapsulate.
    let other = Identifier::new(b"2011-03\0tel:+447700900123\0").unwrap();
    assert_eq!(
        validate_rsk(&s.z, &other, &rsk),
        Err(SakkeError::RskValidation)
    );
    assert_eq!(
        Receiver::new(&s.z, other.clone(), &rsk).unwrap_err(),
        SakkeError::RskValidation
    );
    let to_other = s.z.encapsulate(&other, &s.ssv).unwrap();
    assert_eq!(
        receiver.decapsulate(to_other.as_bytes()),
        Err(SakkeError::Decapsulation)
    );

    // Bit flips: in H the re-encapsulation check fails; in R the point leaves the curve
    // (or, if it stays on it, the check fails).
    for bit in (0..ENCAPSULATED_LEN * 8).step_by(7) {
        let mut d = *data.as_bytes();
        d[bit / 8] ^= 1 << (bit % 8);
        let err = receiver.decapsulate(&d).unwrap_err();
        if bit / 8 >= POINT_LEN {
            assert_eq!(err, SakkeError::Decapsulation, "bit {bit}");
        } else {
            assert!(
                matches!(
                    err,
                    SakkeError::InvalidPoint { .. } | SakkeError::Decapsulation
                ),
                "bit {bit}: {err}"
            );
        }
    }
    assert!(matches!(
        receiver.decapsulate(&data.as_bytes()[1..]),
        Err(SakkeError::InvalidLength(_))
    ));

    // R replaced by another point of order q (P itself, here Z): rejected by the check.
    let mut swapped = *data.as_bytes();
    swapped[..POINT_LEN].copy_from_slice(&s.z.to_bytes());
    assert_eq!(
        receiver.decapsulate(&swapped),
        Err(SakkeError::Decapsulation)
    );

    // (0, 0) is on the curve but has order 2: not an RSK, not a KMS key.
    let mut two_torsion = [0u8; POINT_LEN];
    two_torsion[0] = 0x04;
    let t = Rsk::from_bytes(&two_torsion).unwrap();
    assert_eq!(
        validate_rsk(&s.z, &s.b, &t),
        Err(SakkeError::NotInSubgroup { what: "RSK" })
    );
    assert!(matches!(
        KmsPublicKey::from_bytes(&two_torsion),
        Err(SakkeError::NotInSubgroup { .. })
    ));
    // A valid point of order q that is not the RSK: Z.
    let wrong = Rsk::from_bytes(&s.z.to_bytes()).unwrap();
    assert_eq!(
        validate_rsk(&s.z, &s.b, &wrong),
        Err(SakkeError::RskValidation)
    );
    // An RSK of another KMS.
    let kms2 = MasterSecret::from_bytes(&[7; 20]).unwrap();
    let rsk2 = kms2.issue_rsk(&s.b).unwrap();
    assert_eq!(
        validate_rsk(&s.z, &s.b, &rsk2),
        Err(SakkeError::RskValidation)
    );

    // Malformed points and out-of-range values.
    let mut off = point("Kbx", "Kby");
    off[POINT_LEN - 1] ^= 1;
    assert!(matches!(
        Rsk::from_bytes(&off),
        Err(SakkeError::InvalidPoint { .. })
    ));
    let mut big = point("Zx", "Zy");
    big[1..129].fill(0xff);
    assert!(matches!(
        KmsPublicKey::from_bytes(&big),
        Err(SakkeError::InvalidPoint { .. })
    ));
    assert_eq!(
        Identifier::new(&[1]).unwrap_err(),
        SakkeError::InvalidIdentifier
    );
    assert_eq!(
        Identifier::new(&[0xff; 128]).unwrap_err(),
        SakkeError::InvalidIdentifier
    );
    assert_eq!(
        MasterSecret::from_bytes(&[0xff; 128]).unwrap_err(),
        SakkeError::InvalidMasterSecret
    );
}

/// `key = hex` and `* Key : hex` values of the Streamwide and ALEA vector files, in order.
fn fields(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let l = l.trim().trim_start_matches("* ");
            let (k, v) = l.split_once(" = ").or_else(|| l.split_once(": "))?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// One user's key set from a KMS.
struct User {
    uid: Vec<u8>,
    rsk: Vec<u8>,
    ssk: Vec<u8>,
    pvt: Vec<u8>,
}

/// Validates a user's RSK and SSK/PVT against the KMS keys, the identifier being the UID
/// octets (TS 33.180 F.2.1).
fn validate(
    z: &KmsPublicKey,
    kpak: &Kpak,
    u: &User,
) -> (Result<(), SakkeError>, Result<(), EccsiError>) {
    let b = Identifier::new(&u.uid).unwrap();
    let rsk = Rsk::from_bytes(&u.rsk).unwrap();
    let ssk = Ssk::from_bytes(&u.ssk).unwrap();
    let pvt = Pvt::from_bytes(&u.pvt).unwrap();
    (
        validate_rsk(z, &b, &rsk),
        SigningKey::new(kpak, &u.uid, &ssk, &pvt).map(|_| ()),
    )
}

/// Opens a real I_MESSAGE as its receiver would: verifies the sender's ECCSI signature,
/// which covers the message up to the signature field (RFC 6509 §4.3; RFC 3830 §5.2), and
/// decapsulates the SAKKE payload with the receiver's RSK; returns the SSV (the TGK).
fn open(file: &str, z: &KmsPublicKey, kpak: &Kpak, sender: &User, receiver: &User) -> Vec<u8> {
    let bytes = load(file);
    let m = Message::parse_with(&bytes, ParseOptions::LENIENT)
        .unwrap()
        .0;
    let mut sed = None;
    let mut sig = None;
    for p in &m.payloads {
        match p {
            Payload::Sakke(s) => sed = Some(s.data.to_vec()),
            Payload::Sign(s) => sig = Some(s.signature.to_vec()),
            _ => {}
        }
    }
    let (sed, sig) = (sed.unwrap(), sig.unwrap());
    let signed = &bytes[..bytes.len() - sig.len()];
    kpak.verify(&sender.uid, signed, &sig).unwrap();
    let b = Identifier::new(&receiver.uid).unwrap();
    let rx = Receiver::new(z, b, &Rsk::from_bytes(&receiver.rsk).unwrap()).unwrap();
    rx.decapsulate(&sed).unwrap().as_bytes().to_vec()
}

#[test]
fn streamwide_kms_material_validates_and_opens_its_messages() {
    let text =
        std::fs::read_to_string(common::path("streamwide-StreamwideTestVectors-v5.md")).unwrap();
    let f = fields(&text);
    let get = |k: &str, nth: usize| hex(&f.iter().filter(|(key, _)| key == k).nth(nth).unwrap().1);
    let z = KmsPublicKey::from_bytes(&get("PubEncKey", 0)).unwrap();
    let kpak = Kpak::from_bytes(&get("PubAuthKey", 0)).unwrap();
    // GMS, Alice, IWF, Bob, in the file's order.
    let users: Vec<User> = (0..4)
        .map(|i| User {
            uid: get("UserID", i),
            rsk: get("UserDecryptKey", i),
            ssk: get("UserSigningKeySSK", i),
            pvt: get("UserPubTokenPVT", i),
        })
        .collect();
    for (i, u) in users.iter().enumerate() {
        assert_eq!(u.uid.len(), 32);
        assert_eq!(validate(&z, &kpak, u), (Ok(()), Ok(())), "user {i}");
    }
    let (gms, alice, iwf, bob) = (&users[0], &users[1], &users[2], &users[3]);
    let gmk = open("sw-stw-ref-gmk-imessage.b64", &z, &kpak, gms, alice);
    assert_eq!(gmk, get("GMK", 0));
    let csk = open("sw-stw-ref-csk-imessage.b64", &z, &kpak, alice, gms);
    assert_eq!(csk, get("CSK", 0));
    let pck = open("sw-stw-ref-pck-imessage.b64", &z, &kpak, alice, bob);
    assert_eq!(pck, get("PCK", 0));
    let legacy = open(
        "sw-stw-ref-gmk-legacy-iwf-imessage.b64",
        &z,
        &kpak,
        gms,
        iwf,
    );
    assert_eq!(legacy, get("GMK", 1));
}

#[test]
fn alea_kms_material_validates_and_opens_its_messages() {
    let text = std::fs::read_to_string(common::path("sw-alea-v3-keymaterial.txt")).unwrap();
    let f = fields(&text);
    let get = |k: &str| hex(&f.iter().find(|(key, _)| key == k).unwrap().1);
    let z = KmsPublicKey::from_bytes(&get("init_z")).unwrap();
    let kpak = Kpak::from_bytes(&get("init_kpak")).unwrap();
    let user = |n: &str| User {
        uid: get(&format!("{n}_id")),
        rsk: get(&format!("{n}_decryptkey")),
        ssk: get(&format!("{n}_ssk")),
        pvt: get(&format!("{n}_pvt")),
    };
    for n in ["gms", "gms2", "alice"] {
        assert_eq!(validate(&z, &kpak, &user(n)), (Ok(()), Ok(())), "{n}");
    }
    // Bob's set is inconsistent in the source (its PVT is Alice's, and its PCK message
    // test is commented out there): neither his RSK nor his SSK validates for his UID.
    assert_eq!(
        validate(&z, &kpak, &user("bob")),
        (
            Err(SakkeError::RskValidation),
            Err(EccsiError::SskValidation)
        )
    );
    // GMS -> u1alea (Alice): the GMK the source asserts.
    let gmk = open(
        "sw-alea-v3-gmk-imessage.b64",
        &z,
        &kpak,
        &user("gms"),
        &user("alice"),
    );
    assert_eq!(gmk, get("gmk_expected"));
    // u1alea -> mcptt-participant (gms2): the CSK the source lists without asserting it.
    let csk = open(
        "sw-alea-v3-csk-imessage.b64",
        &z,
        &kpak,
        &user("alice"),
        &user("gms2"),
    );
    assert_eq!(csk, get("csk_expected"));
}
