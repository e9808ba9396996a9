//! Typed values out of the element tree of a `KmsResponse`.

use super::dom::Element;
use super::{
    KmsCertificate, KmsError, KmsErrorInfo, KmsInit, KmsKeyProv, KmsKeySet, KmsMessage,
    KmsResponse, Reason, UserId, UserIdForm, KEY_CONTENT_TYPE, NS, XSI,
};
use crate::crypto::SecretBytes;
use crate::mcx::quirks::{McxQuirk, McxQuirks};
use crate::mcx::uid::KeyPeriod;

/// Length of a parameter-set-1 point of E(F_p) with its prefix (SAKKE Z, RSK).
pub const SAKKE_POINT_LEN: usize = 257;
/// Length of a P-256 point with its prefix (ECCSI KPAK, PVT).
pub const ECCSI_POINT_LEN: usize = 65;
/// Length of an ECCSI SSK.
pub const SSK_LEN: usize = 32;

fn one<'e>(p: &'e Element, name: &'e str) -> Result<Option<&'e Element>, KmsError> {
    let mut it = p.all(NS, name);
    let first = it.next();
    if it.next().is_some() {
        return Err(KmsError::new(name, Reason::Repeated));
    }
    Ok(first)
}

fn req<'e>(p: &'e Element, name: &'e str) -> Result<&'e Element, KmsError> {
    one(p, name)?.ok_or_else(|| KmsError::new(name, Reason::Missing))
}

fn text(p: &Element, name: &str) -> Result<String, KmsError> {
    Ok(req(p, name)?.text.trim().to_string())
}

fn opt_text(p: &Element, name: &str) -> Result<Option<String>, KmsError> {
    Ok(one(p, name)?.map(|e| e.text.trim().to_string()))
}

fn uint(e: &Element) -> Result<u64, KmsError> {
    e.text
        .trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|_| KmsError::new(&e.name, Reason::NotInteger))
}

fn boolean(e: &Element) -> Result<bool, KmsError> {
    match e.text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(KmsError::new(&e.name, Reason::NotBoolean)),
    }
}

fn opt_bool(p: &Element, name: &str) -> Result<Option<bool>, KmsError> {
    one(p, name)?.map(boolean).transpose()
}

fn hexbin(e: &Element) -> Result<Vec<u8>, KmsError> {
    hex::decode(e.text.trim()).map_err(|_| KmsError::new(&e.name, Reason::NotHex))
}

fn point(e: &Element, len: usize) -> Result<Vec<u8>, KmsError> {
    sized(&e.name, hexbin(e)?, len, true)
}

/// A key element (`abstractKeyContentType`): checks `xsi:type`, returns the octets.
fn key(p: &Element, name: &str, quirks: &mut McxQuirks) -> Result<Vec<u8>, KmsError> {
    let e = req(p, name)?;
    match e.attr(Some(XSI), "type") {
        None => quirks.insert(McxQuirk::KmsKeyWithoutXsiType),
        Some(t) if t.rsplit(':').next() == Some(KEY_CONTENT_TYPE) => {}
        Some(_) => return Err(KmsError::new(name, Reason::EncryptedKey)),
    }
    hexbin(e)
}

fn sized(name: &str, v: Vec<u8>, len: usize, is_point: bool) -> Result<Vec<u8>, KmsError> {
    let ok = v.len() == len && (!is_point || v.first() == Some(&0x04));
    if !ok {
        let reason = if is_point {
            Reason::BadPoint { expected: len }
        } else {
            Reason::BadLength { expected: len }
        };
        return Err(KmsError::new(name, reason));
    }
    Ok(v)
}

fn user_id(e: &Element, quirks: &mut McxQuirks) -> Result<UserId, KmsError> {
    let bytes = hexbin(e)?;
    let hex_text = bytes.len() == 64
        && bytes
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    let form = if hex_text {
        quirks.insert(McxQuirk::KmsUserIdHexText);
        UserIdForm::HexText
    } else {
        UserIdForm::Raw
    };
    Ok(UserId { bytes, form })
}

