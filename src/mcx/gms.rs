//! A group management server (GMS, TS 33.180 5.7 and 7.3.1) keying a group with a GMK: one
//! I_MESSAGE per member (E.2), each encapsulating the GMK to that member's UID under its
//! own KMS (members of several KMSs are keyed with the keys of the trusted set), signed by
//! the GMS. A joining member gets the current GMK; when a member leaves, a new GMK (new
//! GMK-ID and RAND) goes to the remaining members, so the one that left cannot read what
//! follows. Every message of one GMK carries the same RAND (the GMK-RAND of the Streamwide
//! vectors), so the members derive the same media keys (TS 33.180 7.4.2, see
//! [`media`](super::media)).
//!
//! ```
//! # use mikey::mcx::kms_server::Kms;
//! # use mikey::mcx::user_keys::{KmsTrust, UserKeys};
//! # use mikey::mcx::KeyPeriod;
//! use mikey::mcx::gms::{GroupManagementServer, Member};
//! # let mut rng = mikey::crypto::OsEntropy;
//! # let period = KeyPeriod { length: 2_592_000, offset: 0 };
//! # let kms = Kms::generate("kms.example.org", period, &mut rng).unwrap();
//! # let mut trust = KmsTrust::new();
//! # trust.add(kms.certificate()).unwrap();
//! # let keys = UserKeys::load(&kms.certificate(), &kms.provision("sip:gms@example.org", 7, &mut rng).unwrap()).unwrap();
//! let now = std::time::Duration::from_secs(1_764_892_800);
//! let mut gms = GroupManagementServer::new(keys, trust, &mut rng).unwrap();
//! let bob = Member { uri: "sip:bob@example.org".into(), kms_uri: "kms.example.org".into(), period_no: 7 };
//! let to_bob = gms.join(bob, now, &mut rng).unwrap();
//! assert_eq!(to_bob.member_uri, "sip:bob@example.org");
//! let after = gms.leave("sip:bob@example.org", now, &mut rng).unwrap();
//! assert!(after.is_empty()); // nobody left to key
//! ```

use super::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
use super::key_id::PurposeTag;
use super::key_params::{KeyParameters, PlaintextForm};
use super::sakke_error::MikeySakkeError;
use super::user_keys::{KmsTrust, UserKeys};
use crate::crypto::Entropy;
use std::collections::BTreeMap;
use std::time::Duration;

/// A member of the group: URI, KMS and key period number (which give its UID).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's URI.
    pub uri: String,
    /// The member's KMS URI (must be trusted by the GMS).
    pub kms_uri: String,
    /// The member's key period number.
    pub period_no: u64,
}

/// One I_MESSAGE for one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyingMessage {
    /// The member it is for.
    pub member_uri: String,
    /// The I_MESSAGE.
    pub bytes: Vec<u8>,
}

/// A GMS: its key material, the KMSs it trusts, the members, the current GMK and RAND.
#[derive(Debug)]
pub struct GroupManagementServer {
    keys: UserKeys,
    trust: KmsTrust,
    members: BTreeMap<String, Member>,
    gmk: DistributedKey,
    rand: [u8; 16],
}

impl GroupManagementServer {
    /// A GMS signing with `keys`, keying members of the KMSs in `trust`, with a fresh GMK.
    ///
    /// # Errors
    /// When no GMK can be drawn.
    pub fn new(
        keys: UserKeys,
        trust: KmsTrust,
        entropy: &mut dyn Entropy,
    ) -> Result<Self, MikeySakkeError> {
        let (gmk, rand) = fresh(entropy)?;
        Ok(Self {
            keys,
            trust,
            members: BTreeMap::new(),
            gmk,
            rand,
        })
    }

    /// The current GMK.
    pub fn gmk(&self) -> &DistributedKey {
        &self.gmk
    }

    /// The RAND of the current GMK's messages.
    pub fn rand(&self) -> &[u8; 16] {
        &self.rand
    }

    /// The members, by URI.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    /// The I_MESSAGE carrying the current GMK to `m`, with the key parameters (type 7:
    /// a GMK, status 1, no activation or expiry time, E.6).
    fn message_for(
        &self,
        m: &Member,
        now: Duration,
        entropy: &mut dyn Entropy,
    ) -> Result<KeyingMessage, MikeySakkeError> {
        let to = Recipient {
            uri: m.uri.clone(),
            kms: self.trust.get(&m.kms_uri)?,
            period_no: m.period_no,
        };
        let mut opts = MakeOptions::new(now, self.rand);
        let kp = KeyParameters::new(PurposeTag::Gmk, 1, 0, 0);
        opts.key_params = Some((kp, PlaintextForm::STANDARD));
        Ok(KeyingMessage {
            member_uri: m.uri.clone(),
            bytes: make(&self.keys, &to, &self.gmk, &opts, entropy)?,
        })
    }

    /// One I_MESSAGE with the current GMK for every member.
    ///
    /// # Errors
    /// As [`make`].
    pub fn key_all(
        &self,
        now: Duration,
        entropy: &mut dyn Entropy,
    ) -> Result<Vec<KeyingMessage>, MikeySakkeError> {
        self.members
            .values()
            .map(|m| self.message_for(m, now, entropy))
            .collect()
    }

    /// Adds `m` (replacing a member of the same URI) and gives it the current GMK.
    ///
    /// # Errors
    /// [`MikeySakkeError::UntrustedKms`] when its KMS is not trusted (nothing changes).
    pub fn join(
        &mut self,
        m: Member,
        now: Duration,
        entropy: &mut dyn Entropy,
    ) -> Result<KeyingMessage, MikeySakkeError> {
        let msg = self.message_for(&m, now, entropy)?;
        self.members.insert(m.uri.clone(), m);
        Ok(msg)
    }

    /// Removes the member `uri` and, when it was one, keys the remaining members with a
    /// new GMK and RAND.
    ///
    /// # Errors
    /// As [`make`]; [`MikeySakkeError::KeyMaterial`] when `uri` is not a member.
    pub fn leave(
        &mut self,
        uri: &str,
        now: Duration,
        entropy: &mut dyn Entropy,
    ) -> Result<Vec<KeyingMessage>, MikeySakkeError> {
        if self.members.remove(uri).is_none() {
            return Err(MikeySakkeError::KeyMaterial {
                what: "member",
                reason: "not in the group",
            });
        }
        self.rekey(now, entropy)
    }

    /// A new GMK and RAND, sent to every member.
    ///
    /// # Errors
    /// As [`make`].
    pub fn rekey(
        &mut self,
        now: Duration,
        entropy: &mut dyn Entropy,
    ) -> Result<Vec<KeyingMessage>, MikeySakkeError> {
        (self.gmk, self.rand) = fresh(entropy)?;
        self.key_all(now, entropy)
    }
}

fn fresh(entropy: &mut dyn Entropy) -> Result<(DistributedKey, [u8; 16]), MikeySakkeError> {
    let gmk = DistributedKey::generate(PurposeTag::Gmk, entropy)?;
    let mut rand = [0u8; 16];
    entropy.fill(&mut rand);
    Ok((gmk, rand))
}
