#!/usr/bin/env python3
"""Known-answer vectors for complete MIKEY pre-shared-key exchanges (RFC 3830 s3.1).

Standalone and independent of the Rust crate: uses only the Python standard library
(hmac, hashlib, struct) and `cryptography` (the AES block cipher only). Everything MIKEY-
specific is written here from the RFC text alone:

  * message encoding: HDR with the SRTP-ID map (s6.1, s6.1.1), T (s6.6), RAND (s6.11),
    ID (s6.7), SP with SRTP policy TLVs (s6.10, s6.10.1), KEMAC (s6.2), Key data
    sub-payloads with SPI key validity (s6.13, s6.14), V (s6.9);
  * the PRF (s4.1.2; PRF-HMAC-SHA-256 of RFC 6043 s6.1 for PRF func 1), the keys of the
    MIKEY messages from the PSK (s4.1.4) and the SRTP master key / salt from a TGK (s4.1.3);
  * KEMAC encryption AES-CM-128 (s4.2.3), AES-CM-256 (RFC 6043 s6.2), AES-KW-128
    (s4.2.3 + RFC 3394 with IV = the 64-bit derived salt), NULL;
  * the KEMAC MAC over the whole I_MESSAGE except the MAC field (s3.1, s5.2, s6.2) with
    HMAC-SHA-1-160 (s4.2.4) or HMAC-SHA-256-256 (RFC 6043 s6.2), NULL MAC;
  * the verification MAC (s5.2): HMAC(auth_key, R_MESSAGE-without-MAC || IDi || IDr || T).

The outputs testvectors/psk/case_*.txt were produced by running this script ONCE
(`python3 mikey_psk_kat.py` in this directory) and are kept verbatim; tests/psk_kat.rs
checks that the crate's PskInitiator / PskResponder reproduce every message and key
byte for byte.

Interpretations of points the RFC leaves open (also written in each output header):
  * Verification MAC: "Identity_i || Identity_r || Timestamp ... identical to those
    transported in the ID and T payloads" (s5.2) is read as the ID *data* fields of IDi
    and IDr (no payload header, no ID type) and the TS *value* bytes of the Initiator's T
    payload (no TS type). An identity that was sent in no ID payload is empty. When the
    R_MESSAGE carries no IDr payload, IDr is the one of the I_MESSAGE.
  * The R_MESSAGE HDR: data type 1, V = 0 (V "only has meaning when set by the
    Initiator", s6.1), same PRF func and CSB ID, and the Initiator's CS ID map with the
    SSRCs that were 0 filled in by the Responder (s6.1.1); T is the Initiator's T
    repeated (s5.2 "The Responder does not create a new timestamp").
  * AES-KW-128: RFC 3830 defines no padding, so the key data sub-payloads are chosen to
    total a multiple of 8 bytes (RFC 3394 needs n >= 2 64-bit blocks).
  * Key data sub-payloads inside KEMAC chain with Next payload = 20 (Key data), the last
    one 0 (s6.2, s6.13).
"""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# ---- code points (RFC 3830 s6, RFC 6043 s6) ----------------------------------------
DT_PSK_INIT, DT_PSK_RESP = 0, 1
PT_LAST, PT_KEMAC, PT_T, PT_ID, PT_V, PT_SP, PT_RAND, PT_KEYDATA = 0, 1, 5, 6, 9, 10, 11, 20
PRF_MIKEY1, PRF_HMAC_SHA256 = 0, 1
ENCR_NULL, ENCR_AES_CM_128, ENCR_AES_KW_128, ENCR_AES_CM_256 = 0, 1, 2, 3
MAC_NULL, MAC_HMAC_SHA1_160, MAC_HMAC_SHA256_256 = 0, 1, 2
TS_NTP_UTC = 0
ID_NAI, ID_URI = 0, 1
PROT_SRTP = 0
KT_TGK, KT_TGK_SALT, KT_TEK, KT_TEK_SALT = 0, 1, 2, 3
KV_NULL, KV_SPI = 0, 1
MAP_SRTP_ID = 0

