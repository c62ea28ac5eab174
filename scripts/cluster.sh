#!/usr/bin/env bash
# Several Beian servers on one SurrealDB server (docs/deployment.md).
#   scripts/beian.sh cluster [check|kill|restart-db|numbers|all]   the checks and fault tests (default all)
#   scripts/beian.sh cluster load [N]                             the public query at 64 and 256 connections, one server vs two
# Builds the SurrealDB server (tools/surreal-server) and the release site
# first; works in $CACHE/cluster (logs stay there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

MODE="${1:-all}"
apt_install wrk curl python3 ca-certificates
setup_rust
setup_node
SURREAL_BIN="$(surreal_build)"
say "building the release site"
release_build >/dev/null
export BEIAN_BIN="$CARGO_TARGET_DIR/release/beian" SURREAL_BIN
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export CLUSTER_DIR="$CACHE/cluster/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$CLUSTER_DIR"

if [ "$MODE" = "load" ]; then
  exec bash "$ROOT/scripts/cluster-load.sh" "${2:-20000}"
fi
say "cluster $MODE (work folder $CLUSTER_DIR)"
cd end2end
exec node perf/cluster.mjs "$MODE"
