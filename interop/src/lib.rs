//! Minimal safe wrapper around the system libsrtp2 (2.x API, see
//! `/usr/include/srtp2/srtp.h`), used to test `mikey::srtp` against a real
//! peer.  Only the handful of functions the tests need are declared.
#![warn(missing_docs)]

use std::ffi::{c_int, c_uint, c_ulong, c_void};
use std::ptr;
use std::sync::Once;

#[allow(non_camel_case_types)]
mod ffi {
    use super::*;

    pub type srtp_err_status_t = c_int;
    pub type srtp_t = *mut c_void;

    /// `srtp_crypto_policy_t` (srtp.h).
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct srtp_crypto_policy_t {
        pub cipher_type: u32,
        pub cipher_key_len: c_int,
        pub auth_type: u32,
        pub auth_key_len: c_int,
        pub auth_tag_len: c_int,
        pub sec_serv: c_int,
    }

    /// `srtp_ssrc_t` (srtp.h).
    #[repr(C)]
    pub struct srtp_ssrc_t {
        pub type_: c_int,
        pub value: c_uint,
    }

    /// `srtp_master_key_t` (srtp.h).
    #[repr(C)]
    pub struct srtp_master_key_t {
        pub key: *mut u8,
        pub mki_id: *mut u8,
        pub mki_size: c_uint,
    }

    /// `srtp_policy_t` (srtp.h, libsrtp 2.x layout).
    #[repr(C)]
    pub struct srtp_policy_t {
        pub ssrc: srtp_ssrc_t,
        pub rtp: srtp_crypto_policy_t,
        pub rtcp: srtp_crypto_policy_t,
        pub key: *mut u8,
        pub keys: *mut *mut srtp_master_key_t,
        pub num_master_keys: c_ulong,
        pub deprecated_ekt: *mut c_void,
        pub window_size: c_ulong,
        pub allow_repeat_tx: c_int,
        pub enc_xtn_hdr: *mut c_int,
        pub enc_xtn_hdr_count: c_int,
        pub next: *mut srtp_policy_t,
    }

    pub const SSRC_SPECIFIC: c_int = 1;

