# One command to run, one to test. Both create .venv and install CPU torch first (a pinned version, so pip
# never pulls a multi-GB CUDA build), then the project: `run` what running needs, the others the test extras.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TORCH_SPEC ?= torch==2.13.0

.PHONY: run test test-under-load check bench container clean

# torch first (pinned), then the project with the extras given ("" or "[test]")
define install
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e '.$(1)'
	touch $@
endef

$(VENV)/.installed-run: pyproject.toml
	$(call install,)

$(VENV)/.installed: pyproject.toml
	$(call install,[test])

run: $(VENV)/.installed-run
	$(PY) -m app.serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	PATH="$(abspath $(VENV))/bin:$$PATH" scripts/test

test-under-load: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/test-under-load

check: $(VENV)/.installed
	PATH="$(abspath $(VENV))/bin:$$PATH" scripts/check

bench: $(VENV)/.installed
	for b in bench/*.py; do $(PY) $$b || exit 1; done

container:
	scripts/container-smoke --keep-image

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
