# Sourced by ./bigarrays, ./test and bench/run: finds a JDK 25 and sets Maven up.
# Order: $JAVA_HOME if it is a JDK 25 or newer, then /usr/lib/jvm/*25*, then java on PATH.
# The JDK's release file says its version without starting a JVM (which costs as much as a small cutout).
ba_java_major() {
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "$v"
}
ba_find_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* \
           "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    local v; v=$(ba_java_major "$c")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
if ! BA_JDK=$(ba_find_jdk); then
  echo "bigarrays: no JDK 25 found (looked at \$JAVA_HOME, /usr/lib/jvm/*25*, java on PATH). Install Temurin 25 or set JAVA_HOME." >&2
  exit 2
fi
export JAVA_HOME="$BA_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's bundled Guice touches sun.misc.Unsafe; keep JDK 25 from warning about it on every build.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
BA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the native build links against; installed once, only where missing.
ba_install_native_deps() {
  local pkgs="cmake gcc libdeflate-dev libzstd-dev liblz4-dev libturbojpeg0-dev libspng-dev libblosc-dev"
  local missing=""
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bigarrays: installing Debian packages:$missing" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2 \
      || echo "bigarrays: could not install$missing; native kernels may fall back to Java" >&2
  else
    echo "bigarrays: missing Debian packages:$missing (not root: skipping; native parts may fall back to Java)" >&2
  fi
}
