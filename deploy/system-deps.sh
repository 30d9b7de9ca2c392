#!/usr/bin/env bash
# The Debian packages the test suite uses, installed only when missing (`make system-deps`, and
# .ci/run before `make test`):
#   chromium                                browser tests (tests/e2e, tests/deploy)
#   nginx                                   the project's nginx config run for real (tests/deploy)
#   docker-compose                          `docker-compose config` of docker-compose.yml (tests/deploy)
#   tesseract-ocr, tesseract-ocr-eng        the strategy builder's screenshot OCR
#   fonts-dejavu-core, fonts-liberation     text in rendered screenshots and charts
# Runs apt-get as root, or through `sudo -n` otherwise; a failure is an error naming the package.
set -euo pipefail

PACKAGES=(chromium nginx docker-compose tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-liberation)

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${PACKAGES[*]}"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
log=/tmp/ava-apt-system-deps.log
echo "installing Debian packages: ${missing[*]} (log: $log)"
if ! { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2 || true
  echo "ERROR: could not install ${missing[*]} (apt-get install -y ${missing[*]}, as root or with" \
    "passwordless sudo); the tests need them" >&2
  exit 1
fi
for pkg in "${missing[@]}"; do
  if ! installed "$pkg"; then
    echo "ERROR: $pkg is still not installed after apt-get install (log: $log)" >&2
    exit 1
  fi
done
echo "installed: ${missing[*]}"
