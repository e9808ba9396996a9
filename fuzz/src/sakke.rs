//! The MIKEY-SAKKE harness (`fuzz_targets/sakke_open.rs`): the Streamwide KMS certificate
//! and the key material of its four users (GMS, Alice, IWF, Bob, from
//! `testvectors/streamwide-StreamwideTestVectors-v5.md`), loaded and validated once, and
//! the reference I_MESSAGEs addressed to them (the seeds), opened once.

use mikey::crypto::SecretBytes;
use mikey::mcx::imessage_open::{open, OpenOptions};
use mikey::mcx::kms::{KmsCertificate, KmsKeySet, UserId, UserIdForm};
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::KeyPeriod;

const MD: &str = include_str!("../../testvectors/streamwide-StreamwideTestVectors-v5.md");

/// The Streamwide reference messages with published keys.
pub const SEEDS: [&str; 4] = [
    "sw-stw-ref-gmk-imessage.b64",
    "sw-stw-ref-csk-imessage.b64",
    "sw-stw-ref-pck-imessage.b64",
    "sw-stw-ref-gmk-legacy-iwf-imessage.b64",
];

fn items() -> Vec<(String, String)> {
    MD.lines()
        .filter_map(|l| l.trim().strip_prefix("* "))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// The key material, the trusted KMS, and the signed part and key of every seed.
pub struct SakkeHarness {
    /// GMS, Alice, IWF, Bob.
    pub users: Vec<UserKeys>,
    /// The Streamwide KMS.
    pub trust: KmsTrust,
    /// (signed part, key) of each seed.
    pub opened: Vec<(Vec<u8>, Vec<u8>)>,
}

impl SakkeHarness {
    /// Loads everything (panics if the vectors do not load: a broken harness).
    pub fn new() -> Self {
        let it = items();
        let get = |from: usize, k: &str| {
            it[from..]
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .expect("field")
        };
        let cert = KmsCertificate {
            version: None,
            role: None,
            cert_uri: None,
            kms_uri: get(0, "KmsUri"),
            issuer: None,
            valid_from: None,
            valid_to: None,
            revoked: None,
            user_id_format: get(0, "UserIdFormat"),
            key_period: KeyPeriod {
                length: get(0, "UserKeyPeriod").parse().expect("period"),
                offset: get(0, "UserKeyOffset").parse().expect("offset"),
            },
            pub_enc_key: hex(&get(0, "PubEncKey")),
            pub_auth_key: hex(&get(0, "PubAuthKey")),
            parameter_set: Some(1),
            kms_domains: vec![],
        };
        let users = it
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| k == "UserUri")
            .map(|(i, (_, uri))| {
                let set = KmsKeySet {
                    version: None,
                    kms_uri: cert.kms_uri.clone(),
                    cert_uri: None,
                    issuer: None,
                    user_uri: uri.clone(),
                    user_id: UserId {
                        bytes: hex(&get(i, "UserID")),
                        form: UserIdForm::Raw,
                    },
                    valid_from: None,
                    valid_to: None,
                    key_period_no: get(i, "KeyPeriodNo").parse().expect("period no"),
                    revoked: None,
                    user_decrypt_key: SecretBytes::from(hex(&get(i, "UserDecryptKey"))),
                    user_signing_key: SecretBytes::from(hex(&get(i, "UserSigningKeySSK"))),
                    user_pub_token: hex(&get(i, "UserPubTokenPVT")),
                };
                UserKeys::load(&cert, &set).expect("Streamwide key material validates")
            })
            .collect::<Vec<_>>();
        let mut trust = KmsTrust::new();
        trust.add(cert).expect("Streamwide certificate");
        let messages = crate::vectors::messages();
        let opened = SEEDS
            .iter()
            .map(|name| {
                let bytes = &messages.iter().find(|(n, _)| n == name).expect("seed").1;
                let key = users
                    .iter()
                    .find_map(|u| open(bytes, u, &trust, &OpenOptions::any_time()).ok())
                    .expect("a seed opens");
                (
                    bytes[..bytes.len() - 129].to_vec(),
                    key.key.as_bytes().to_vec(),
                )
            })
            .collect();
        Self {
            users,
            trust,
            opened,
        }
    }

    /// Opens `data` as every user: no panic, and whatever opens is a seed's signed part
    /// (ECCSI signatures may differ: (r, q - s) verifies as (r, s) does) carrying that
    /// seed's key.
    pub fn run(&self, data: &[u8]) {
        for u in &self.users {
            if let Ok(o) = open(data, u, &self.trust, &OpenOptions::any_time()) {
                let signed = &data[..data.len() - 129];
                let (_, key) = self
                    .opened
                    .iter()
                    .find(|(s, _)| s == signed)
                    .expect("only a seed's signed part opens");
                assert_eq!(o.key.as_bytes(), &key[..]);
            }
        }
    }
}

impl Default for SakkeHarness {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_open_and_a_flipped_one_does_not() {
        let h = super::SakkeHarness::new();
        assert_eq!(h.opened.len(), 4);
        let messages = crate::vectors::messages();
        for name in super::SEEDS {
            let bytes = &messages.iter().find(|(n, _)| n == name).unwrap().1;
            h.run(bytes);
            let mut t = bytes.clone();
            t[20] ^= 1;
            h.run(&t);
        }
    }
}
