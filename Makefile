# wss.gateway - one entry point for the demo and the whole test suite.
#   make demo   deploy the gateway into a local container and print the wss:// URL and CA
#   make test   lint, sanity, unit, functional and every molecule scenario (one pytest run),
#               and the ansible-core version matrix (tests/matrix)
#   make fuzz   the property-based test of the validator and the site, 10,000 examples
#   make bench  the benchmarks (data path and deployment speed; not part of make test)
#   make ee BASE_IMAGE=...  the execution environment for AWX / Automation Platform
# Both set up what they need on a fresh Debian machine: the Docker engine, the test
# images (cached by content hash), and the pinned Python toolchain in .venv.

SHELL := /bin/bash
# The main venv's Python: the newest ansible-core needs >= 3.12 (requirements-dev.txt).
PYTHON_VERSION ?= 3.13
PYTHON ?= $(shell scripts/find-python.sh $(PYTHON_VERSION) || echo python$(PYTHON_VERSION))
VENV ?= .venv
BIN := $(VENV)/bin
REQ_HASH := $(shell sha256sum requirements-dev.txt | cut -c1-12)
STAMP := $(VENV)/.installed-$(REQ_HASH)
PYTEST_ARGS ?=
# make test's pytest-xdist workers (0: one process). Each takes the next unit of work when it is
# free, long units first (tests/conftest.py); two keep both cores of the test machine busy while
# a scenario waits on its containers.
TEST_JOBS ?= 2

export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export PATH := $(abspath $(BIN)):$(PATH)

# The version matrix (tests/matrix): one venv per ansible-core version under .cache/matrix/V,
# keyed like the main venv on the hash of its requirements file (and of the script).
MATRIX := $(sort $(patsubst tests/matrix/requirements-%.txt,%,$(wildcard tests/matrix/requirements-*.txt)))
matrix_stamp = .cache/matrix/$(1)/.installed-$(shell cat tests/matrix/requirements-$(1).txt scripts/matrix-venv.sh | sha256sum | cut -c1-12)

.PHONY: help setup tool-venvs venv matrix docker images tools collection lint sanity unit test fuzz bench bench-smoke demo demo-clean build ee changelog clean

help:
	@echo "make demo    - deploy wss:// in front of a demo ws echo backend in a local container"
	@echo "make test    - the whole test suite (lint, sanity, unit, functional, molecule)"
	@echo "make bench   - benchmarks: data path and deployment speed (bench-smoke: a quick run)"
	@echo "make fuzz    - 10,000 generated wss_endpoints: refused naming the path, or nginx -t passes"
	@echo "make ee BASE_IMAGE=IMAGE - the execution environment (execution-environment.yml) on IMAGE"
	@echo "make lint | sanity | unit | matrix | fuzz | build | changelog | demo-clean | clean"

venv: $(STAMP)

