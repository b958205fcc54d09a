# Two commands do everything on a fresh Debian machine:
#   make run   builds the app and serves it at http://127.0.0.1:3000 on a SQLite file with demo data
#   make test  runs every check: fmt, clippy (server and browser), Rust tests and Playwright, on
#              SQLite and on PostgreSQL (private clusters it starts and stops itself)
#   make run-pg  serves the app on a local PostgreSQL cluster with demo data (optional)
# Both install what is missing first, and skip what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.11
# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3}' Cargo.lock)

SITE_ADDR ?= 127.0.0.1:3000
E2E_ADDR ?= 127.0.0.1:3210

.PHONY: help run run-pg test stress tools chromium postgres rust-test-pg e2e-pg pg-faults bench-api bench-activity fmt-check clippy rust-test openapi-check e2e floods contract release-build bench bench-wire bench-server wrk reliability soak fuzz fuzz-tools times-reset

# Each step of `make test` appends its wall time here; the run ends by printing the list.
STEP_TIMES := target/step-times.txt
STEP_START = @mkdir -p target && date +%s > target/.step-start-$@
STEP_END = @echo "$$(( $$(date +%s) - $$(cat target/.step-start-$@) )) s  $@" >> $(STEP_TIMES)

help:
	@echo "make run   - build and serve the app with demo data at http://$(SITE_ADDR)"
	@echo "make test  - every check (fmt, clippy, Rust tests, Playwright) on SQLite and PostgreSQL"
	@echo "make run-pg - the same app on a local PostgreSQL cluster with demo data"

## ---- installs (idempotent) -------------------------------------------------------------

# cargo-leptos and wasm-bindgen-cli are build tools whose own speed hardly matters (they spend
# their time waiting for cargo and rustc), so they are compiled without optimisation, without debug
# info, and side by side: about 6 minutes on a fresh 2-core machine instead of about 21 in release.
TOOL_PROFILE := CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_DEV_INCREMENTAL=false
tools: node_modules/.installed end2end/node_modules/.installed
	$(STEP_START)
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@pids=(); \
	if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (a few minutes, once)"; \
	  $(TOOL_PROFILE) cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --ignore-rust-version --debug \
	    --target-dir target/tools/cargo-leptos & pids+=($$!); \
	fi; \
	if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(TOOL_PROFILE) cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force --debug \
	    --target-dir target/tools/wasm-bindgen & pids+=($$!); \
	fi; \
	if ! cargo nextest --version >/dev/null 2>&1; then \
	  echo "installing cargo-nextest"; \
	  $(TOOL_PROFILE) cargo install cargo-nextest --locked --debug \
	    --target-dir target/tools/nextest & pids+=($$!); \
	fi; \
	for pid in "$${pids[@]}"; do wait "$$pid"; done
	$(STEP_END)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# PostgreSQL from Debian's packages. Nothing runs as a service: every test, and `make run-pg`,
# starts a private cluster of its own (scripts/pg-cluster.sh: as the postgres user, because
# PostgreSQL refuses to run as root; on a free port of 127.0.0.1, in a temporary folder).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null; then \
	  echo "installing Debian's postgresql"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi

## ---- run --------------------------------------------------------------------------------

