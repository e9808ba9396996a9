// Timing harness (ours, MIT/Apache-2.0 like the rest of this repository) for Streamwide's
// sw_mikey_sakke, the C++ MIKEY-SAKKE reference stack, through its public C API
// (mikeysakke4c.h). It makes and opens 3GPP I_MESSAGEs with the Streamwide reference KMS
// material of testvectors/streamwide-StreamwideTestVectors-v5.md: the GMS keys alice with
// the published GMK (its "Test 1: GMK").
//
//   make = mikey_sakke_group_init(GMS call, alice's URI, GMK + GMK-ID): UID derivation,
//          GUK-ID, SAKKE encapsulation of the GMK to alice (RFC 6508 §6.2.1), payloads,
//          ECCSI signature (RFC 6507 §5.2.1).
//   open = mikey_sakke_alloc_call(alice) + mikey_sakke_uas_auth(the published Test 1
//          I_MESSAGE, from the GMS's URI) + mikey_sakke_get_key_data: parse, UIDs, ECCSI
//          verification (RFC 6507 §5.2.2), SAKKE decapsulation with the pairing and the
//          re-encapsulation check (RFC 6508 §6.2.2 steps 2-5), GMK-ID.
//
// Every open is checked to yield the asserted GMK, GMK-ID, RAND and GUK-ID (a failed or
// partial open aborts the run), and made messages are checked to open to the GMK.
// Times: per operation, CLOCK_PROCESS_CPUTIME_ID (CPU time) and CLOCK_MONOTONIC (wall time),
// median and minimum over N iterations, make and open alternated in each iteration.
//
//   cpp-sakke-bench <path-to-streamwide-StreamwideTestVectors-v5.md> [N]
#include <mikeysakke4c.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

// "section" -> "field" -> value, from the "* section" / "    * Field : value" lines and the
// "### Test N: ..." headings of the Markdown vector file.
using Sections = std::map<std::string, std::map<std::string, std::string>>;

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r");
    size_t b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

Sections parse_vectors(const char* path) {
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path);
        std::exit(2);
    }
    Sections out;
    std::string section, line;
    while (std::getline(in, line)) {
        if (line.rfind("### ", 0) == 0) {
            section = trim(line.substr(4));
        } else if (line.rfind("* ", 0) == 0) {
            section = trim(line.substr(2));
        } else if (line.rfind("    * ", 0) == 0) {
            size_t colon = line.find(':');
            if (colon != std::string::npos) {
                out[section][trim(line.substr(6, colon - 6))] = trim(line.substr(colon + 1));
            }
        }
    }
    return out;
}

const std::string& field(Sections& v, const char* section, const char* name) {
    const std::string& s = v[section][name];
    if (s.empty()) {
        std::fprintf(stderr, "vector file: no '%s' in section '%s'\n", name, section);
        std::exit(2);
    }
    return s;
}

std::vector<uint8_t> unhex(const std::string& hex) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back((uint8_t)std::stoul(hex.substr(i, 2), nullptr, 16));
    }
    return out;
}

bool same(const uint8_t* p, size_t n, const std::vector<uint8_t>& want) {
    return p != nullptr && n == want.size() && std::memcmp(p, want.data(), n) == 0;
}

