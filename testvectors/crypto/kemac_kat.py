#!/usr/bin/env python3
"""Independent cross-check vector for MIKEY KEMAC protection (RFC 3830 s4.1.2-s4.2.4,
RFC 6043 s6.1-s6.2 for the PRF func 1 / AES-CM-256 / HMAC-SHA-256-256 section).

Standalone: uses only the Python standard library (hmac, hashlib) and `cryptography`
(AES block cipher / CTR mode only). The MIKEY PRF and the RFC 3394 key wrap with a
non-default IV are written from scratch below from the RFC text, NOT taken from the Rust
crate. This script was run once and its output stored verbatim in kemac_kat.txt
(key: value lines, lowercase hex); src/crypto/kemac/tests.rs assert the Rust crypto
module reproduces every line.

    python3 kemac_kat.py > kemac_kat.txt
"""
import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# ---- fixed inputs -------------------------------------------------------------------
PSK = bytes.fromhex("9f8e7d6c5b4a39281706f5e4d3c2b1a0")
CSB_ID = 0xA1B2C3D4
RAND = bytes.fromhex("0123456789abcdeffedcba9876543210")
T = 0xE8F0A1B280000000  # 64-bit NTP-UTC timestamp (seconds || fraction)
# Key data sub-payload (RFC 3830 s6.13): next=0, type TGK / KV NULL, length 20, 20-byte TGK.
TGK = bytes(range(0x40, 0x54))
KEY_DATA = bytes([0x00, 0x00, 0x00, 0x14]) + TGK  # 24 bytes: a multiple of 8 for AES-KW
MAC_INPUT = b"MIKEY I_MESSAGE bytes up to and including the KEMAC MAC alg field"
CS_ID = 1  # for the s4.1.3 TEK / salt derivation from the TGK

PSK_ENCR, PSK_AUTH, PSK_SALT = 0x150533E1, 0x2D22AC75, 0x29B88916  # RFC 3830 s4.1.4
TGK_TEK, TGK_SALT = 0x2AD01C64, 0x39A2C14B  # RFC 3830 s4.1.3


def prf(hash_name, inkey, label, outlen):
    """RFC 3830 s4.1.2 (hash sha1: PRF func 0; sha256: RFC 6043 s6.1 PRF func 1)."""
    hlen = hashlib.new(hash_name).digest_size  # 160 resp. 256 bits
    m = -(-outlen // hlen)
    chunks = [inkey[i:i + 32] for i in range(0, len(inkey), 32)]  # 256-bit s_i
    out = bytearray(m * hlen)
    for s in chunks:
        a = label  # A_0
        p = b""
        for _ in range(m):
            a = hmac.new(s, a, hash_name).digest()  # A_i
            p += hmac.new(s, a + label, hash_name).digest()
        out = bytearray(x ^ y for x, y in zip(out, p))
    return bytes(out[:outlen])


def label(constant, cs_id, csb_id, rand):
    return constant.to_bytes(4, "big") + bytes([cs_id]) + csb_id.to_bytes(4, "big") + rand


def aes_cm(key, salt14, csb_id, t, data):
    """RFC 3830 s4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000."""
    x = (0).to_bytes(2, "big") + csb_id.to_bytes(4, "big") + t.to_bytes(8, "big")
    iv = bytes(a ^ b for a, b in zip(salt14, x)) + b"\x00\x00"
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_kw(kek, iv8, p):
    """RFC 3394 s2.2.1 with a caller-chosen IV (MIKEY: IV = 64-bit salt, RFC 3830 s4.2.3)."""
    ecb = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()
    n = len(p) // 8
    a = iv8
    r = [p[8 * i:8 * i + 8] for i in range(n)]
    for j in range(6):
        for i in range(n):
            b = ecb.update(a + r[i])
            t = n * j + i + 1
            a = (int.from_bytes(b[:8], "big") ^ t).to_bytes(8, "big")
            r[i] = b[8:]
    return a + b"".join(r)


def show(k, v):
    print(f"{k}: {v.hex() if isinstance(v, bytes) else v}")


show("psk", PSK)
show("csb_id", CSB_ID.to_bytes(4, "big"))
show("rand", RAND)
show("t", T.to_bytes(8, "big"))
show("key_data", KEY_DATA)
show("mac_input", MAC_INPUT)
show("cs_id", bytes([CS_ID]))

# PRF func 0 (MIKEY-1), AES-CM-128 / AES-KW-128, HMAC-SHA-1-160
encr = prf("sha1", PSK, label(PSK_ENCR, 0xFF, CSB_ID, RAND), 16)
auth = prf("sha1", PSK, label(PSK_AUTH, 0xFF, CSB_ID, RAND), 20)
salt = prf("sha1", PSK, label(PSK_SALT, 0xFF, CSB_ID, RAND), 14)
salt_kw = prf("sha1", PSK, label(PSK_SALT, 0xFF, CSB_ID, RAND), 8)
show("prf0_encr_key", encr)
show("prf0_auth_key", auth)
show("prf0_salt_key_cm", salt)
show("prf0_salt_key_kw", salt_kw)
show("aes_cm_128_ciphertext", aes_cm(encr, salt, CSB_ID, T, KEY_DATA))
show("aes_kw_128_ciphertext", aes_kw(encr, salt_kw, KEY_DATA))
show("hmac_sha1_160", hmac.new(auth, MAC_INPUT, "sha1").digest())
show("prf0_tgk_tek", prf("sha1", TGK, label(TGK_TEK, CS_ID, CSB_ID, RAND), 16))
show("prf0_tgk_salt", prf("sha1", TGK, label(TGK_SALT, CS_ID, CSB_ID, RAND), 14))

# PRF func 1 (PRF-HMAC-SHA-256), AES-CM-256, HMAC-SHA-256-256 (RFC 6043 s6.1-s6.2)
encr1 = prf("sha256", PSK, label(PSK_ENCR, 0xFF, CSB_ID, RAND), 32)
auth1 = prf("sha256", PSK, label(PSK_AUTH, 0xFF, CSB_ID, RAND), 32)
salt1 = prf("sha256", PSK, label(PSK_SALT, 0xFF, CSB_ID, RAND), 14)
show("prf1_encr_key", encr1)
show("prf1_auth_key", auth1)
show("prf1_salt_key_cm", salt1)
show("aes_cm_256_ciphertext", aes_cm(encr1, salt1, CSB_ID, T, KEY_DATA))
show("hmac_sha256_256", hmac.new(auth1, MAC_INPUT, "sha256").digest())
show("prf1_tgk_tek", prf("sha256", TGK, label(TGK_TEK, CS_ID, CSB_ID, RAND), 16))
show("prf1_tgk_salt", prf("sha256", TGK, label(TGK_SALT, CS_ID, CSB_ID, RAND), 14))