# --precompress writes a brotli (-q 11) and a gzip copy beside each asset, served by Accept-Encoding;
# the gzip copies are then written again with gzip -9, which is about 15% smaller than its own.
release-build: tools
	$(STEP_START)
	cargo leptos build --release --precompress
	@for asset in target/site/pkg/*.js target/site/pkg/*.wasm target/site/pkg/*.css; do \
	  gzip -9 -n -k -f "$$asset"; \
	done
	$(STEP_END)

run: release-build
	@echo "Serving TrekMail Tokens at http://$(SITE_ADDR)  (demo password: trekmail-demo)"
	LEPTOS_SITE_ADDR=$(SITE_ADDR) LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=trekmail-tokens \
	TREKMAIL_DEMO=1 ./target/release/trekmail-tokens

# The same app on PostgreSQL: a cluster kept in $(RUN_PG_DIR) (started if needed, stopped when the
# server stops), database `trekmail` seeded with the demo accounts.
RUN_PG_DIR := /tmp/trekmail-run-pg
run-pg: release-build postgres
	@url=$$(scripts/pg-cluster.sh start $(RUN_PG_DIR)); \
	trap '$(CURDIR)/scripts/pg-cluster.sh stop $(RUN_PG_DIR)' EXIT; \
	psql "$$url" -tAc "select 1 from pg_database where datname = 'trekmail'" | grep -q 1 \
	  || psql "$$url" -qc "create database trekmail"; \
	echo "Serving TrekMail Tokens at http://$(SITE_ADDR) on $${url%/postgres}/trekmail  (demo password: trekmail-demo)"; \
	LEPTOS_SITE_ADDR=$(SITE_ADDR) LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=trekmail-tokens \
	TREKMAIL_DEMO=1 DATABASE_URL=$${url%/postgres}/trekmail ./target/release/trekmail-tokens

## ---- test -------------------------------------------------------------------------------

test: times-reset tools chromium postgres fmt-check clippy rust-test rust-test-pg openapi-check e2e e2e-pg floods reliability pg-faults contract
	@echo "---- make test: wall time of each step ----"
	@cat $(STEP_TIMES)

times-reset:
	@mkdir -p target && rm -f $(STEP_TIMES)

fmt-check:
	cargo fmt --check

clippy:
	$(STEP_START)
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings
	$(STEP_END)

# cargo-nextest runs every test in its own process and names any test that overruns its limit
# (.config/nextest.toml: slow at 30 s, killed at 90 s); `timeout` bounds the whole run besides.
rust-test:
	$(STEP_START)
	timeout 15m cargo nextest run --features ssr --no-fail-fast
	$(STEP_END)

# The same suite on PostgreSQL: each test creates a database of its own on a private cluster
# (tests/it/support.rs), stopped and removed afterwards, also when a test fails.
rust-test-pg: postgres
	$(STEP_START)
	@dir=$$(mktemp -d /tmp/trekmail-pg.XXXXXX); \
	trap "$(CURDIR)/scripts/pg-cluster.sh stop $$dir" EXIT; \
	url=$$(scripts/pg-cluster.sh start $$dir); \
	TREKMAIL_TEST_POSTGRES=$$url timeout 15m cargo nextest run --features ssr --no-fail-fast
	$(STEP_END)

# The OpenAPI document the API tests saved, checked against the OpenAPI 3.1 schema.
OPENAPI_VALIDATOR := target/venv/bin/openapi-spec-validator
openapi-check: $(OPENAPI_VALIDATOR)
	$(OPENAPI_VALIDATOR) target/tmp/openapi.json

$(OPENAPI_VALIDATOR):
	@python3 -m venv target/venv 2>/dev/null || { rm -rf target/venv; \
	  echo "installing Debian's python3-venv"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && python3 -m venv target/venv; }
	target/venv/bin/pip install --quiet openapi-spec-validator==0.9.0

# Against the release build (what `make run` serves), so a release-only build failure fails the tests.
# Playwright starts the server (end2end/playwright.config.ts) on its own port with a throw-away
# database seeded with the demo accounts, and ends with a summary naming any failed or flaky test.
e2e: release-build chromium
	$(STEP_START)
	rm -rf target/e2e && mkdir -p target/e2e
	cd end2end && E2E_ADDR=$(E2E_ADDR) npx playwright test
	$(STEP_END)

# The main journeys with two release servers sharing one PostgreSQL database
# (end2end/tests/servers.spec.ts): a token made on one works on both, revoked on the other it is
# refused by both at once, both Audit Logs show it, and the sign-in throttle counts failures made
# on either. The cluster is private and stopped afterwards, also when a test fails.
e2e-pg: release-build chromium postgres
	$(STEP_START)
	@dir=$$(mktemp -d /tmp/trekmail-pg.XXXXXX); \
	trap "$(CURDIR)/scripts/pg-cluster.sh stop $$dir" EXIT; \
	url=$$(scripts/pg-cluster.sh start $$dir); \
	psql "$$url" -qc "create database e2e"; \
	cd end2end && E2E_DATABASE_URL=$${url%/postgres}/e2e npx playwright test -c pg.config.ts
	$(STEP_END)

# PostgreSQL failing under the release servers (scripts/pg_faults.py): down at start (a clear
# message, exit 1), restarted while two servers run (503 with the API's envelope and the
# dashboard's error page, then recovery without restarting them), two servers revoking one token
# at once (one audit event), one Idempotency-Key sent to both at once (one token). Bounded, local.
pg-faults: release-build postgres
	$(STEP_START)
	timeout 3m python3 scripts/pg_faults.py target/release/trekmail-tokens
	$(STEP_END)

# The floods of the hardening review against the release server: a sign-in flood (attempts
# counted before the password check, memory flat), two 2 MiB forwarding bodies (refused at once,
# /healthz stays fast) and a stranger's failures that must not lock the owner out. Bounded, local.
floods: release-build
	$(STEP_START)
	timeout 3m python3 scripts/floods.py target/release/trekmail-tokens
	$(STEP_END)

# The REST API against its own OpenAPI document: schemathesis with every check on the release
# server, each operation called with its kind of token (scripts/contract.py says how and why).
# Bounded: 50 examples per operation with a fixed seed, 10 s per request, schemathesis stopped at
# 150 s (it takes about 65), the script at 180 s; traffic to 127.0.0.1 only.
SCHEMATHESIS := target/venv/bin/schemathesis
contract: release-build $(SCHEMATHESIS)
	$(STEP_START)
	timeout 4m python3 scripts/contract.py target/release/trekmail-tokens
	$(STEP_END)

# hypothesis is pinned too: another version generates other data from the same seed.
$(SCHEMATHESIS): $(OPENAPI_VALIDATOR)
	target/venv/bin/pip install --quiet schemathesis==4.32.5 hypothesis==6.170.17

# The in-process integration suite run 200 times in one process each, under CPU load (the setting
# where a test once hung); prints how many runs passed, failed or hung.
stress:
	bash scripts/stress-tests.sh 200

## ---- figures ----------------------------------------------------------------------------

# Bytes on the wire and time to a working "Create token" for a signed-in owner's first Tokens page
# (empty cache; loopback and a 10 Mbit/s, 40 ms connection), against the targets.
bench-wire: release-build chromium
	rm -rf target/e2e && mkdir -p target/e2e
	cd end2end && E2E_ADDR=$(E2E_ADDR) npx playwright test -c bench.config.ts --reporter=line

# Load with invariants against the release server (scripts/reliability.py): 8 clients creating,
# using and revoking tokens for 10 s, then the audit trail and the API's answers checked; then the
# same with the server killed (SIGKILL) halfway and started again. Bounded, local.
# Then the disk-full and read-only runs (scripts/diskfull.py): the database on a small tmpfs
# mounted for the run (root needed, as CI is), filled to the last byte, then remounted read-only.
reliability: release-build
	$(STEP_START)
	timeout 3m python3 scripts/reliability.py target/release/trekmail-tokens --seconds 10
	timeout 3m python3 scripts/reliability.py target/release/trekmail-tokens --seconds 10 --crash
	timeout 2m python3 scripts/diskfull.py target/release/trekmail-tokens
	$(STEP_END)

# The long version, by hand or nightly (not in `make test`): 16 clients for 5 minutes, then three
# crash runs, the disk-full run, the floods, and each fuzz target for FUZZ_SECONDS. Bounded.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?= token_parser api_json
soak: release-build fuzz-tools
	timeout 8m python3 scripts/reliability.py target/release/trekmail-tokens --seconds 300 --clients 16
	for run in 1 2 3; do \
	  timeout 4m python3 scripts/reliability.py target/release/trekmail-tokens --seconds 60 --clients 16 --crash; \
	done
	timeout 2m python3 scripts/diskfull.py target/release/trekmail-tokens
	timeout 3m python3 scripts/floods.py target/release/trekmail-tokens
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

# Coverage-guided fuzzing (tests/fuzz): the token and Authorization-header parsers, and every
# JSON body the API reads. The first build takes about 15 minutes (the whole server, instrumented,
# on nightly); then each target runs FUZZ_SECONDS from its corpus (kept in target/, so a later run
# starts where the last one ended). A finding stops the run and names its input; --sanitizer none
# because the code fuzzed is safe Rust (a panic or a broken assertion is the finding).
FUZZ := cargo +nightly fuzz
FUZZ_OPTIONS := --fuzz-dir tests/fuzz --target-dir target/fuzz-build --sanitizer none
fuzz: fuzz-tools
	timeout 45m $(FUZZ) build $(FUZZ_OPTIONS)
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p target/fuzz-corpus/$$target; \
	  echo "fuzzing $$target for $(FUZZ_SECONDS) s"; \
	  timeout $$(( $(FUZZ_SECONDS) + 120 )) $(FUZZ) run $(FUZZ_OPTIONS) $$target target/fuzz-corpus/$$target \
	    -- -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048; \
	done

# cargo-fuzz builds with a nightly compiler (libFuzzer's instrumentation).
fuzz-tools:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo fuzz --version >/dev/null 2>&1 || { echo "installing cargo-fuzz"; \
	  $(TOOL_PROFILE) cargo install cargo-fuzz --locked --debug --target-dir target/tools/cargo-fuzz; }

# Every server figure as a ratio to a baseline measured in the same run (scripts/bench.py says
# which): API authentication against /healthz and a bare route, the pages and the API with a small
# against a large account (1M tokens, 10M audit events), memory, and writes per second. Bounded:
# each wrk load runs 5 s, everything to 127.0.0.1; bench/RESULTS.md holds the figures.
bench: bench-wire bench-server

# GET /api/v1/me on SQLite and on PostgreSQL in the same run (requests/s, median, p99), each
# beside /healthz on the same server as its baseline (scripts/bench_api.py). Bounded, local.
bench-api: release-build wrk postgres
	timeout 15m python3 scripts/bench_api.py target/release/trekmail-tokens

# A token's detail page with 1,000,000 logged requests against one with 1,000 (target: under 50 ms;
# scripts/bench_activity.py). Bounded, local.
bench-activity: release-build
	timeout 12m python3 scripts/bench_activity.py target/release/trekmail-tokens

bench-server: release-build wrk
	timeout 60m python3 scripts/bench.py target/release/trekmail-tokens

wrk:
	@if ! command -v wrk >/dev/null; then \
	  echo "installing Debian's wrk"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	fi