PSK_ENCR, PSK_AUTH, PSK_SALT = 0x150533E1, 0x2D22AC75, 0x29B88916  # s4.1.4
TGK_TEK, TGK_SALT = 0x2AD01C64, 0x39A2C14B  # s4.1.3


# ---- PRF and key derivation ---------------------------------------------------------
def prf(hash_name, inkey, label, outlen):
    """s4.1.2 P-function / PRF; 'sha256' is PRF-HMAC-SHA-256 (RFC 6043 s6.1: 256 instead
    of 160 for the output block; the inkey is still split into 256-bit blocks)."""
    hlen = hashlib.new(hash_name).digest_size
    m = -(-outlen // hlen)
    out = bytes(m * hlen)
    for i in range(0, len(inkey), 32):
        s = inkey[i:i + 32]
        a, p = label, b""
        for _ in range(m):
            a = hmac.new(s, a, hash_name).digest()
            p += hmac.new(s, a + label, hash_name).digest()
        out = bytes(x ^ y for x, y in zip(out, p))
    return out[:outlen]


def label(constant, cs_id, csb_id, rand):
    return struct.pack(">IBI", constant, cs_id, csb_id) + rand


# ---- KEMAC transforms ---------------------------------------------------------------
def aes_cm(key, salt14, csb_id, t64, data):
    """s4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000, SRTP AES-CM."""
    x = struct.pack(">HIQ", 0, csb_id, t64)
    iv = bytes(a ^ b for a, b in zip(salt14, x)) + b"\x00\x00"
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_kw(kek, iv8, p):
    """RFC 3394 s2.2.1 wrap with IV = the 64-bit salt (s4.2.3)."""
    assert len(p) % 8 == 0 and len(p) >= 16, "AES-KW needs n >= 2 64-bit blocks"
    ecb = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()
    n = len(p) // 8
    a, r = iv8, [p[8 * i:8 * i + 8] for i in range(n)]
    for j in range(6):
        for i in range(n):
            b = ecb.update(a + r[i])
            a = struct.pack(">Q", struct.unpack(">Q", b[:8])[0] ^ (n * j + i + 1))
            r[i] = b[8:]
    return a + b"".join(r)


HASH = {PRF_MIKEY1: "sha1", PRF_HMAC_SHA256: "sha256"}
ENCR_KEY_LEN = {ENCR_NULL: 0, ENCR_AES_CM_128: 16, ENCR_AES_KW_128: 16, ENCR_AES_CM_256: 32}
ENCR_SALT_LEN = {ENCR_NULL: 0, ENCR_AES_CM_128: 14, ENCR_AES_KW_128: 8, ENCR_AES_CM_256: 14}
MAC_HASH = {MAC_NULL: None, MAC_HMAC_SHA1_160: "sha1", MAC_HMAC_SHA256_256: "sha256"}
MAC_LEN = {MAC_NULL: 0, MAC_HMAC_SHA1_160: 20, MAC_HMAC_SHA256_256: 32}
# s4.2.4: auth key as long as the hash output; RFC 6043 s6.2: 256-bit key.
MAC_KEY_LEN = MAC_LEN


def message_keys(prf_func, psk, csb_id, rand, encr, mac):
    h = HASH[prf_func]
    d = lambda c, n: prf(h, psk, label(c, 0xFF, csb_id, rand), n) if n else b""  # noqa: E731
    return (d(PSK_ENCR, ENCR_KEY_LEN[encr]), d(PSK_AUTH, MAC_KEY_LEN[mac]),
            d(PSK_SALT, ENCR_SALT_LEN[encr]))


def encrypt(encr, key, salt, csb_id, t64, data):
    if encr == ENCR_NULL:
        return data
    if encr in (ENCR_AES_CM_128, ENCR_AES_CM_256):
        return aes_cm(key, salt, csb_id, t64, data)
    return aes_kw(key, salt, data)


def mac(alg, key, data):
    return hmac.new(key, data, MAC_HASH[alg]).digest() if alg != MAC_NULL else b""


# ---- payload encoding ---------------------------------------------------------------
def hdr(data_type, nxt, v, prf_func, csb_id, cs):
    """s6.1 + s6.1.1; cs = [(policy_no, ssrc, roc)]."""
    out = struct.pack(">BBBBIBB", 1, data_type, nxt, (v << 7) | prf_func, csb_id, len(cs),
                      MAP_SRTP_ID)
    for policy_no, ssrc, roc in cs:
        out += struct.pack(">BII", policy_no, ssrc, roc)
    return out


def p_t(nxt, t64):
    return struct.pack(">BBQ", nxt, TS_NTP_UTC, t64)


def p_rand(nxt, rand):
    return struct.pack(">BB", nxt, len(rand)) + rand


def p_id(nxt, id_type, data):
    return struct.pack(">BBH", nxt, id_type, len(data)) + data


def sp_params(params):
    """s6.10 Type/Length/Value list."""
    return b"".join(struct.pack(">BB", t, len(v)) + v for t, v in params)


def p_sp(nxt, policy_no, params):
    body = sp_params(params)
    return struct.pack(">BBBH", nxt, policy_no, PROT_SRTP, len(body)) + body


def key_data(nxt, key_type, key, salt=None, spi=None):
    """s6.13 / s6.14."""
    kv = KV_SPI if spi is not None else KV_NULL
    out = struct.pack(">BBH", nxt, (key_type << 4) | kv, len(key)) + key
    if salt is not None:
        out += struct.pack(">H", len(salt)) + salt
    if spi is not None:
        out += struct.pack(">B", len(spi)) + spi
    return out


def key_data_list(keys):
    """keys = [(type, key, salt|None, spi|None)] chained with Next payload 20, last 0."""
    out = b""
    for i, (kt, k, s, spi) in enumerate(keys):
        out += key_data(PT_KEYDATA if i + 1 < len(keys) else PT_LAST, kt, k, s, spi)
    return out


def chain(payloads):
    """payloads = [(type, fn(next) -> bytes)]: fills each Next payload field."""
    out = []
    for i, (_, fn) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else PT_LAST
        out.append(fn(nxt))
    return out


# ---- one complete exchange ----------------------------------------------------------
def exchange(c):
    prf_func, encr, mac_alg = c["prf"], c["encr"], c["mac"]
    csb_id, t64, rand, psk = c["csb_id"], c["t"], c["rand"], c["psk"]
    enc_key, auth_key, salt_key = message_keys(prf_func, psk, csb_id, rand, encr, mac_alg)

    plain = key_data_list(c["keys"])
    encr_data = encrypt(encr, enc_key, salt_key, csb_id, t64, plain)

    pl = [(PT_T, lambda n: p_t(n, t64)), (PT_RAND, lambda n: p_rand(n, rand))]
    if c.get("id_i"):
        pl.append((PT_ID, lambda n: p_id(n, *c["id_i"])))
    if c.get("id_r"):
        pl.append((PT_ID, lambda n: p_id(n, *c["id_r"])))
    for no, params in c["policies"]:
        pl.append((PT_SP, lambda n, no=no, params=params: p_sp(n, no, params)))
    # KEMAC without the MAC value (its Next payload is Last: it is the last payload).
    pl.append((PT_KEMAC, lambda n: struct.pack(">BBH", n, encr, len(encr_data)) + encr_data
               + struct.pack(">B", mac_alg)))
    body = hdr(DT_PSK_INIT, pl[0][0], c["v"], prf_func, csb_id, c["cs"]) + b"".join(chain(pl))
    i_message = body + mac(mac_alg, auth_key, body)  # s5.2: all but the MAC field

    out = {"enc_key": enc_key, "auth_key": auth_key, "salt_key": salt_key,
           "kemac_plaintext": plain, "i_message": i_message}

    if c["v"]:
        # Responder: fill SSRC 0 entries in order with its own SSRCs (s6.1.1).
        fill = list(c["responder_ssrcs"])
        cs_r = [(no, ssrc if ssrc else fill.pop(0), roc) for no, ssrc, roc in c["cs"]]
        rl = [(PT_T, lambda n: p_t(n, t64))]
        if c.get("responder_id_r"):
            rl.append((PT_ID, lambda n: p_id(n, *c["responder_id_r"])))
        rl.append((PT_V, lambda n: struct.pack(">BB", n, mac_alg)))
        rbody = hdr(DT_PSK_RESP, rl[0][0], 0, prf_func, csb_id, cs_r) + b"".join(chain(rl))
        id_i = c["id_i"][1] if c.get("id_i") else b""
        if c.get("responder_id_r"):
            id_r = c["responder_id_r"][1]
        else:
            id_r = c["id_r"][1] if c.get("id_r") else b""
        ts_value = struct.pack(">Q", t64)
        out["v_mac_input_tail"] = id_i + id_r + ts_value
        out["r_message"] = rbody + mac(mac_alg, auth_key, rbody + id_i + id_r + ts_value)
        cs_final = cs_r
    else:
        cs_final = c["cs"]

    # SRTP master key / salt per crypto session and key (s4.1.3; cs_id = 1-based index).
    for cs_id, (policy_no, ssrc, _roc) in enumerate(cs_final, start=1):
        out[f"cs{cs_id}_ssrc"] = struct.pack(">I", ssrc)
        kl, sl = c["srtp_key_len"], 14
        for ki, (kt, k, s, _spi) in enumerate(c["keys"], start=1):
            if kt in (KT_TGK, KT_TGK_SALT):
                mk = prf(HASH[prf_func], k, label(TGK_TEK, cs_id, csb_id, rand), kl)
                ms = s if s is not None else prf(HASH[prf_func], k,
                                                  label(TGK_SALT, cs_id, csb_id, rand), sl)
            else:
                mk, ms = k, s
            out[f"cs{cs_id}_key{ki}_master_key"] = mk
            out[f"cs{cs_id}_key{ki}_master_salt"] = ms
    return out


# SRTP policy parameter TLVs (s6.10.1).
def u8(v):
    return bytes([v])


SP_AES_CM_128_HMAC_SHA1_80_FULL = [
    (0, u8(1)),    # encryption algorithm: AES-CM
    (1, u8(16)),   # session encr. key length
    (2, u8(1)),    # authentication algorithm: HMAC-SHA-1
    (3, u8(20)),   # session auth. key length
    (4, u8(14)),   # session salt key length
    (5, u8(0)),    # SRTP PRF: AES-CM
    (7, u8(1)),    # SRTP encryption on
    (8, u8(1)),    # SRTCP encryption on
    (9, u8(0)),    # sender's FEC order: FEC-SRTP
    (10, u8(1)),   # SRTP authentication on
    (11, u8(10)),  # authentication tag length (80 bits)
    (12, u8(0)),   # SRTP prefix length
]
SP_ONVIF = [(0, u8(1)), (1, u8(16)), (2, u8(1)), (3, u8(20)), (7, u8(1)), (8, u8(1)),
            (10, u8(1)), (11, u8(10))]
SP_AES_CM_256_HMAC_SHA1_80 = [(0, u8(1)), (1, u8(32)), (2, u8(1)), (3, u8(20)), (4, u8(14)),
                              (11, u8(10))]

NTP_2024 = 0xEA0A1B2C  # NTP seconds (era 0, 2024)

CASES = [
    ("case_a_aescm128_sha1_v.txt",
     "(a) PRF MIKEY-1, KEMAC AES-CM-128 + HMAC-SHA-1-160, V=1; IDi NAI alice@example.com, "
     "IDr NAI bob@example.com (the Responder sends IDr bob@example.com in R_MESSAGE too); one "
     "SRTP crypto session (policy 0, SSRC 0 filled by the Responder with 0x5eed1234, ROC 0); SP 0 "
     "= explicit AES_CM_128_HMAC_SHA1_80 (types 0,1,2,3,4,5,7,8,9,10,11,12); one 16-byte TGK, "
     "KV=SPI with a 4-byte MKI. T has fraction 0x80000000 (0.5 s).",
     dict(prf=PRF_MIKEY1, encr=ENCR_AES_CM_128, mac=MAC_HMAC_SHA1_160, v=1,
          psk=bytes.fromhex("6d696b65792d7073 6b2d6b61742d612d 31323334".replace(" ", "")),
          csb_id=0x1A2B3C4D, t=(NTP_2024 << 32) | 0x80000000,
          rand=bytes.fromhex("00112233445566778899aabbccddeeff"),
          id_i=(ID_NAI, b"alice@example.com"), id_r=(ID_NAI, b"bob@example.com"),
          responder_id_r=(ID_NAI, b"bob@example.com"),
          cs=[(0, 0, 0)], responder_ssrcs=[0x5EED1234],
          policies=[(0, SP_AES_CM_128_HMAC_SHA1_80_FULL)],
          keys=[(KT_TGK, bytes.fromhex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), None,
                 bytes.fromhex("00000001"))],
          srtp_key_len=16)),
    ("case_b_aeskw128_sha1_two_tgk.txt",
     "(b) PRF MIKEY-1, KEMAC AES-KW-128 (RFC 3394, IV = 64-bit derived salt) + HMAC-SHA-1-160, "
     "V=1; IDi URI sip:alice@example.com, IDr URI sip:bob@example.com in I_MESSAGE, no IDr "
     "payload in R_MESSAGE (verification MAC uses the I_MESSAGE IDr); two crypto sessions "
     "(CS 1: policy 0, SSRC 0x01020304 chosen by the Initiator; CS 2: policy 0, SSRC 0 filled "
     "by the Responder with 0xcafef00d); SP 0 = ONVIF-style AES_CM_128_HMAC_SHA1_80; two "
     "16-byte TGKs, KV=SPI with 3-byte MKIs (2 x 24 = 48 bytes of key data: a multiple of "
     "8, as AES-KW needs; RFC 3830 defines no padding).",
     dict(prf=PRF_MIKEY1, encr=ENCR_AES_KW_128, mac=MAC_HMAC_SHA1_160, v=1,
          psk=bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
          csb_id=0xDEADBEEF, t=(NTP_2024 + 1000) << 32,
          rand=bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"),
          id_i=(ID_URI, b"sip:alice@example.com"), id_r=(ID_URI, b"sip:bob@example.com"),
          cs=[(0, 0x01020304, 0), (0, 0, 0)], responder_ssrcs=[0xCAFEF00D],
          policies=[(0, SP_ONVIF)],
          keys=[(KT_TGK, bytes.fromhex("101112131415161718191a1b1c1d1e1f"), None,
                 bytes.fromhex("000001")),
                (KT_TGK, bytes.fromhex("202122232425262728292a2b2c2d2e2f"), None,
                 bytes.fromhex("000002"))],
          srtp_key_len=16)),
    ("case_c_prf256_aescm256_sha256.txt",
     "(c) PRF func 1 PRF-HMAC-SHA-256 (RFC 6043 s6.1), KEMAC AES-CM-256 + HMAC-SHA-256-256 "
     "(RFC 6043 s6.2), V=1; no ID payloads (verification MAC identities empty); 32-byte RAND; "
     "one crypto session (policy 1, SSRC 0 filled by the Responder with 0x00abcdef); SP 1 = "
     "AES_CM_256_HMAC_SHA1_80 (types 0,1,2,3,4,11); one 32-byte TGK, KV NULL; the SRTP master "
     "key (32 bytes) and salt (14) are derived with PRF-HMAC-SHA-256.",
     dict(prf=PRF_HMAC_SHA256, encr=ENCR_AES_CM_256, mac=MAC_HMAC_SHA256_256, v=1,
          psk=bytes(range(0x80, 0xA0)),
          csb_id=0x00000001, t=(NTP_2024 + 2000) << 32,
          rand=bytes.fromhex("f0e1d2c3b4a5968778695a4b3c2d1e0f"
                             "0123456789abcdef0123456789abcdef"),
          cs=[(1, 0, 0)], responder_ssrcs=[0x00ABCDEF],
          policies=[(1, SP_AES_CM_256_HMAC_SHA1_80)],
          keys=[(KT_TGK, bytes(range(0x30, 0x50)), None, None)],
          srtp_key_len=32)),
    ("case_d_null_null_tek_salt.txt",
     "(d) ONVIF-style MIKEY-NULL: PRF MIKEY-1, KEMAC NULL encryption + NULL MAC (no keys "
     "derived, MAC field empty), V=0 (no R_MESSAGE); no ID payloads; one crypto session "
     "(policy 0, SSRC 0xc20f551c); SP 0 = ONVIF-style AES_CM_128_HMAC_SHA1_80; one TEK+SALT "
     "(16-byte TEK = SRTP master key, 14-byte salt = master salt), KV=SPI with a 4-byte MKI.",
     dict(prf=PRF_MIKEY1, encr=ENCR_NULL, mac=MAC_NULL, v=0,
          psk=bytes.fromhex("00"),
          csb_id=0xFD6D77D0, t=(NTP_2024 + 3000) << 32,
          rand=bytes.fromhex("6ad5a25835199be9ec33f21427589970"),
          cs=[(0, 0xC20F551C, 0)], responder_ssrcs=[],
          policies=[(0, SP_ONVIF)],
          keys=[(KT_TEK_SALT, bytes.fromhex("df40b9f54ac2944d1edbb50fe61fd6b7"),
                 bytes.fromhex("2f542fcf9d7f383edadb669a8de4"), bytes.fromhex("0000002f"))],
          srtp_key_len=16)),
]

