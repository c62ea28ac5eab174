#!/usr/bin/env bash
# Page weight and Lighthouse: builds the release bundle, serves it with demo
# data on an in-memory database, prints what a phone downloads for each key
# page (cold cache, by kind) and Lighthouse's mobile scores for /query,
# /login and the wizard's first step, with its main opportunities.
#   scripts/beian.sh weight      (record the figures in docs/performance.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

apt_install curl ca-certificates chromium fonts-wqy-microhei brotli
setup_rust
setup_node
say "building the release site"
release_build >/dev/null
BIN="$CARGO_TARGET_DIR/release/beian"

# Lighthouse is only for this command: kept in the cache, not in end2end.
LH="$CACHE/lighthouse"
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
  say "installing lighthouse (npm, once)"
  mkdir -p "$LH"
  (cd "$LH" && npm install --no-audit --no-fund --loglevel=error lighthouse@12 >/dev/null)
fi

PORT="$(free_port)"
LOG="$CACHE/weight-server.log"
BEIAN_DB=mem:// BEIAN_DEV=true BEIAN_DEMO_RECORDS=300 BEIAN_PUBLIC_RATE_LIMIT=0 BEIAN_CAPTCHA=off BEIAN_RATE_LIMITS=off \
  BEIAN_MAIL_DIR="$CACHE/weight-mail" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT/target/site" BEIAN_LOG=warn \
  "$BIN" serve --demo >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
if ! wait_for "http://127.0.0.1:$PORT/healthz" "$PID"; then cat "$LOG" >&2; exit 1; fi
BASE="http://127.0.0.1:$PORT"
pass() { sed -n "s/^demo staff account $1 ([^)]*): password \(.*\)$/\1/p" "$LOG" | tail -n 1; }

COOKIE="$CACHE/weight-cookie.txt"
(cd end2end && BEIAN_URL="$BASE" BEIAN_CLERK_PASSWORD="$(pass jieru)" BEIAN_BUREAU_PASSWORD="$(pass guanju)" \
  BEIAN_COOKIE_FILE="$COOKIE" node perf/weight.mjs)

say "Lighthouse (mobile preset, simulated slow 4G and CPU, Debian's Chromium)"
FLAGS="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
printf '\n%-24s%13s%15s%10s%10s%10s\n' "page" "performance" "accessibility" "FCP" "LCP" "TBT"
for target in "/query" "/login" "/filings/new"; do
  out="$CACHE/lighthouse-$(echo "$target" | tr '/' '_').json"
  headers="{}"
  [ "$target" = "/filings/new" ] && headers="{\"Cookie\":\"$(cat "$COOKIE")\"}"
  CHROME_PATH=/usr/bin/chromium "$LH/node_modules/.bin/lighthouse" "$BASE$target" --quiet \
    --only-categories=performance,accessibility --chrome-flags="$FLAGS" --extra-headers="$headers" \
    --output=json --output-path="$out" >/dev/null 2>&1 || { echo "lighthouse failed on $target" >&2; continue; }
  python3 - "$target" "$out" <<'PY'
import json, sys
target, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
c, a = r["categories"], r["audits"]
print(f"{target:<24}{round(c['performance']['score'] * 100):>13}{round(c['accessibility']['score'] * 100):>15}"
      f"{a['first-contentful-paint']['displayValue']:>10}{a['largest-contentful-paint']['displayValue']:>10}{a['total-blocking-time']['displayValue']:>10}")
ops = [v for v in a.values() if v.get("details", {}).get("type") == "opportunity" and (v.get("score") or 1) < 0.9]
ops.sort(key=lambda v: -(v["details"].get("overallSavingsMs") or 0))
for v in ops[:4]:
    print(f"    opportunity: {v['title']} ({v.get('displayValue', '')})")
fails = [v for v in a.values() if v.get("score") == 0 and v.get("scoreDisplayMode") == "binary"]
for v in fails[:4]:
    print(f"    failed: {v['title']}")
PY
done
kill "$PID" 2>/dev/null || true
