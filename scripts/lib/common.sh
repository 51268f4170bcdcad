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

# ensure_python_packages MODULE=PACKAGE…: installs PyPI packages whose module cannot be imported.
ensure_python_packages() {
  command -v python3 >/dev/null || ensure_debian_packages python3 python3-pip
  local missing=()
  for pair in "$@"; do
    python3 -c "import ${pair%%=*}" 2>/dev/null || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]} from PyPI …"
  python3 -m pip install -q "${missing[@]}" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "${missing[@]}"
}

# The real peers the tests talk to: an SMTP server, Twilio's request signer, CLDR data.
ensure_test_dependencies() {
  ensure_debian_packages sqlite3 openssl
  ensure_python_packages aiosmtpd=aiosmtpd twilio=twilio babel=babel
}
