#!/usr/bin/env bash
# Installs the comparison peers of bench/flow-engine.ts into a scratch folder OUTSIDE the project
# (they are not PAR dependencies): LangGraph.js with its SQLite checkpointer, Mastra with LibSQL
# storage, and a Node 22 binary from the npm registry for Mastra (1.x needs Node >= 22.13; LangGraph
# runs on the Node that ran this script, for which npm built its SQLite driver).
#
#   bash bench/peers/setup.sh [DIR]      # DIR defaults to $PAR_PEERS_DIR or /tmp/peers
set -euo pipefail
DIR="${1:-${PAR_PEERS_DIR:-/tmp/peers}}"
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{ "name": "par-bench-peers", "private": true }' > package.json
npm install --no-audit --no-fund --save-exact \
  node@22.23.3 \
  @langchain/langgraph@1.7.3 @langchain/langgraph-checkpoint-sqlite@1.0.4 @langchain/core@1.4.0 \
  @mastra/core@1.71.0 @mastra/libsql@1.23.1 zod@4.6.7
echo "peers installed in $DIR (node: $("$DIR/node_modules/.bin/node" --version))"
