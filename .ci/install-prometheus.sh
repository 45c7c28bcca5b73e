#!/usr/bin/env bash
# Debian's Prometheus and node_exporter, which the collector's scrape and remote_write tests run for
# real. Installs only what is missing; safe to run again.
set -euo pipefail
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v prometheus-node-exporter >/dev/null || missing+=(prometheus-node-exporter)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
