#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: Mosquitto (a real MQTT
# broker), socat (real kernel ptys for serial tests), openssl (certificates for the mutual-TLS
# test), Chromium (the console's E2E tests) and a small CJK font so the zh-CN console renders in
# Chromium's screenshots.
# Does nothing when all are present; never needed to *run* the station.
set -euo pipefail

declare -A need=( [mosquitto]=/usr/sbin/mosquitto [socat]=/usr/bin/socat [openssl]=/usr/bin/openssl [chromium]=/usr/bin/chromium [fonts-wqy-microhei]=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc )
missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure-system-deps: installing ${missing[*]} (Debian packages the tests use)" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "ensure-system-deps: not root and no sudo; install by hand: apt-get install ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian mosquitto package may start a system broker on 1883; the tests start their own on free ports.
