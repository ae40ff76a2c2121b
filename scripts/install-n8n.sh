#!/usr/bin/env bash
# Installs a real n8n 2.41.1 into a cache folder outside the repo, once.
# Why the extra steps: n8n@2.41.3 does not resolve on this registry, linkedom 0.18.15 needs a
# package that is missing, and the Kafka client's native build downloads zlib (no internet).
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"
CACHE="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-customer-stage}"
DIR="$CACHE/n8n-$N8N_VERSION"
if [ -x "$DIR/node_modules/n8n/bin/n8n" ] && [ -f "$DIR/.installed" ]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$DIR"
cd "$DIR"
cat > package.json <<JSON
{
  "name": "n8n-e2e-host",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION", "node": "24.21.0" },
  "overrides": { "linkedom": "0.18.12" }
}
JSON
echo "installing n8n $N8N_VERSION into $DIR (about 5 minutes, 2.5 GB)" >&2
npm_config_yes=true npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
# npm rebuild runs under the pinned Node 24 so native modules match the runtime.
PATH="$DIR/node_modules/.bin:$PATH" npm rebuild sqlite3 isolated-vm msgpackr-extract node >&2
touch .installed
echo "$DIR"
