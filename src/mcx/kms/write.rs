//! Writing a `KmsResponse` document with quick-xml's writer, elements in schema order.

use super::{
    KmsCertificate, KmsError, KmsKeySet, KmsMessage, KmsResponse, Reason, KEY_CONTENT_TYPE, NS, XSI,
};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;

type W = Writer<Vec<u8>>;

fn leaf(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn opt(w: &mut W, name: &str, value: &Option<String>) -> io::Result<()> {
    match value {
        Some(v) => leaf(w, name, v),
        None => Ok(()),
    }
}

fn opt_bool(w: &mut W, name: &str, value: Option<bool>) -> io::Result<()> {
    match value {
        Some(v) => leaf(w, name, if v { "true" } else { "false" }),
        None => Ok(()),
    }
}

fn key(w: &mut W, name: &str, value: &[u8]) -> io::Result<()> {
    let text = zeroize::Zeroizing::new(hex::encode_upper(value));
    w.create_element(name)
        .with_attribute(("xsi:type", KEY_CONTENT_TYPE))
        .write_text_content(BytesText::new(&text))?;
    Ok(())
}

fn attrs<'a>(version: &'a Option<String>, xsi_type: &'a Option<String>) -> Vec<(&'a str, &'a str)> {
    let mut a = Vec::new();
    if let Some(v) = version {
        a.push(("Version", v.as_str()));
    }
    if let Some(t) = xsi_type {
        a.push(("xsi:type", t.as_str()));
    }
    a
}

fn certificate(w: &mut W, c: &KmsCertificate) -> io::Result<()> {
    let mut a = attrs(&c.version, &None);
    if let Some(r) = &c.role {
        a.push(("Role", r.as_str()));
    }
    w.create_element("KmsCertificate")
        .with_attributes(a)
        .write_inner_content(|w| {
            opt(w, "CertUri", &c.cert_uri)?;
            leaf(w, "KmsUri", &c.kms_uri)?;
            opt(w, "Issuer", &c.issuer)?;
            opt(w, "ValidFrom", &c.valid_from)?;
            opt(w, "ValidTo", &c.valid_to)?;
            opt_bool(w, "Revoked", c.revoked)?;
            leaf(w, "UserIdFormat", &c.user_id_format)?;
            leaf(w, "UserKeyPeriod", &c.key_period.length.to_string())?;
            leaf(w, "UserKeyOffset", &c.key_period.offset.to_string())?;
            leaf(w, "PubEncKey", &hex::encode_upper(&c.pub_enc_key))?;
            leaf(w, "PubAuthKey", &hex::encode_upper(&c.pub_auth_key))?;
            opt(w, "ParameterSet", &c.parameter_set.map(|p| p.to_string()))?;
            if !c.kms_domains.is_empty() {
                w.create_element("KmsDomainList").write_inner_content(|w| {
                    c.kms_domains
                        .iter()
                        .try_for_each(|d| leaf(w, "KmsDomain", d))
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn key_set(w: &mut W, k: &KmsKeySet) -> io::Result<()> {
    // Both forms are written as they were read: the octets, in hexBinary.
    let user_id = hex::encode(&k.user_id.bytes);
    w.create_element("KmsKeySet")
        .with_attributes(attrs(&k.version, &None))
        .write_inner_content(|w| {
            leaf(w, "KmsUri", &k.kms_uri)?;
            opt(w, "CertUri", &k.cert_uri)?;
            opt(w, "Issuer", &k.issuer)?;
            leaf(w, "UserUri", &k.user_uri)?;
            leaf(w, "UserID", &user_id)?;
            opt(w, "ValidFrom", &k.valid_from)?;
            opt(w, "ValidTo", &k.valid_to)?;
            leaf(w, "KeyPeriodNo", &k.key_period_no.to_string())?;
            opt_bool(w, "Revoked", k.revoked)?;
            key(w, "UserDecryptKey", k.user_decrypt_key.as_bytes())?;
            key(w, "UserSigningKeySSK", k.user_signing_key.as_bytes())?;
            key(w, "UserPubTokenPVT", &k.user_pub_token)
        })?;
    Ok(())
}

fn message(w: &mut W, m: &KmsMessage) -> io::Result<()> {
    w.create_element("KmsMessage").write_inner_content(|w| {
        match m {
            KmsMessage::Init(i) => {
                w.create_element("KmsInit")
                    .with_attributes(attrs(&i.version, &i.xsi_type))
                    .write_inner_content(|w| certificate(w, &i.certificate))?;
            }
            KmsMessage::KeyProv(p) => {
                w.create_element("KmsKeyProv")
                    .with_attributes(attrs(&p.version, &p.xsi_type))
                    .write_inner_content(|w| p.key_sets.iter().try_for_each(|k| key_set(w, k)))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn body(w: &mut W, r: &KmsResponse) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut a = vec![("xmlns", NS), ("xmlns:xsi", XSI)];
    if let Some(id) = &r.id {
        a.push(("Id", id.as_str()));
    }
    w.create_element("KmsResponse")
        .with_attributes(a)
        .write_inner_content(|w| {
            leaf(w, "UserUri", &r.user_uri)?;
            leaf(w, "KmsUri", &r.kms_uri)?;
            leaf(w, "Time", &r.time)?;
            opt(w, "KmsId", &r.kms_id)?;
            leaf(w, "ClientReqUrl", &r.client_req_url)?;
            if let Some(m) = &r.message {
                message(w, m)?;
            }
            if let Some(e) = &r.error {
                w.create_element("KmsError").write_inner_content(|w| {
                    leaf(w, "ErrorCode", &e.code.to_string())?;
                    leaf(w, "ErrorMsg", &e.message)
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The document for `r`.
pub fn response(r: &KmsResponse) -> Result<String, KmsError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    body(&mut w, r).map_err(|e| KmsError::new("KmsResponse", Reason::Xml(e.to_string())))?;
    String::from_utf8(w.into_inner())
        .map_err(|e| KmsError::new("KmsResponse", Reason::Xml(e.to_string())))
}
