# The one task runner. `make local` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.13 from PATH (pyenv shims that cannot run it are skipped), else from pyenv's usual home;
# override with `make PYTHON=/path/to/python3.13`.
PYTHON ?= $(shell for p in $$(command -v python3.13) $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null | sort -rV); do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
# checkov pins boto3, networkx and packaging far below ours: it lives in a virtualenv of its own,
# installed from a lock of its whole dependency tree.
CHECKOV_VENV := .venv-checkov
PY_DIR = $(dir $(PYTHON))
BOTOCORE_DATA := layers/inquiry_router/inquiry_router/adapters/botocore-data/BOTOCORE_VERSION

.PHONY: help venv sam-venv local test lint iac-scan typecheck unit integration browser bench mail-domains botocore-data openapi build deploy cfn-lint clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/activate: pyproject.toml layers/inquiry_router/pyproject.toml admin/pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.13 not found: install it or run make PYTHON=/path/to/python3.13"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group dev -e layers/inquiry_router -e admin
	@touch $(BIN)/activate

venv: $(BIN)/activate $(BOTOCORE_DATA)  ## create the virtualenv (python3.13) with the package installed editable

# The functions' clients read botocore's data for their few services from a copy beside the package
# (adapters/botocore_data.py: a client in a third of the time). Made from the botocore installed,
# again whenever the virtualenv is remade; `make build` makes the built layer's own.
$(BOTOCORE_DATA): $(BIN)/activate layers/inquiry_router/inquiry_router/adapters/botocore_data.py
	$(BIN)/python -m inquiry_router.adapters.botocore_data

botocore-data: $(BOTOCORE_DATA)  ## copy botocore's data for the functions' services beside the package

local: venv  ## run the whole pipeline on an embedded local stack (API on :3000, AWS on :4566)
	$(BIN)/inquiry-router local up

test: venv lint typecheck  ## the whole suite: lint, types, unit, integration, template and browser tests
	$(BIN)/pytest

lint: venv iac-scan  ## ruff lint + format check, import layers (import-linter), cfn-lint, checkov
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml

# Offline (no Prisma Cloud download); fails on any finding not suppressed in the resource's own
# Metadata (checkov: skip: - id, comment). TEMPLATE= scans another file (the scanner's own test).
TEMPLATE ?= template.yaml
iac-scan: $(CHECKOV_VENV)/bin/checkov  ## checkov security scan of template.yaml
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download \
		--framework cloudformation --file $(TEMPLATE)

$(CHECKOV_VENV)/bin/checkov: requirements-checkov.txt
	@test -n "$(PYTHON)" || { echo "python3.13 not found: install it or run make PYTHON=/path/to/python3.13"; exit 1; }
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-checkov.txt
	@touch $@

typecheck: venv  ## mypy --strict
	$(BIN)/mypy

mail-domains: venv  ## regenerate the free-mail and disposable-domain lists from their pinned packages
	$(BIN)/python -m inquiry_router_admin.mail_domain_lists

openapi: venv  ## regenerate docs/openapi.json from the API's models
	$(BIN)/inquiry-router openapi > docs/openapi.json

bench: venv  ## run the benchmarks and append the figures to bench/RESULTS.md
	$(BIN)/python bench/run_all.py

# The SAM CLI and the translator it runs (its pydantic pin clashes with ours): `sam build` and
# tests/infrastructure/test_transformed_template.py use this one.
$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli==1.170.0" "aws-sam-translator==1.115.0"

sam-venv: $(SAM_VENV)/bin/sam  ## the SAM CLI and its translator, in a virtualenv of their own

# Lambda's /opt and /var/task are read-only: Python cannot cache the bytecode it compiles there, so
# a layer without __pycache__ is compiled from source at every cold start (the intake: about 3.4x
# its start with bytecode, bench/RESULTS.md, issue 10). sam build ships none; we compile what it
# built, as unchecked-hash .pyc files (valid whatever mtimes the zip gives the sources).
SAM_BUILD_DIR ?= .aws-sam/build
build: $(SAM_VENV)/bin/sam  ## sam build (no Docker needed: python3.13 is put on PATH), then bytecode
	PATH="$(PY_DIR):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build --build-dir $(SAM_BUILD_DIR) $(SAM_BUILD_FLAGS)
	PYTHONPATH=$(SAM_BUILD_DIR)/InquiryRouterLayer/python $(PYTHON) -m inquiry_router.adapters.botocore_data \
		$(SAM_BUILD_DIR)/InquiryRouterLayer/python/inquiry_router/adapters/botocore-data
	$(PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash $(SAM_BUILD_DIR)

deploy: build  ## make build, then sam deploy --guided
	PATH="$(PY_DIR):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy --guided --template-file $(SAM_BUILD_DIR)/template.yaml

clean:  ## remove the virtualenvs, build output and local state
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .local
