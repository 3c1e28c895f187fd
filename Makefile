# Everything a fresh machine needs: `make demo` and `make test` create .venv themselves.
PYTHON  := $(shell tools/find-python)
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test lint format bench figures clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,interop,video,plot,mat,dask]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/posebridge demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: $(STAMP) lint
	$(BIN)/python -m pytest --hypothesis-profile=ci

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

# The README's pictures, drawn by `posebridge plot` from a bundled sample (tests/plot/test_cli_plot.py
# runs these lines into a temporary folder, so the target keeps working).
FIGURES_DIR := docs
SAMPLE      := src/posebridge/data/posebridge_two-mice_2D.nc

figures: $(STAMP)
	$(BIN)/posebridge plot $(SAMPLE) --kind trajectories --out $(FIGURES_DIR)/two-mice.trajectories.png --overwrite
	$(BIN)/posebridge plot $(SAMPLE) --kind skeleton --frame 30 --out $(FIGURES_DIR)/two-mice.skeleton.png --overwrite
	$(BIN)/posebridge plot $(SAMPLE) --kind missing --out $(FIGURES_DIR)/two-mice.missing.png --overwrite

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
