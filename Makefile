# kitascan: `make run` and `make test` set up everything they need on a fresh Debian or Raspberry Pi
# OS machine with Rust and Python's pip: system packages, model files, build.

CARGO ?= cargo
BIN := target/release/kitascan

.PHONY: run test build deps test-deps models lint bench cross-aarch64 cross-armv7

run: deps models build
	$(BIN) demo

test: test-deps models lint
	$(CARGO) test --locked

build:
	$(CARGO) build --release --locked

deps:
	scripts/system-deps run

test-deps:
	scripts/system-deps test

models:
	models/fetch

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

bench: models build
	$(BIN) bench ocr

# Cross builds for Raspberry Pi OS: need `cross` and a container engine (see cross.toml).
cross-aarch64:
	CROSS_CONFIG=cross.toml cross build --release --locked --target aarch64-unknown-linux-gnu

cross-armv7:
	CROSS_CONFIG=cross.toml cross build --release --locked --target armv7-unknown-linux-gnueabihf
