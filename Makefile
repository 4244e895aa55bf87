# One command to run, one to test. Both create .venv and install CPU torch first (a pinned version, so pip
# never pulls a multi-GB CUDA build), then the project.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TORCH_SPEC ?= torch==2.13.0

.PHONY: run test check bench container clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(PY) -m app.serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/test

check: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/check

bench: $(VENV)/.installed
	for b in bench/*.py; do $(PY) $$b || exit 1; done

container:
	../shared/tools/container-smoke.sh --keep-image --path /healthz .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
