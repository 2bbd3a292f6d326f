# policygen: every target installs what it needs, so a fresh clone needs only `make demo` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CACHE := .cache
export GOFLAGS ?= -mod=mod

.PHONY: install test test-unit lint controlplane cluster-up cluster-down demo demo-down bench coverage clean

## install: create .venv with policygen and its test dependencies (idempotent)
install: $(BIN)/policygen
$(BIN)/policygen: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

## test: lint, unit and integration tests on the real control plane (built if missing)
test: install controlplane
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
	$(BIN)/python operator/scripts/coverage.py

clean: cluster-down
	rm -rf $(VENV) $(CACHE) .cluster .demo
