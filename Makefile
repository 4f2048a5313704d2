# The two commands a new user needs: `make app` and `make test`. Both set everything up first.
.PHONY: setup ui-deps app test check codegen bench fuzz clean

CARGO ?= cargo

setup:
	@scripts/setup.sh

# Build the desktop app (release, with the UI embedded) and start it on the examples folder.
# One cargo invocation builds the app and the `floe` CLI together, so the crates they share are
# compiled once, with one set of features. `npx tauri build` makes the .deb (bundle in
# target/release/bundle/deb/).
app: setup ui-deps
	npm run build
	$(CARGO) build --release -p floe-app -p floe-cli --features floe-app/custom-protocol
	$${CARGO_TARGET_DIR:-target}/release/floe-app blueprints

# Every test: unit, integration (bad corpus, examples, model providers against loopback vendor
# servers, CLI end to end, the keychain against a real Secret Service, `floe serve`), the
# examples through the real binary, then the UI: generated types current, vitest (stores and
# the blueprint ⇄ canvas round trip), `floe mcp` driven by the official MCP TypeScript SDK, Playwright in Chromium against `floe serve` with the real
# engine, and the desktop app under Xvfb through tauri-driver (screenshots in
# target/e2e-results/). The UI is built first: the app embeds it.
test: setup ui-deps
	npm run codegen:check
	npm run build
	$(CARGO) build --workspace --all-targets
	# Snapshots and fixtures are found from where the tests run, not where they were compiled: a
	# shared build cache can hold tests compiled in another checkout (`floe_fakes::repository`).
	INSTA_WORKSPACE_ROOT=$(CURDIR) scripts/with-keyring.sh $(CARGO) test --workspace --no-fail-fast
	$(CARGO) run -q -p floe-cli -- validate blueprints
	npm test
	npm run test:mcp
	scripts/with-keyring.sh npm run e2e
	$(CARGO) build -p floe-app --features floe-app/custom-protocol
	npm run e2e:desktop

# The UI's packages, exactly as locked.
ui-deps:
	npm ci --no-audit --no-fund --loglevel=error

# The verify gate: formatting, lints as errors, generated files up to date, examples canonical.
check: setup
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) xtask codegen --check
	$(CARGO) run -q -p floe-cli -- fmt --check blueprints

codegen: ui-deps
	$(CARGO) xtask codegen
	npm run codegen

bench: ui-deps
	$(CARGO) bench -p floe-compiler -p floe-engine
	$(CARGO) build --release -p floe-cli
	python3 scripts/bench-run-memory.py
	npm run build
	$(CARGO) build -p floe-cli -p floe-fakes --bins
	node scripts/bench-run-ui.mjs

fuzz:
	mkdir -p fuzz/corpus/parse_compile
	cp blueprints/*.json tests/bad/*.json fuzz/corpus/parse_compile/
	cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run parse_compile -- -max_total_time=600 -max_len=65536

clean:
	$(CARGO) clean
