#!/usr/bin/env bash
# Installs Debian's chromium for the browser test of the HTML audit report (tests/browser.rs).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root and apt.
#
# usage: scripts/install-chromium.sh
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
