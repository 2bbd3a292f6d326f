# policygen: every target installs what it needs, so a fresh clone needs only `make demo` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CACHE := .cache
export GOFLAGS ?= -mod=mod

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
IMAGE_ARCHIVE := dist/policygen-$(VERSION)-oci.tar
IMAGE_DEBS := mmdebstrap umoci skopeo
PIP_COMPILE := $(CACHE)/tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

.PHONY: install test test-unit lint controlplane cluster-up cluster-down demo demo-down bench coverage clean \
	image image-tools lock

## install: create .venv with policygen and its test dependencies as locked in requirements-dev.lock (versions
## and hashes checked). A dependency added to pyproject.toml but not yet locked still installs (unpinned), and
## is named with a warning: `make lock` pins it. (The image refuses to build without it in requirements.lock.)
install: $(BIN)/policygen $(BIN)/.native
$(BIN)/policygen: pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	PIP_FIND_LINKS= $(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python deploy/image/build.py --check-locks || echo "WARNING: the locks are behind pyproject.toml"
	touch $@

## native: the scan's optional native fast path (native/, Rust through maturin; crates pinned by
## native/Cargo.lock). Without cargo the scan reads every record in Python: the same result, slower.
$(BIN)/.native: $(BIN)/policygen native/Cargo.toml native/Cargo.lock native/pyproject.toml native/src/lib.rs
	if command -v cargo >/dev/null; then $(BIN)/pip install -q ./native; \
	else echo "NOTE: cargo not found: policygen scans without its native fast path (docs/architecture.md, "The native fast path")"; fi
	touch $@

## lock: re-pin requirements.lock (the image's), requirements-dev.lock (tests) and the image's build tools (the
## wheels' setuptools, native/'s maturin)
lock:
	test -x $(CACHE)/tools/bin/pip-compile || ($(PYTHON) -m venv $(CACHE)/tools && \
		$(CACHE)/tools/bin/pip install -q pip-tools)
	PIP_FIND_LINKS= $(PIP_COMPILE) -o requirements.lock pyproject.toml
	PIP_FIND_LINKS= $(PIP_COMPILE) --extra dev -o requirements-dev.lock pyproject.toml
	cd deploy/image && PIP_FIND_LINKS= ../../$(PIP_COMPILE) -o requirements-build.lock requirements-build.in

## image-tools: the Debian packages that build and unpack the image without a container engine (root)
image-tools:
	(for tool in $(IMAGE_DEBS); do command -v $$tool >/dev/null || exit 1; done) || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(IMAGE_DEBS) >/dev/null; }

## image: the operator's OCI image at dist/policygen-<version>-oci.tar and its SBOM (skipped when unchanged)
image: install image-tools
	$(BIN)/python deploy/image/build.py

## test: lint, unit and integration tests on the real control plane (built if missing) and on the image
test: install controlplane image
	$(BIN)/ruff check operator tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -ra

## test-unit: the fast tests only (no control plane)
test-unit: install
	$(BIN)/pytest -ra tests/unit

lint: install
	$(BIN)/ruff check operator tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

## controlplane: build kube-apiserver, etcd (and helm) from Go modules into .cache/bin
controlplane:
	bash tests/controlplane/build.sh

## cluster-up / cluster-down: a local control plane with its kubeconfig at .cluster/kubeconfig
cluster-up: install controlplane
	$(BIN)/python -m tests.controlplane.cluster up

cluster-down: install
	$(BIN)/python -m tests.controlplane.cluster down

## demo: control plane + moto S3 with sample logs + operator + a PolicyGeneration, end to end
demo: install controlplane
	bash examples/demo.sh

demo-down: install
	bash examples/demo.sh down

## bench: policygen vs trailscraper on the same generated logs
bench: install
	$(BIN)/python benchmarks/run.py

## coverage: mapping coverage against botocore's service models (each operation mapped, ignored or unmapped)
coverage: install
	$(BIN)/python operator/scripts/coverage.py --resources

clean: cluster-down
	rm -rf $(VENV) $(CACHE) .cluster .demo dist