COMMON_HEADER = """\
# Interpretations (RFC 3830): verification MAC = HMAC(auth_key, R_MESSAGE up to and
#   including the V Auth alg field || IDi ID data || IDr ID data || TS value of the
#   Initiator's T) (s5.2); absent identities are empty; R_MESSAGE HDR has V=0 and the
#   Initiator's CS ID map with the SSRCs that were 0 filled in by the Responder; the KEMAC
#   MAC covers the whole I_MESSAGE but the MAC field; key data sub-payloads chain with
#   Next payload 20, the last 0; cs_id is the 1-based position in the SRTP-ID map.
# Produced by running testvectors/psk/mikey_psk_kat.py once; checked by tests/psk_kat.rs.
"""


def write_case(fname, desc, c):
    r = exchange(c)
    lines = ["# MIKEY pre-shared key exchange known-answer vector (RFC 3830 s3.1)"]
    words, line = desc.split(), "#"
    for w in words:
        if len(line) + 1 + len(w) > 90:
            lines.append(line)
            line = "#"
        line += " " + w
    lines.append(line)
    lines.append(COMMON_HEADER.rstrip("\n"))
    kv = [("psk", c["psk"]), ("csb_id", struct.pack(">I", c["csb_id"])),
          ("t", struct.pack(">Q", c["t"])), ("rand", c["rand"])]
    if c.get("id_i"):
        kv.append(("id_i", c["id_i"][1]))
    if c.get("id_r"):
        kv.append(("id_r", c["id_r"][1]))
    for no, params in c["policies"]:
        kv.append((f"sp{no}_params", sp_params(params)))
    if c["responder_ssrcs"]:
        kv.append(("responder_ssrcs", b"".join(struct.pack(">I", s)
                                              for s in c["responder_ssrcs"])))
    for i, (kt, k, s, spi) in enumerate(c["keys"], start=1):
        kv.append((f"key{i}_{'tgk' if kt in (KT_TGK, KT_TGK_SALT) else 'tek'}", k))
        if s is not None:
            kv.append((f"key{i}_salt", s))
        if spi is not None:
            kv.append((f"key{i}_mki", spi))
    for k in ("enc_key", "auth_key", "salt_key", "kemac_plaintext", "i_message",
              "v_mac_input_tail", "r_message"):
        if r.get(k):  # NULL algorithms: no keys, nothing to show
            kv.append((k, r[k]))
    kv += [(k, v) for k, v in r.items() if k.startswith("cs")]
    for k, v in kv:
        lines.append(f"{k}: {v.hex()}")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), fname), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", fname)


if __name__ == "__main__":
    for fname, desc, c in CASES:
        write_case(fname, desc, c)
