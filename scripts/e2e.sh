#!/usr/bin/env bash
# End-to-end test in a real n8n 2.41.1 (npm run test:e2e, after npm run build):
# packs this package, installs it into a fresh n8n user folder, imports workflows/*.json,
# runs the marketing-hub setup with `n8n execute`, publishes the webhook workflow, starts n8n on
# a free 127.0.0.1 port, POSTs events and checks the stages. The driver is test/e2e/e2e.mjs; it
# stops n8n and removes its temp folder on exit (E2E_KEEP=1 keeps the folder for a look).
# Then the queue-mode test (test/e2e/queue.mjs): main + 2 workers on Redis and PostgreSQL, the
# store in a PostgreSQL schema, 500 concurrent webhook events. `--single-only` / `--queue-only`
# run one of the two. Each ends with "…: N passed, M failed"; exits non-zero on any failure.
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
if [ "$mode" != "--queue-only" ]; then
  "$NODE24" test/e2e/e2e.mjs
fi
if [ "$mode" != "--single-only" ]; then
  "$NODE24" test/e2e/queue.mjs
fi
