# The two commands a new user needs: `make app` and `make test`. Both set everything up first.
.PHONY: setup ui-deps app test check codegen bench fuzz clean

CARGO ?= cargo

setup:
	@scripts/setup.sh

# Until the desktop app lands, "the app" is the floe CLI: build it and check the examples.
app: setup
	$(CARGO) build --release -p floe-cli
	$(CARGO) run -q --release -p floe-cli -- --help
	$(CARGO) run -q --release -p floe-cli -- validate blueprints

# Every test: unit, integration (bad corpus, examples, model providers against loopback vendor
# servers, CLI end to end, the keychain against a real Secret Service, `floe serve`), the
# examples through the real binary, then the UI: generated types current, vitest (stores and
# the blueprint ⇄ canvas round trip), a production build, and Playwright in Chromium against
# `floe serve` with the real engine (screenshots in target/e2e-results/).
test: setup ui-deps
	$(CARGO) build --workspace --all-targets
	scripts/with-keyring.sh $(CARGO) test --workspace --no-fail-fast
	$(CARGO) run -q -p floe-cli -- validate blueprints
	npm run codegen:check
	npm test
	npm run build
	npm run e2e

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

bench:
	$(CARGO) bench -p floe-compiler -p floe-engine

fuzz:
	mkdir -p fuzz/corpus/parse_compile
	cp blueprints/*.json tests/bad/*.json fuzz/corpus/parse_compile/
	cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run parse_compile -- -max_total_time=600 -max_len=65536

clean:
	$(CARGO) clean