$(STAMP): requirements-dev.txt
	@[ "$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = \
	  "$(PYTHON_VERSION)" ] || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# A version whose Python is missing is reported and left out (no stamp: its tests skip);
# under CI=true the script fails instead.
matrix: $(foreach v,$(MATRIX),$(call matrix_stamp,$(v)))

define matrix_venv
$(call matrix_stamp,$(1)): tests/matrix/requirements-$(1).txt scripts/matrix-venv.sh
	scripts/matrix-venv.sh $(1)
endef
$(foreach v,$(MATRIX),$(eval $(call matrix_venv,$(v))))

docker:
	@scripts/ensure-docker.sh

images: docker
	@mkdir -p .cache
	@scripts/build-images.sh > .cache/images.env
	@cat .cache/images.env

# Real peers the tests run on this machine: Chromium, NSS tools, testssl.sh.
tools: docker
	@scripts/ensure-host-tools.sh

# Test tools whose pins the toolchain does not share, each in a venv of its own.
tool-venvs:
	@scripts/tool-venv.sh galaxy-importer >/dev/null
	@scripts/tool-venv.sh sslyze >/dev/null

# The checkout, linked as ansible_collections/wss/gateway for ansible and molecule.
collection:
	@mkdir -p .cache/collections/ansible_collections/wss
	@ln -sfn $(CURDIR) .cache/collections/ansible_collections/wss/gateway

lint: venv collection
	$(BIN)/python -m pytest -m quality -p no:cacheprovider tests/test_quality.py

sanity: venv
	scripts/sanity.sh

unit: venv collection
	$(BIN)/python -m pytest tests/unit

# The property-based test with many more examples than `make test` runs (FUZZ_EXAMPLES).
FUZZ_EXAMPLES ?= 10000
fuzz: venv tools collection
	WSS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider \
	  --hypothesis-show-statistics tests/unit/roles/proxy/test_site_fuzz.py

# The setup steps run side by side (pip and debootstrap wait on the network, not on each
# other); only apt must run one at a time, so `tools` waits for `docker`.
SETUP := venv matrix images tools collection tool-venvs
setup:
	@$(MAKE) --no-print-directory -j6 --output-sync=target $(SETUP)

test: setup
	set -a && source .cache/images.env && set +a && \
	  $(BIN)/python -m pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

# Every benchmark runs even when an earlier one misses a target; the status is non-zero when
# one misses a target (1) or fails (2). The data path runs on bookworm, then on trixie.
# BENCH_ARGS is passed to all (e.g. BENCH_ARGS=--smoke, as bench-smoke does). PEER_ROLE is a
# local copy of geerlingguy/ansible-role-nginx for the deployment's peer column (issue 19;
# .cache/peers/geerlingguy.nginx when it is there); without it that column says why it is
# missing.
BENCH_ARGS ?=
PEER_ROLE ?= $(wildcard .cache/peers/geerlingguy.nginx)
bench: venv docker images collection
	set -a && source .cache/images.env && set +a && rc=0 && \
	  { $(BIN)/python benchmarks/bench_datapath.py $(BENCH_ARGS) || rc=$$?; } && \
	  { $(BIN)/python benchmarks/bench_datapath.py --release trixie \
	      --chart benchmarks/output/datapath-trixie.png $(BENCH_ARGS) || rc=$$?; } && \
	  { $(BIN)/python benchmarks/bench_deploy.py $(BENCH_ARGS) \
	      $(if $(PEER_ROLE),--peer-role $(PEER_ROLE)) || rc=$$?; } && \
	  exit $$rc

bench-smoke:
	$(MAKE) bench BENCH_ARGS=--smoke

build: venv
	@mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

# The execution environment of execution-environment.yml on the base image BASE_IMAGE (no
# default: name your organisation's EE base), tagged EE_IMAGE: the collection tarball of this
# checkout and community.crypto are built into .cache/ee/collections first (scripts/build-ee.sh).
BASE_IMAGE ?=
EE_IMAGE ?= wss-gateway-ee:$(VERSION)
ee: venv docker
	BASE_IMAGE='$(BASE_IMAGE)' EE_IMAGE='$(EE_IMAGE)' VENV='$(VENV)' scripts/build-ee.sh

# CHANGELOG.rst and changelogs/changelog.yaml for the version in galaxy.yml, from every
# fragment in changelogs/fragments (kept) and the plugins' short descriptions. Re-run after
# adding or changing a fragment; tests/test_collection.py checks that nobody forgot.
VERSION := $(shell awk '/^version:/ {print $$2}' galaxy.yml)
RELEASE_DATE ?= $(shell awk -v v="$(VERSION):" '$$1 == v {f=1} f && /release_date:/ {gsub(/[^0-9-]/, "", $$2); print $$2; exit}' changelogs/changelog.yaml)
changelog: venv collection
	$(BIN)/antsibull-changelog release --version $(VERSION) \
	  --date $(or $(RELEASE_DATE),$(shell date -u +%F)) --update-existing \
	  --refresh-fragments --reload-plugins --refresh-plugins

demo: venv images collection
	set -a && source .cache/images.env && set +a && \
	  $(BIN)/ansible-playbook -i demo/inventory.yml demo/demo.yml

demo-clean:
	-docker rm -f wss-gateway-demo

clean: demo-clean
	rm -rf build .cache .pytest_cache tests/output
