# Shared set-up for scripts/beian.sh and scripts/bench.sh (sourced, with ROOT set).

# Build output and caches live outside the checkout, in a fixed place, so a
# fresh clone on a machine that has built before is quick.
CACHE="${BEIAN_CACHE:-/var/cache/beian}"
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
  CACHE="$HOME/.cache/beian"
  mkdir -p "$CACHE"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export npm_config_cache="$CACHE/npm"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1
  fi
}

APT_UPDATED=
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_rust() {
  if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust with rustup first" >&2
    exit 1
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 20 minutes on two cores)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  # wasm-bindgen-cli must be the version in Cargo.lock (cargo-leptos would
  # otherwise try to download one).
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want"
    # Without --locked: the CLI's lock file names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

setup_node() {
  command -v npm >/dev/null || apt_install nodejs npm
  # The end2end packages: Playwright (which drives Debian's Chromium, never
  # a downloaded browser) and binaryen's wasm-opt for release builds (Debian's
  # binaryen 108 produces a wasm that fails in the browser).
  if ! cmp -s end2end/package-lock.json end2end/node_modules/.beian-installed 2>/dev/null; then
    say "installing the end2end npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.beian-installed)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

# The release site. Components are erased to AnyView (as in debug builds):
# the browser bundle is 30 % smaller (wasm 714 → 501 KB brotli) and server
# and browser are built alike. --split: the account pages, the registrant's
# pages and the staff consoles are lazily loaded parts of the bundle
# (app.rs, `page`).
release_build() {
  RUSTFLAGS="--cfg erase_components" cargo leptos build --release --split
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# wait_for URL PID [SECONDS]: until the server answers (default 120 s).
wait_for() {
  local url="$1" pid="$2" secs="${3:-120}"
  for _ in $(seq 1 $((secs * 5))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "the server exited before it answered" >&2; return 1; fi
    sleep 0.2
  done
  echo "the server did not answer at $url" >&2
  return 1
}


# Write .br and .gz beside the bundle so the server can send them to phones.
precompress_site() {
  local dir="$ROOT/target/site/pkg" f
  for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
    [ -f "$f" ] || continue
    gzip -9 -k -f "$f"
    if command -v brotli >/dev/null; then brotli -q 11 -f -k "$f"; fi
  done
}
