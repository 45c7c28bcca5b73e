#!/usr/bin/env bash
# What the tests run for real besides npm packages (npm test runs this first, as its pretest):
# Prometheus and node_exporter, Chromium for the console, the Helm chart renderer. Each
# .ci/install-*.sh installs or builds its tool only when missing. A tool that cannot be installed
# (no root, no network) is reported, and the tests that need it fail saying what is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
for script in .ci/install-*.sh; do
  bash "$script" || echo "test tools: $script failed; the tests that need it will fail" >&2
done
exit 0