double now(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Sample {
    double cpu, wall;
};

struct Timer {
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    Sample stop() const { return {now(CLOCK_PROCESS_CPUTIME_ID) - c0, now(CLOCK_MONOTONIC) - w0}; }
};

const char community[] = "streamwide.com";

// A user's key store: the KMS's public keys and parameters, the user's RSK, SSK and PVT.
mikey_sakke_key_material_t* load_user(Sections& v, const char* prov) {
    const char* init = "KMS Init";
    mikey_sakke_key_material_t* keys = mikey_sakke_alloc_key_material("runtime:empty");
    mikey_sakke_add_community(keys, community);
    const std::string& id = field(v, prov, "UserID");
    mikey_sakke_provision_key_material(keys, community, "KPAK", field(v, init, "PubAuthKey").c_str(), false);
    mikey_sakke_provision_key_material(keys, community, "Z", field(v, init, "PubEncKey").c_str(), false);
    mikey_sakke_provision_key_material(keys, id.c_str(), "RSK", field(v, prov, "UserDecryptKey").c_str(), true);
    mikey_sakke_provision_key_material(keys, id.c_str(), "SSK", field(v, prov, "UserSigningKeySSK").c_str(), true);
    mikey_sakke_provision_key_material(keys, id.c_str(), "PVT", field(v, prov, "UserPubTokenPVT").c_str(), false);
    if (!mikey_sakke_validate_signing_keys(id.c_str(), keys)) {
        std::fprintf(stderr, "%s: signing keys do not validate\n", prov);
        std::exit(1);
    }
    mikey_sakke_set_public_parameter(keys, community, "UserKeyPeriod", field(v, init, "UserKeyPeriod").c_str());
    mikey_sakke_set_public_parameter(keys, community, "UserKeyOffset", field(v, init, "UserKeyOffset").c_str());
    mikey_sakke_set_public_parameter(keys, community, "UserKeyPeriodNoSet", field(v, prov, "KeyPeriodNo").c_str());
    mikey_sakke_set_public_parameter(keys, community, "KmsUri", field(v, init, "KmsUri").c_str());
    mikey_sakke_set_public_parameter(keys, community, "SakkeSet", "1");
    return keys;
}

struct Expected {
    std::vector<uint8_t> gmk, gmk_id, rand, guk_id;
};

// Opens `msg` as alice (from the GMS); checks the GMK and GMK-ID (and RAND and GUK-ID when
// `full`). Returns the sample of the open itself (call, authentication, key data).
Sample open_checked(mikey_sakke_user_t* alice, const char* gms_uri, mikey_key_mgmt_string_t msg, const Expected& e,
                    bool full) {
    Timer t;
    mikey_sakke_call_t* call = mikey_sakke_alloc_call(alice);
    mikey_sakke_add_sender_stream(call, 0xdeadbeef);
    bool ok = mikey_sakke_uas_auth(call, msg, gms_uri, nullptr) && mikey_sakke_call_is_secured(call);
    struct mikey_sakke_key_data* k = ok ? mikey_sakke_get_key_data(call) : nullptr;
    Sample s = t.stop();
    ok = ok && k != nullptr && same(k->key, k->key_size, e.gmk) && same(k->key_id, k->key_id_size, e.gmk_id);
    if (ok && full) {
        ok = same(k->rand, k->rand_size, e.rand) && same(k->csb_id, k->csb_id_size, e.guk_id);
    }
    if (k) {
        mikey_sakke_key_data_destroy(k);
    }
    mikey_sakke_free_call(call);
    if (!ok) {
        std::fprintf(stderr, "open did not yield the asserted GMK / GMK-ID%s\n", full ? " / RAND / GUK-ID" : "");
        std::exit(1);
    }
    return s;
}

void report(const char* name, std::vector<Sample> v) {
    auto stat = [&](double Sample::*f, const char* what) {
        std::vector<double> x;
        for (auto& s : v) x.push_back(s.*f * 1e3);
        std::sort(x.begin(), x.end());
        size_t n = x.size();
        double median = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
        std::printf("%s %s: median %.3f ms, min %.3f ms (n=%zu)\n", name, what, median, x[0], n);
    };
    stat(&Sample::cpu, "cpu");
    stat(&Sample::wall, "wall");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <streamwide-StreamwideTestVectors-v5.md> [N]\n", argv[0]);
        return 2;
    }
    int n = argc > 2 ? std::atoi(argv[2]) : 100;
    mikey_sakke_set_log_level("error");
    Sections v = parse_vectors(argv[1]);
    const char* gms_sec = "KMS KeyProv for GMS";
    const char* alice_sec = "KMS KeyProv for Alice";
    const char* test = "Test 1: GMK";
    std::string gms_uri = field(v, gms_sec, "UserUri");
    std::string alice_uri = field(v, alice_sec, "UserUri");
    if (field(v, test, "Initiator URI") != gms_uri || field(v, test, "Responder URI") != alice_uri) {
        std::fprintf(stderr, "Test 1 is not GMS -> alice\n");
        return 2;
    }
    Expected e {unhex(field(v, test, "GMK")), unhex(field(v, test, "GMK-ID")), unhex(field(v, test, "GMK-RAND")),
                unhex(field(v, test, "GUK-ID"))};
    std::string published = field(v, test, "I-MESSAGE");
    mikey_key_mgmt_string_t ref {const_cast<char*>(published.c_str()), published.size()};

    mikey_sakke_key_material_t* gms_keys = load_user(v, gms_sec);
    mikey_sakke_key_material_t* alice_keys = load_user(v, alice_sec);
    mikey_sakke_user_t* gms = mikey_sakke_alloc_user(gms_uri.c_str(), gms_keys);
    mikey_sakke_user_t* alice = mikey_sakke_alloc_user(alice_uri.c_str(), alice_keys);
    mikey_sakke_call_t* outgoing = mikey_sakke_alloc_call(gms);
    mikey_sakke_add_sender_stream(outgoing, 0xcafebabe);

    auto make = [&](Sample* s) {
        Timer t;
        struct key_agreement_params* p =
            key_agreement_params_create(GMK, e.gmk.size(), e.gmk.data(), e.gmk_id.size(), e.gmk_id.data(), 0, nullptr);
        mikey_key_mgmt_string_t m = mikey_sakke_group_init(outgoing, alice_uri.c_str(), p);
        key_agreement_params_delete(p);
        if (s) *s = t.stop();
        if (m.ptr == nullptr || m.len == 0) {
            std::fprintf(stderr, "make failed\n");
            std::exit(1);
        }
        return m;
    };

    // The published message opens to the asserted values; so does one we make.
    open_checked(alice, gms_uri.c_str(), ref, e, true);
    mikey_key_mgmt_string_t made = make(nullptr);
    open_checked(alice, gms_uri.c_str(), made, e, false);
    std::printf("checked: the published Test 1 I_MESSAGE opens to GMK %s, GMK-ID %s, RAND, GUK-ID; "
                "a made I_MESSAGE (%zu chars) opens to the same GMK\n",
                field(v, test, "GMK").c_str(), field(v, test, "GMK-ID").c_str(), made.len);
    mikey_sakke_free_key_mgmt_string(made);

    for (int i = 0; i < 5; ++i) {  // warm-up
        mikey_sakke_free_key_mgmt_string(make(nullptr));
        open_checked(alice, gms_uri.c_str(), ref, e, false);
    }
    std::vector<Sample> makes(n), opens(n);
    for (int i = 0; i < n; ++i) {
        mikey_key_mgmt_string_t m = make(&makes[i]);
        if (i == n - 1) {
            open_checked(alice, gms_uri.c_str(), m, e, false);
        }
        mikey_sakke_free_key_mgmt_string(m);
        opens[i] = open_checked(alice, gms_uri.c_str(), ref, e, true);
    }
    std::printf("sw_mikey_sakke %s.%s, GMS -> alice GMK I_MESSAGE\n", mikey_sakke_get_version(), mikey_sakke_get_revision());
    report("make", makes);
    report("open", opens);

    mikey_sakke_free_call(outgoing);
    mikey_sakke_free_user(gms);
    mikey_sakke_free_user(alice);
    mikey_sakke_free_key_material(gms_keys);
    mikey_sakke_free_key_material(alice_keys);
    return 0;
}
