#!/usr/bin/env bash
# Fuzzes the PAR API from its OpenAPI document with schemathesis (PyPI, installed into
# .tools/schemathesis): every operation gets generated valid and invalid requests, and any 5xx
# answer fails the run.
#
#   scripts/fuzz-api.sh                      # a private stack (bench/api-stack.ts), 30 examples per operation
#   scripts/fuzz-api.sh --max-examples 200   # longer
#   scripts/fuzz-api.sh --seed 1             # the same inputs every time (the test suite does this)
#   scripts/fuzz-api.sh --url URL --key KEY  # a running API (it writes to the vaults the key can write!)
#   scripts/fuzz-api.sh --install-only       # just install schemathesis
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=.tools/schemathesis
MAX_EXAMPLES=30
URL=""
KEY=""
INSTALL_ONLY=0
SEED_ARGS=()
PHASES="examples,coverage,fuzzing,stateful"
while [ $# -gt 0 ]; do
  case "$1" in
    --max-examples) MAX_EXAMPLES="$2"; shift 2 ;;
    --url) URL="$2"; shift 2 ;;
    --key) KEY="$2"; shift 2 ;;
    --phases) PHASES="$2"; shift 2 ;;
    --seed) SEED_ARGS=(--seed "$2"); shift 2 ;;
    --install-only) INSTALL_ONLY=1; shift ;;
    *) echo "fuzz-api: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

if [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)" != "$SCHEMATHESIS_VERSION" ]; then
  echo "fuzz-api: installing schemathesis $SCHEMATHESIS_VERSION into $VENV ..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ "$INSTALL_ONLY" = 1 ] && exit 0

STACK_PID=""
cleanup() { if [ -n "$STACK_PID" ]; then kill -TERM "$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [ -z "$URL" ]; then
  WORK=$(mktemp -d)
  node bin/run-ts.js bench/api-stack.ts >"$WORK/stack.json" 2>"$WORK/stack.log" &
  STACK_PID=$!
  for _ in $(seq 1 180); do
    [ -s "$WORK/stack.json" ] && break
    if ! kill -0 "$STACK_PID" 2>/dev/null; then echo "fuzz-api: the API stack failed to start:" >&2; tail -20 "$WORK/stack.log" >&2; exit 1; fi
    sleep 1
  done
  URL=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).url)' "$WORK/stack.json")
  KEY=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).key)' "$WORK/stack.json")
fi

echo "fuzz-api: fuzzing $URL ($MAX_EXAMPLES examples per operation; phases $PHASES)" >&2
set +e
"$VENV/bin/schemathesis" run "$URL/v1/openapi.json" \
  --url "$URL" \
  -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error \
  --max-examples "$MAX_EXAMPLES" \
  --phases "$PHASES" \
  --request-timeout 30 \
  "${SEED_ARGS[@]}" \
  --no-color
STATUS=$?
set -e
if [ -n "$STACK_PID" ] && grep -q '^\[api\] ' "$WORK/stack.log"; then
  echo "fuzz-api: server-side failures logged by the API:" >&2
  grep '^\[api\] ' "$WORK/stack.log" | head -20 >&2
fi
exit $STATUS