    #[link(name = "srtp2")]
    extern "C" {
        pub fn srtp_init() -> srtp_err_status_t;
        pub fn srtp_create(session: *mut srtp_t, policy: *const srtp_policy_t)
            -> srtp_err_status_t;
        pub fn srtp_dealloc(session: srtp_t) -> srtp_err_status_t;
        pub fn srtp_protect_mki(
            ctx: srtp_t,
            rtp_hdr: *mut c_void,
            len: *mut c_int,
            use_mki: c_uint,
            mki_index: c_uint,
        ) -> srtp_err_status_t;
        pub fn srtp_unprotect_mki(
            ctx: srtp_t,
            srtp_hdr: *mut c_void,
            len: *mut c_int,
            use_mki: c_uint,
        ) -> srtp_err_status_t;
        pub fn srtp_protect_rtcp_mki(
            ctx: srtp_t,
            rtcp_hdr: *mut c_void,
            len: *mut c_int,
            use_mki: c_uint,
            mki_index: c_uint,
        ) -> srtp_err_status_t;
        pub fn srtp_unprotect_rtcp_mki(
            ctx: srtp_t,
            srtcp_hdr: *mut c_void,
            len: *mut c_int,
            use_mki: c_uint,
        ) -> srtp_err_status_t;
        pub fn srtp_set_stream_roc(session: srtp_t, ssrc: u32, roc: u32) -> srtp_err_status_t;

        pub fn srtp_crypto_policy_set_rtp_default(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_rtcp_default(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_gcm_128_16_auth(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_gcm_256_16_auth(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(p: *mut srtp_crypto_policy_t);
        pub fn srtp_crypto_policy_set_null_cipher_hmac_sha1_80(p: *mut srtp_crypto_policy_t);
    }
}

/// A libsrtp2 profile exercised by the interop tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `AES_CM_128_HMAC_SHA1_80` (`srtp_crypto_policy_set_rtp_default`).
    AesCm128HmacSha1_80,
    /// `AES_CM_128_HMAC_SHA1_32` (SRTCP keeps the 80-bit tag).
    AesCm128HmacSha1_32,
    /// `AES_256_CM_HMAC_SHA1_80`.
    AesCm256HmacSha1_80,
    /// `AEAD_AES_128_GCM` with a 16-octet tag.
    AeadAes128Gcm,
}

/// The crypto policy a `srtp_crypto_policy_set_*` setter writes, by the name after that
/// prefix (as `mikey::srtp::handoff::libsrtp::LibsrtpPolicy` gives it).
fn crypto_policy(setter: &str) -> Option<ffi::srtp_crypto_policy_t> {
    let mut p = ffi::srtp_crypto_policy_t {
        cipher_type: 0,
        cipher_key_len: 0,
        auth_type: 0,
        auth_key_len: 0,
        auth_tag_len: 0,
        sec_serv: 0,
    };
    let f: unsafe extern "C" fn(*mut ffi::srtp_crypto_policy_t) = match setter {
        "aes_cm_128_hmac_sha1_80" => ffi::srtp_crypto_policy_set_rtp_default,
        "aes_cm_128_hmac_sha1_32" => ffi::srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
        "aes_cm_192_hmac_sha1_80" => ffi::srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80,
        "aes_cm_192_hmac_sha1_32" => ffi::srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32,
        "aes_cm_256_hmac_sha1_80" => ffi::srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
        "aes_cm_256_hmac_sha1_32" => ffi::srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
        "null_cipher_hmac_sha1_80" => ffi::srtp_crypto_policy_set_null_cipher_hmac_sha1_80,
        "aes_gcm_128_16_auth" => ffi::srtp_crypto_policy_set_aes_gcm_128_16_auth,
        "aes_gcm_256_16_auth" => ffi::srtp_crypto_policy_set_aes_gcm_256_16_auth,
        _ => return None,
    };
    // SAFETY: the setter only writes into the given, valid struct.
    unsafe { f(&mut p) };
    Some(p)
}

/// Error code returned by libsrtp2 (`srtp_err_status_t`, nonzero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SrtpStatus(pub i32);

fn check(status: c_int) -> Result<(), SrtpStatus> {
    if status == 0 {
        Ok(())
    } else {
        Err(SrtpStatus(status))
    }
}

static INIT: Once = Once::new();

/// A libsrtp2 session with one stream (one specific SSRC, one master key).
pub struct LibSrtp {
    session: ffi::srtp_t,
    use_mki: bool,
}

// SAFETY: a libsrtp session is a plain heap object without thread affinity;
// `LibSrtp` hands out no aliases and all calls take `&mut self`.
unsafe impl Send for LibSrtp {}

/// Room libsrtp may write after the packet (SRTP_MAX_TRAILER_LEN + margin).
const TRAILER: usize = 16 + 128 + 32;

impl LibSrtp {
    /// A session keyed from the fields of a hand-off policy
    /// (`mikey::srtp::handoff::libsrtp::LibsrtpPolicy`): the named setters, the RTP tag
    /// length, key || salt, MKI, SSRC, then `srtp_set_stream_roc`.
    pub fn from_policy(
        p: &mikey::srtp::handoff::libsrtp::LibsrtpPolicy,
    ) -> Result<Self, SrtpStatus> {
        let mut rtp = crypto_policy(p.rtp_setter).ok_or(SrtpStatus(-2))?;
        let rtcp = crypto_policy(p.rtcp_setter).ok_or(SrtpStatus(-2))?;
        rtp.auth_tag_len = c_int::try_from(p.rtp_auth_tag_len).map_err(|_| SrtpStatus(-2))?;
        let mut s = Self::with_policies(
            rtp,
            rtcp,
            p.ssrc,
            p.key.as_bytes(),
            p.mki.as_deref().unwrap_or_default(),
        )?;
        s.set_roc(p.ssrc, p.roc)?;
        Ok(s)
    }

    /// Creates a session for `ssrc` with `key || salt` as master key material
    /// and an optional MKI (via `srtp_policy_t.keys`, one master key).
    pub fn new(
        profile: Profile,
        ssrc: u32,
        key: &[u8],
        salt: &[u8],
        mki: &[u8],
    ) -> Result<Self, SrtpStatus> {
        let zero = ffi::srtp_crypto_policy_t {
            cipher_type: 0,
            cipher_key_len: 0,
            auth_type: 0,
            auth_key_len: 0,
            auth_tag_len: 0,
            sec_serv: 0,
        };
        let (mut rtp, mut rtcp) = (zero, zero);
        // SAFETY: the setters only write into the given, valid structs.
        unsafe {
            match profile {
                Profile::AesCm128HmacSha1_80 => {
                    ffi::srtp_crypto_policy_set_rtp_default(&mut rtp);
                    ffi::srtp_crypto_policy_set_rtcp_default(&mut rtcp);
                }
                Profile::AesCm128HmacSha1_32 => {
                    ffi::srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&mut rtp);
                    ffi::srtp_crypto_policy_set_rtcp_default(&mut rtcp);
                }
                Profile::AesCm256HmacSha1_80 => {
                    ffi::srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&mut rtp);
                    ffi::srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&mut rtcp);
                }
                Profile::AeadAes128Gcm => {
                    ffi::srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut rtp);
                    ffi::srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut rtcp);
                }
            }
        }
        let key_material: Vec<u8> = key.iter().chain(salt).copied().collect();
        Self::with_policies(rtp, rtcp, ssrc, &key_material, mki)
    }

    fn with_policies(
        rtp: ffi::srtp_crypto_policy_t,
        rtcp: ffi::srtp_crypto_policy_t,
        ssrc: u32,
        key_and_salt: &[u8],
        mki: &[u8],
    ) -> Result<Self, SrtpStatus> {
        // SAFETY: srtp_init has no preconditions; Once serialises it. Another user of
        // libsrtp2 in the process (GStreamer's srtp plugin) may have initialised it
        // already: srtp_init then answers srtp_err_status_bad_param (2), and the library
        // is ready all the same.
        INIT.call_once(|| unsafe {
            let status = ffi::srtp_init();
            assert!(status == 0 || status == 2, "srtp_init: {status}");
        });
        let mut key_material = key_and_salt.to_vec();
        // libsrtp may read up to the maximal key+salt length for the cipher.
        key_material.resize(64, 0);
        let mut mki_buf = mki.to_vec();
        let mut master = ffi::srtp_master_key_t {
            key: key_material.as_mut_ptr(),
            mki_id: mki_buf.as_mut_ptr(),
            mki_size: mki_buf.len() as c_uint,
        };
        let mut master_ptr: *mut ffi::srtp_master_key_t = &mut master;
        let use_mki = !mki.is_empty();
        let policy = ffi::srtp_policy_t {
            ssrc: ffi::srtp_ssrc_t {
                type_: ffi::SSRC_SPECIFIC,
                value: ssrc,
            },
            rtp,
            rtcp,
            key: if use_mki {
                ptr::null_mut()
            } else {
                key_material.as_mut_ptr()
            },
            keys: if use_mki {
                &mut master_ptr
            } else {
                ptr::null_mut()
            },
            num_master_keys: if use_mki { 1 } else { 0 },
            deprecated_ekt: ptr::null_mut(),
            window_size: 128,
            allow_repeat_tx: 0,
            enc_xtn_hdr: ptr::null_mut(),
            enc_xtn_hdr_count: 0,
            next: ptr::null_mut(),
        };
        let mut session: ffi::srtp_t = ptr::null_mut();
        // SAFETY: `policy` and every buffer it points to outlive the call;
        // libsrtp copies the key material and MKI during srtp_create.
        check(unsafe { ffi::srtp_create(&mut session, &policy) })?;
        Ok(LibSrtp { session, use_mki })
    }

    /// `srtp_set_stream_roc`.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), SrtpStatus> {
        // SAFETY: `self.session` is a live session created by srtp_create.
        check(unsafe { ffi::srtp_set_stream_roc(self.session, ssrc, roc) })
    }

    fn run(
        &mut self,
        packet: &[u8],
        f: impl FnOnce(ffi::srtp_t, *mut c_void, *mut c_int, c_uint) -> c_int,
    ) -> Result<Vec<u8>, SrtpStatus> {
        let mut buf = packet.to_vec();
        buf.resize(packet.len() + TRAILER, 0);
        let mut len = c_int::try_from(packet.len()).map_err(|_| SrtpStatus(-1))?;
        check(f(
            self.session,
            buf.as_mut_ptr().cast(),
            &mut len,
            c_uint::from(self.use_mki),
        ))?;
        let len = usize::try_from(len).map_err(|_| SrtpStatus(-1))?;
        buf.truncate(len.min(packet.len() + TRAILER));
        Ok(buf)
    }

    /// `srtp_protect_mki` (MKI index 0 when an MKI is configured).
    pub fn protect(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpStatus> {
        // SAFETY: `run` passes a buffer with TRAILER spare bytes, as libsrtp requires.
        self.run(packet, |s, p, l, m| unsafe {
            ffi::srtp_protect_mki(s, p, l, m, 0)
        })
    }

    /// `srtp_unprotect_mki`.
    pub fn unprotect(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpStatus> {
        // SAFETY: as in `protect`; unprotect only shrinks the packet.
        self.run(packet, |s, p, l, m| unsafe {
            ffi::srtp_unprotect_mki(s, p, l, m)
        })
    }

    /// `srtp_protect_rtcp_mki`.
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpStatus> {
        // SAFETY: as in `protect`.
        self.run(packet, |s, p, l, m| unsafe {
            ffi::srtp_protect_rtcp_mki(s, p, l, m, 0)
        })
    }

    /// `srtp_unprotect_rtcp_mki`.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpStatus> {
        // SAFETY: as in `protect`.
        self.run(packet, |s, p, l, m| unsafe {
            ffi::srtp_unprotect_rtcp_mki(s, p, l, m)
        })
    }
}

impl Drop for LibSrtp {
    fn drop(&mut self) {
        // SAFETY: the session was created by srtp_create and is freed once.
        unsafe {
            ffi::srtp_dealloc(self.session);
        }
    }
}
