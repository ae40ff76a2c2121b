#!/usr/bin/env bash
# The main job, for a person (npm run demo, after npm run build): installs n8n 2.41.1 once,
# packs this package and installs it into a demo n8n user folder (.tmp/demo-n8n), imports
# workflows/*.json, runs the marketing-hub setup with `n8n execute` and prints each customer's stage.
#   npm run demo -- --serve     also start n8n on http://127.0.0.1:5678 (Ctrl-C stops it)
#   npm run demo -- --fresh     forget the demo customers first
# The driver is test/e2e/demo.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f dist/nodes/AdvanceStage/AdvanceStage.node.js ]; then
  echo "demo: dist/ is missing; run npm run build first (npm run demo does)" >&2
  exit 1
fi

N8N_DIR="$(bash scripts/install-n8n.sh | tail -n1)"
export N8N_DIR
exec "$N8N_DIR/node_modules/.bin/node" test/e2e/demo.mjs "$@"
