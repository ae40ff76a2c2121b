#!/usr/bin/env bash
# Installs a real n8n 2.41.1 into a cache folder outside the repo, once; prints that folder
# (the last line of stdout; progress goes to stderr). Used by scripts/e2e.sh and scripts/demo.sh.
# Why the extra steps: n8n@2.41.3 does not resolve on this registry, linkedom 0.18.15 needs a
# package that is missing, and the Kafka client's native build downloads zlib (no internet).
# The folder gets its own Node 24 (npm package `node`) at node_modules/.bin/node: n8n 2.37+
# needs Node >= 24 and the machine's node is 20.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"
CACHE="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-customer-stage}"
DIR="$CACHE/n8n-$N8N_VERSION"
NODE_VERSION="24.21.0"

ready() {
  [ -f "$DIR/.installed" ] && [ -x "$DIR/node_modules/.bin/node" ] && [ -f "$DIR/node_modules/n8n/bin/n8n" ]
}
if ready; then
  echo "$DIR"
  exit 0
fi

mkdir -p "$DIR"
# One installer at a time (e2e and demo may start together); the second waits, then finds it done.
exec 9>"$CACHE/.install-n8n-$N8N_VERSION.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  echo "install-n8n: another install is running; waiting for it" >&2
  flock 9
fi
if ready; then
  echo "$DIR"
  exit 0
fi

cd "$DIR"
cat > package.json <<JSON
{
  "name": "n8n-e2e-host",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION", "node": "$NODE_VERSION" },
  "overrides": { "linkedom": "0.18.12" }
}
JSON
echo "install-n8n: installing n8n $N8N_VERSION into $DIR (about 5 minutes and 2.5 GB, once)" >&2
started=$(date +%s)
npm_config_yes=true npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
# npm rebuild runs under the pinned Node 24 so native modules match the runtime; `node` fetches
# the Node 24 binary from the registry (its install script was skipped above).
npm_config_yes=true npm rebuild node >&2
PATH="$DIR/node_modules/.bin:$PATH" npm_config_yes=true npm rebuild sqlite3 isolated-vm msgpackr-extract >&2

# Check what the scripts rely on before calling the install good.
NODE24="$DIR/node_modules/.bin/node"
node_major="$("$NODE24" -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 24 ]; then
  echo "install-n8n: $NODE24 is Node $node_major, need 24" >&2
  exit 1
fi
"$NODE24" -e "require('$DIR/node_modules/sqlite3'); require('node:sqlite')" >&2
version="$("$NODE24" "$DIR/node_modules/n8n/bin/n8n" --version | tail -n1)"
if [ "$version" != "$N8N_VERSION" ]; then
  echo "install-n8n: n8n --version says '$version', expected $N8N_VERSION" >&2
  exit 1
fi
touch .installed
echo "install-n8n: n8n $version ready in $(( $(date +%s) - started )) s" >&2
echo "$DIR"
