# kitascan: `make run` and `make test` set up everything they need on a fresh Debian or Raspberry Pi
# OS machine with Rust and Python's pip: system packages, model files, build.

CARGO ?= cargo
BIN := target/release/kitascan

.PHONY: run test build deps test-deps models lint bench clean-models

run: deps models build
	$(BIN) demo

test: test-deps models lint
	$(CARGO) test --release --locked

build:
	$(CARGO) build --release --locked

deps:
	scripts/system-deps build

test-deps:
	scripts/system-deps test

models:
	models/fetch

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

bench: models build
	$(BIN) bench ocr
