#!/usr/bin/env bash
# End-to-end test in a real n8n 2.41.1 (npm run test:e2e, after npm run build):
# packs this package, installs it into a fresh n8n user folder, imports workflows/*.json,
# runs the marketing-hub setup with `n8n execute`, publishes the webhook workflow, starts n8n on
# a free 127.0.0.1 port, POSTs events and checks the stages. The driver is test/e2e/e2e.mjs; it
# stops n8n and removes its temp folder on exit (E2E_KEEP=1 keeps the folder for a look).
# Then the queue-mode test (test/e2e/queue.mjs): main + 2 workers on Redis and PostgreSQL, the
# store in a PostgreSQL schema, 500 concurrent webhook events.
# Then the editor check (test/e2e/editor.mjs): Chromium drives the real n8n editor (node panel
# search, the samples' canvases and forms, a run from the "Execute workflow" button); screenshots
# go to .tmp/screenshots/. It needs Debian's chromium and installs it when missing (as root).
# Then Stage Trigger through a crash (test/e2e/trigger.mjs): an active workflow receives every
# transition id of 1,000 moves while n8n is killed with SIGKILL and started again.
# `--single-only` / `--queue-only` / `--editor-only` / `--trigger-only` run one of the four. Each ends with
# "…: N passed, M failed"; the script stops at the first part that fails (exit non-zero).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f dist/nodes/AdvanceStage/AdvanceStage.node.js ]; then
  echo "e2e: dist/ is missing; run npm run build first (npm run test:e2e does)" >&2
  exit 1
fi

# Installs n8n once (≈5 min, 2.5 GB, cached outside the repo); prints its folder.
N8N_DIR="$(bash scripts/install-n8n.sh | tail -n1)"
NODE24="$N8N_DIR/node_modules/.bin/node"
if [ ! -x "$NODE24" ]; then
  echo "e2e: no Node binary at $NODE24" >&2
  exit 1
fi
export N8N_DIR
mode="${1:-all}"
case "$mode" in
  all | --single-only | --queue-only | --editor-only | --trigger-only) ;;
  *)
    echo "e2e: unknown option $mode (use --single-only, --queue-only, --editor-only or --trigger-only)" >&2
    exit 2
    ;;
esac
if [ "$mode" = all ] || [ "$mode" = --single-only ]; then
  "$NODE24" test/e2e/e2e.mjs
fi
if [ "$mode" = all ] || [ "$mode" = --queue-only ]; then
  "$NODE24" test/e2e/queue.mjs
fi
if [ "$mode" = all ] || [ "$mode" = --editor-only ]; then
  # playwright-core drives the system's Chromium; it never downloads a browser of its own.
  if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then
    echo "e2e: installing Debian's chromium for the editor check" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  fi
  CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    "$NODE24" test/e2e/editor.mjs
fi
if [ "$mode" = all ] || [ "$mode" = --trigger-only ]; then
  "$NODE24" test/e2e/trigger.mjs
fi
