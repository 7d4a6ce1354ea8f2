# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE := facts/examples/tongchuan

.PHONY: run serve test bench clean

$(BIN)/wenze: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/wenze
	$(BIN)/wenze validate $(EXAMPLE)
	$(BIN)/wenze trace $(EXAMPLE)

serve: $(BIN)/wenze
	$(BIN)/wenze serve $(EXAMPLE)

test: $(BIN)/wenze
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest

bench: $(BIN)/wenze
	$(BIN)/python bench/trace_bench.py
	$(BIN)/python bench/load_bench.py
	$(BIN)/python bench/web_bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
