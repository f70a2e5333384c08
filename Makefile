# Two commands do everything on a fresh clone:
#   make demo   install, check the seed glossary and list its terms in the seed articles (no model
#               needed), then translate the seed articles held to the glossary and score them
#   make test   install, then run the linter, the type checker and the test suite (CI: .ci/run)
# MODEL=<hub id or local MarianMT directory> picks the model for the demo.

PYTHON ?= python3
VENV   ?= .venv
MODEL  ?= Helsinki-NLP/opus-mt-vi-en
OUT    ?= out
BIN     = $(VENV)/bin

.PHONY: install demo test bench bench-quality clean

$(BIN)/songngu: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	@touch $@

install: $(BIN)/songngu

demo: install
	@echo "== Needs no model: check the seed glossary, then find its terms in the seed articles"
	$(BIN)/songngu glossary check seeds/glossary.csv && echo "seeds/glossary.csv: no problems"
	for article in seeds/*.txt; do $(BIN)/songngu glossary match $$article -g seeds/glossary.csv || exit 1; done
	@echo "== Translate with $(MODEL) (without the model at hand this stops here, with one line saying why)"
	$(BIN)/songngu translate seeds/*.txt --glossary seeds/glossary.csv --model $(MODEL) --out $(OUT)
	$(BIN)/songngu evaluate --hyp $(OUT)/*.jsonl --ref seeds/reference/*.po --glossary seeds/glossary.csv \
		--report $(OUT)/report.html

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy  # strict over the package, songngu.* (configured in pyproject.toml)
	$(BIN)/pytest  # not `python -m`: that puts the checkout first on sys.path, where translate/ would shadow Translate Toolkit

# Speed benchmarks on random models (no network). bench_precision_quality.py needs the real model:
# `make bench-quality` on a connected machine.
bench: install
	for script in $(filter-out benchmarks/bench_precision_quality.py,$(wildcard benchmarks/bench_*.py)); do \
		$(BIN)/python $$script || exit 1; done

bench-quality: install
	$(BIN)/python benchmarks/bench_precision_quality.py --model $(MODEL)

clean:
	rm -rf $(OUT) .pytest_cache .hypothesis .mypy_cache
