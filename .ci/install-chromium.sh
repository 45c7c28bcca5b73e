#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (test/console-browser.e2e.test.ts drives it with
# playwright-core, executablePath /usr/bin/chromium). Installs only when missing; safe to run again.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
/usr/bin/chromium --version