fn certificate(e: &Element) -> Result<KmsCertificate, KmsError> {
    let domains = match one(e, "KmsDomainList")? {
        Some(l) => l
            .all(NS, "KmsDomain")
            .map(|d| d.text.trim().to_string())
            .collect(),
        None => Vec::new(),
    };
    Ok(KmsCertificate {
        version: e.attr(None, "Version").map(str::to_string),
        role: e.attr(None, "Role").map(str::to_string),
        cert_uri: opt_text(e, "CertUri")?,
        kms_uri: text(e, "KmsUri")?,
        issuer: opt_text(e, "Issuer")?,
        valid_from: opt_text(e, "ValidFrom")?,
        valid_to: opt_text(e, "ValidTo")?,
        revoked: opt_bool(e, "Revoked")?,
        user_id_format: text(e, "UserIdFormat")?,
        key_period: KeyPeriod {
            length: uint(req(e, "UserKeyPeriod")?)?,
            offset: uint(req(e, "UserKeyOffset")?)?,
        },
        pub_enc_key: point(req(e, "PubEncKey")?, SAKKE_POINT_LEN)?,
        pub_auth_key: point(req(e, "PubAuthKey")?, ECCSI_POINT_LEN)?,
        parameter_set: one(e, "ParameterSet")?.map(uint).transpose()?,
        kms_domains: domains,
    })
}

fn key_set(e: &Element, quirks: &mut McxQuirks) -> Result<KmsKeySet, KmsError> {
    let rsk = key(e, "UserDecryptKey", quirks)?;
    let ssk = key(e, "UserSigningKeySSK", quirks)?;
    let pvt = key(e, "UserPubTokenPVT", quirks)?;
    Ok(KmsKeySet {
        version: e.attr(None, "Version").map(str::to_string),
        kms_uri: text(e, "KmsUri")?,
        cert_uri: opt_text(e, "CertUri")?,
        issuer: opt_text(e, "Issuer")?,
        user_uri: text(e, "UserUri")?,
        user_id: user_id(req(e, "UserID")?, quirks)?,
        valid_from: opt_text(e, "ValidFrom")?,
        valid_to: opt_text(e, "ValidTo")?,
        key_period_no: uint(req(e, "KeyPeriodNo")?)?,
        revoked: opt_bool(e, "Revoked")?,
        user_decrypt_key: SecretBytes::from(sized("UserDecryptKey", rsk, SAKKE_POINT_LEN, true)?),
        user_signing_key: SecretBytes::from(sized("UserSigningKeySSK", ssk, SSK_LEN, false)?),
        user_pub_token: sized("UserPubTokenPVT", pvt, ECCSI_POINT_LEN, true)?,
    })
}

fn message(e: &Element, quirks: &mut McxQuirks) -> Result<Option<KmsMessage>, KmsError> {
    let attrs = |m: &Element| {
        (
            m.attr(None, "Version").map(str::to_string),
            m.attr(Some(XSI), "type").map(str::to_string),
        )
    };
    if let Some(init) = one(e, "KmsInit")? {
        let (version, xsi_type) = attrs(init);
        if one(init, "SignedKmsCertificate")?.is_some() {
            return Err(KmsError::new("SignedKmsCertificate", Reason::EncryptedKey));
        }
        return Ok(Some(KmsMessage::Init(Box::new(KmsInit {
            version,
            xsi_type,
            certificate: certificate(req(init, "KmsCertificate")?)?,
        }))));
    }
    if let Some(prov) = one(e, "KmsKeyProv")? {
        let (version, xsi_type) = attrs(prov);
        let key_sets = prov
            .all(NS, "KmsKeySet")
            .map(|k| key_set(k, quirks))
            .collect::<Result<_, _>>()?;
        return Ok(Some(KmsMessage::KeyProv(KmsKeyProv {
            version,
            xsi_type,
            key_sets,
        })));
    }
    Ok(None)
}

/// The `KmsResponse` at `root`.
pub fn response(root: &Element) -> Result<KmsResponse, KmsError> {
    if root.ns.as_deref() != Some(NS) || root.name != "KmsResponse" {
        return Err(KmsError::new(&root.name, Reason::NotKmsResponse));
    }
    let mut quirks = McxQuirks::default();
    let message = match one(root, "KmsMessage")? {
        Some(m) => message(m, &mut quirks)?,
        None => None,
    };
    let error = match one(root, "KmsError")? {
        Some(e) => Some(KmsErrorInfo {
            code: uint(req(e, "ErrorCode")?)?,
            message: text(e, "ErrorMsg")?,
        }),
        None => None,
    };
    Ok(KmsResponse {
        id: root.attr(None, "Id").map(str::to_string),
        user_uri: text(root, "UserUri")?,
        kms_uri: text(root, "KmsUri")?,
        time: text(root, "Time")?,
        kms_id: opt_text(root, "KmsId")?,
        client_req_url: text(root, "ClientReqUrl")?,
        message,
        error,
        quirks,
    })
}
