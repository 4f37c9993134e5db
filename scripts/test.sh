#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine: set up (system packages, npm ci, build), then lint,
# type-check, refuse import cycles in product code (madge), and run every vitest project — unit, integration (real
# moto_server, gnome-keyring, git server, each started by the tests themselves), component (jsdom) and end-to-end
# (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run lint --silent
npm run typecheck --silent
npm run check:cycles --silent
bash scripts/with-keyring.sh npx vitest run "$@"
