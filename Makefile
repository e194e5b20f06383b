# kitascan: `make run` and `make test` set up everything they need on a fresh Debian or Raspberry Pi
# OS machine with Rust and Python's pip: system packages, model files, build.

CARGO ?= cargo
BIN := target/release/kitascan

.PHONY: run test build deps test-deps models quantized lint bench deb cross-aarch64 cross-armv7

# The kiosk daemon on the built-in configuration: the camera when this machine has one, else a
# replay of a generated tray scene (fake identities), so the whole loop runs anywhere. Open
# http://127.0.0.1:8080/ for the kiosk page; Ctrl-C stops it.
DEMO_TRAY := target/demo-tray
DB ?= target/kitascan.db
run: deps models build
	@if ls /dev/video* >/dev/null 2>&1; then \
		echo "make run: camera found; kitascan run --source camera:0"; \
		KITASCAN_LOG=$${KITASCAN_LOG:-info} $(BIN) run --source camera:0 --led log --db $(DB); \
	else \
		[ -f $(DEMO_TRAY)/scene.json ] || $(BIN) synth $(DEMO_TRAY) --tray --width 1920 --height 1080; \
		echo "make run: no camera here; replaying the generated tray scene $(DEMO_TRAY)"; \
		KITASCAN_LOG=$${KITASCAN_LOG:-info} $(BIN) run --source replay:$(DEMO_TRAY) --fps 5 --led log --db $(DB); \
	fi

test: test-deps models quantized lint
	KITASCAN_REQUIRE_INT8=1 $(CARGO) test --locked

build:
	$(CARGO) build --release --locked

deps:
	scripts/system-deps run

test-deps:
	scripts/system-deps test

# A Debian package of the native build (needs `cargo install cargo-deb`); for the Pi, cross-build
# first and pass --target (see README.md).
deb: models build
	cargo deb --no-build

models:
	models/fetch

# The int8 variants of the models (`--precision int8`; tests/quantized.rs reads with them).
# Calibrated with the debug build, which `cargo test` builds anyway; a no-op once they exist.
quantized: models
	KITASCAN_PROFILE=debug CARGO="$(CARGO)" models/quantize

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

bench: models build
	$(BIN) bench ocr
	$(BIN) bench gate

# Cross builds for Raspberry Pi OS: need `cross` and a container engine (see cross.toml).
cross-aarch64:
	CROSS_CONFIG=cross.toml cross build --release --locked --target aarch64-unknown-linux-gnu

cross-armv7:
	CROSS_CONFIG=cross.toml cross build --release --locked --target armv7-unknown-linux-gnueabihf
