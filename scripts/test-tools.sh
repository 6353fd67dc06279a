#!/usr/bin/env bash
# The programs the tests drive besides Node: Debian's Chromium (the analytics dashboard's browser
# test, through playwright-core) and Prometheus with promtool (the monitoring tests). Installs the
# missing ones from Debian's packages when it can (root with apt-get); otherwise says what to install.
set -euo pipefail

step() { echo "==> $*"; }

missing=()
command -v chromium >/dev/null || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The tests need: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]})." >&2
  exit 1
fi
step "installing ${missing[*]} from Debian's packages (for the browser and monitoring tests)"
export DEBIAN_FRONTEND=noninteractive
# A machine whose package lists were never fetched needs them first.
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
