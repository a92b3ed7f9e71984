# A fresh clone needs nothing but Python 3.11: the first target creates .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean deploy-topics

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# exec hands the terminal's signals straight to photostream, so killing make
# (or Ctrl-C) reaches the process that owns the stack.
run: $(STAMP)
	@exec $(BIN)/photostream run $(if $(ONCE),--once)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

# End-to-end benchmarks (not part of CI): ceilings, throughput, latency, replay, soak.
# BENCH_SOAK_UPLOADS=20000 shortens the soak; results in tests/bench/results/.
bench: $(STAMP)
	$(BIN)/python -m tests.bench.e2e

# The Strimzi KafkaTopic manifests, regenerated from the code's topic
# definitions (tests/deploy fails while they disagree).
deploy-topics: $(STAMP)
	for overlay in dev prod; do \
	  $(BIN)/python -m streams.ops.strimzi_topics \
	    --env-file deploy/k8s/base/settings.env \
	    --env-file deploy/k8s/overlays/$$overlay/settings.env \
	    --output deploy/k8s/overlays/$$overlay/topics.yaml; \
	done

clean:
	rm -rf $(VENV) build *.egg-info
