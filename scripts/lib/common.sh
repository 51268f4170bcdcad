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
