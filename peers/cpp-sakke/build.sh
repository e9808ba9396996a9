#!/bin/sh
# Builds Streamwide's sw_mikey_sakke (the C++ MIKEY-SAKKE reference stack, LGPL-2.1, GMP
# arithmetic) as a shared library, Release (-O2 -DNDEBUG), and links our timing harness
# (harness.cc) against it. See README.md (commit, packages, commands).
#
#   peers/cpp-sakke/build.sh <path-to-sw_mikey_sakke-checkout> [build-dir]
#
# The upstream CMakeLists.txt cannot be used as published: it includes
# third_party/third_versions.cmake (not in the repository), downloads curl from curl.se
# and reads the version from `git describe` (a `git archive` has no tags). This script
# compiles exactly the sources that CMakeLists.txt selects for the default (GMP, not
# OPENSSL_ONLY, OpenSSL 3) configuration, with its definitions (NO_XMLSEC=1, the version
# macros) and C++17, against Debian's libgmp, libssl, libxml2 and libcurl.
set -eu
SRC=$(cd "${1:?usage: build.sh <path-to-sw_mikey_sakke-checkout> [build-dir]}" && pwd)
OUT=${2:-$SRC/build-mikey-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
JOBS=${JOBS:-2}
CXX=${CXX:-g++}
CXXFLAGS=${CXXFLAGS:--O2 -DNDEBUG}
mkdir -p "$OUT/obj"
OUT=$(cd "$OUT" && pwd)

INC="-I$SRC/libmikey-sakke/include -I$SRC/libmcrypto/include -I$SRC/libmikey/include \
-I$SRC/libmutil/include -I$SRC/kms-agent/include $(pkg-config --cflags libxml-2.0)"
DEFS="-DNO_XMLSEC=1 -DSW_MIKEY_SAKKE_VERSION=\"1.3\" -DSW_MIKEY_SAKKE_REVISION=\"6\""
LIBS="-lgmpxx -lgmp -lcurl $(pkg-config --libs libxml-2.0) -lssl -lcrypto"

# The source list of CMakeLists.txt (GMP configuration, OpenSSL >= 3.0).
cd "$SRC"
ls libmcrypto/source/aes.cc libmcrypto/source/base64.cc \
   libmcrypto/source/rijndael-alg-fst.cc libmcrypto/source/rand.cc \
   libmcrypto/source/openssl3/*.cc \
   libmikey/mikey/*.cc libmikey/keyagreement/*.cc \
   libmutil/source/*.cc \
   kms-agent/src/KMClient.cc kms-agent/src/KMSResponseParser.cc \
   libmikey-sakke/src/*.cc \
   libmikey-sakke/src/mscrypto/eccsi.cc libmikey-sakke/src/mscrypto/parameter-set.cc \
   libmikey-sakke/src/mscrypto/sakke.cc libmikey-sakke/src/mscrypto/ecc/*.cc \
   libmikey-sakke/src/util/bigint.cc libmikey-sakke/src/util/bigint-ssl.cc \
   libmikey-sakke/src/util/time-measure.cc libmikey-sakke/src/util/octet-string.cc \
   libmikey-sakke/src/util/mcdata-crypto.cc \
   libmikey-sakke/src/mscrypto/hash/openssl3/*.cc > "$OUT/sources.txt"

echo "compiling $(wc -l < "$OUT/sources.txt") sources with $CXX $CXXFLAGS (-j$JOBS)"
# shellcheck disable=SC2016
xargs -P "$JOBS" -I{} sh -c \
  'o="$1/obj/$(echo "$2" | tr / _).o"; [ "$o" -nt "$2" ] || exec $3 -std=c++17 $4 -fPIC -w $5 $6 -c "$2" -o "$o"' \
  _ "$OUT" {} "$CXX" "$CXXFLAGS" "$DEFS" "$INC" < "$OUT/sources.txt"

$CXX -shared -o "$OUT/libsw_mikey_sakke.so" "$OUT"/obj/*.o $LIBS
$CXX -std=c++17 $CXXFLAGS $INC -o "$OUT/cpp-sakke-bench" "$HERE/harness.cc" \
  -L"$OUT" -lsw_mikey_sakke -Wl,-rpath,"$OUT" $LIBS
echo "built $OUT/cpp-sakke-bench"
