# Sourced by ./bigarrays, ./test and bench/run: finds a JDK 25 and sets Maven up.
# Order: $JAVA_HOME if it is a JDK 25 or newer, then /usr/lib/jvm/*25*, then java on PATH.
# The JDK's release file says its version without starting a JVM (which costs as much as a small cutout).
# No subprocesses on the common path (each fork costs milliseconds, and ./bigarrays pays them on
# every command): the release file is read with the shell's own read, the PATH fallback is only
# resolved when nothing else is found, and the results come back in variables.
ba_java_major() { # sets BA_MAJOR
  local line
  BA_MAJOR=""
  if [ -f "$1/release" ]; then
    while IFS= read -r line; do
      case $line in JAVA_VERSION=*) BA_MAJOR=${line#JAVA_VERSION=\"}; BA_MAJOR=${BA_MAJOR%%[!0-9]*}; break ;; esac
    done <"$1/release"
  fi
  [ -n "$BA_MAJOR" ] || BA_MAJOR=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  BA_MAJOR=${BA_MAJOR%%.*}
}
ba_jdk_ok() { # a JDK 25 or newer at $1
  [ -n "$1" ] && [ -x "$1/bin/javac" ] || return 1
  ba_java_major "$1"
  [ -n "$BA_MAJOR" ] && [ "$BA_MAJOR" -ge 25 ] 2>/dev/null
}
ba_find_jdk() { # sets BA_JDK
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if ba_jdk_ok "$c"; then BA_JDK=$c; return 0; fi
  done
  c=$(command -v java 2>/dev/null) && c=$(readlink -f "$c") && c=${c%/bin/java}
  if ba_jdk_ok "$c"; then BA_JDK=$c; return 0; fi
  return 1
}
if ! ba_find_jdk; then
  echo "bigarrays: no JDK 25 found (looked at \$JAVA_HOME, /usr/lib/jvm/*25*, java on PATH). Install Temurin 25 or set JAVA_HOME." >&2
  exit 2
fi
export JAVA_HOME="$BA_JDK"
case $PATH in "$JAVA_HOME/bin:"*) ;; *) export PATH="$JAVA_HOME/bin:$PATH" ;; esac
# Maven 3.8's bundled Guice touches sun.misc.Unsafe; keep JDK 25 from warning about it on every build.
case "${MAVEN_OPTS:-}" in *--sun-misc-unsafe-memory-access=allow*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
# The folder above scripts/, as `cd && pwd` gives it (the same path string however this file was
# named: the AOT cache is only used with the class path it was trained with), with the shell's
# own cd: a $(cd ...) would be a subshell.
ba_dir=${BASH_SOURCE[0]%/*}
[ "$ba_dir" != "${BASH_SOURCE[0]}" ] || ba_dir=.
ba_pwd=$PWD ba_oldpwd=${OLDPWD-}
CDPATH= cd "$ba_dir/.." && BA_ROOT=$PWD
CDPATH= cd "$ba_pwd"
OLDPWD=$ba_oldpwd
unset ba_dir ba_pwd ba_oldpwd

# Debian packages the native build links against; installed once, only where missing.
ba_install_native_deps() {
  # python3-numpy: the independent reader of the .npz batch cutouts in BatchCutoutsTest.
  local pkgs="cmake gcc libdeflate-dev libzstd-dev liblz4-dev libturbojpeg0-dev libspng-dev libblosc-dev libjxl-dev python3-numpy"
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
