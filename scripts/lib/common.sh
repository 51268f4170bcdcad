# Shared by the scripts: install what a fresh Debian machine lacks.

# ensure_debian_packages PKG…: installs the packages that are not installed yet.
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]} …"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Debian packages Aviso builds against.
ensure_build_dependencies() {
  command -v swift >/dev/null || { echo "Swift is not installed (https://swift.org/install)." >&2; exit 1; }
  ensure_debian_packages libsqlite3-dev libcurl4-openssl-dev libssl-dev
}

# The tests' own Python: a virtual environment under .build/ with exactly the
# tools of scripts/testing/requirements.txt (versions and hashes), made once and
# reused while that file and the interpreter stay the same. Nothing the machine's
# python3 has installed is visible inside it. Prints nothing when it is reused.
TEST_PYTHON_DIR=".build/test-python"
ensure_test_python() {
  command -v python3 >/dev/null || ensure_debian_packages python3
  python3 -c 'import venv, ensurepip' 2>/dev/null || ensure_debian_packages python3-venv
  local requirements="scripts/testing/requirements.txt"
  local stamp
  stamp="$(sha256sum "$requirements" | cut -d' ' -f1) $(python3 -c 'import sys; print(sys.version.split()[0])')"
  if [ -x "$TEST_PYTHON_DIR/bin/python3" ] && [ "$(cat "$TEST_PYTHON_DIR/.aviso-stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  echo "Making the tests' Python environment in $TEST_PYTHON_DIR from $requirements …"
  rm -rf "$TEST_PYTHON_DIR"
  mkdir -p "$(dirname "$TEST_PYTHON_DIR")"
  python3 -m venv "$TEST_PYTHON_DIR"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$TEST_PYTHON_DIR/bin/python3" -m pip install -q --no-input \
    --require-hashes --only-binary :all: -r "$requirements"
  echo "$stamp" > "$TEST_PYTHON_DIR/.aviso-stamp"
}

# The real peers the tests talk to: an SMTP server, Twilio's request signer,
# CLDR data, Debian's Chromium with its driver for the pages victims open, and
# promtool (Debian's prometheus package) for the alert rules.
ensure_test_dependencies() {
  ensure_debian_packages sqlite3 openssl chromium chromium-driver prometheus lintian debootstrap
  ensure_test_python
  ensure_debian_root
  AVISO_TEST_PYTHON="$(pwd)/$TEST_PYTHON_DIR/bin/python3"
  export AVISO_TEST_PYTHON
}

# A fresh Debian 12 root for the package test: debootstrap's minbase plus
# only the libraries aviso's package depends on (packaging/debian/runtime-depends),
# no Swift toolchain. Made once, kept as .build/debian-root/bookworm.tar; each
# test unpacks its own copy.
DEBIAN_ROOT_TARBALL=".build/debian-root/bookworm.tar"
ensure_debian_root() {
  local stamp
  stamp="$(sha256sum packaging/debian/runtime-depends | cut -d' ' -f1)"
  if [ -f "$DEBIAN_ROOT_TARBALL" ] && [ "$(cat "$DEBIAN_ROOT_TARBALL.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  ensure_debian_packages debootstrap
  echo "Making a fresh Debian 12 root for the package test in $DEBIAN_ROOT_TARBALL (once) …"
  local work=".build/debian-root/work"
  rm -rf "$work"
  mkdir -p "$work"
  debootstrap --variant=minbase --include="$(paste -sd, packaging/debian/runtime-depends)" \
    bookworm "$work" http://deb.debian.org/debian >.build/debian-root/debootstrap.log 2>&1 \
    || { echo "debootstrap failed: see .build/debian-root/debootstrap.log" >&2; return 1; }
  rm -rf "$work/var/cache/apt/archives/"*.deb "$work/var/lib/apt/lists/"*
  tar -C "$work" -cf "$DEBIAN_ROOT_TARBALL" .
  rm -rf "$work"
  echo "$stamp" > "$DEBIAN_ROOT_TARBALL.stamp"
}
