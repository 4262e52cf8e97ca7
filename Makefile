# The two commands a user needs: `make test` and `make figures`. Both install what is missing.
SWIFT ?= swift
CONFIG ?= release
APT_PACKAGES := libopenblas-dev liblapacke-dev gnuplot-nox libgnuplot-iostream-dev libboost-iostreams-dev libboost-filesystem-dev libboost-system-dev pandoc chromium poppler-utils curl
## Python packages the tests use: nbformat validates `notebook export --ipynb`, nbconvert opens it.
PIP_PACKAGES := nbformat nbconvert
BIN := .build/$(CONFIG)

.PHONY: deps build test test-kernels bench figures verify references fuzz clean slurm-up slurm-down test-slurm

## deps: install the Debian packages the build and tests need, when missing (apt-get; sudo unless root).
## chromium is for the test that screenshots a rendered report and the preview's reload, poppler-utils (pdftotext) for the test
## that reads a report's print, curl for the preview's tests.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c "import nbformat, nbconvert" 2>/dev/null || { echo "make deps: installing $(PIP_PACKAGES) (pip)"; \
	  python3 -m pip install --quiet $(PIP_PACKAGES) || echo "make deps: pip could not install $(PIP_PACKAGES): ExportTests will skip their check (and fail it under CI=true)"; }

build: deps
	$(SWIFT) build -c $(CONFIG)

## test: every test, in release mode (the numerics are slow in debug), against the fixtures in Tests/Fixtures
test: build data/ml-100k
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing

## test-kernels: the numerical suites again under other OpenBLAS kernels than the machine's own
## (OPENBLAS_CORETYPE; Debian's OpenBLAS picks its kernels at run time, DYNAMIC_ARCH), so a result that
## holds only on one kernel's round-off fails here. CI runs it after `make test` (the native kernel).
## The MovieLens tests are left out here (4 minutes each; their minimum is certified by its own bounds).
## All five kernels a machine may fall back to run, each in turn (an unknown CPU gets Prescott: the
## Xeon of a fresh machine did): 47 to 88 s each on this 2-core machine under other builds' load, 5
## minutes in all, which keeps CI's .ci/run under its 30 minutes (about 20). It prints each kernel's time.
## Every kernel runs even after one fails; the failing ones are named at the end (exit 1).
## OPENBLAS_KERNELS="Prescott Zen" runs just those.
KERNEL_SUITES := LinearAlgebraTests ImplicitRegularizationTests FactorizeTests
OPENBLAS_KERNELS ?= Prescott Nehalem Sandybridge Haswell Zen
test-kernels: build
	$(SWIFT) build -c $(CONFIG) --build-tests
	@echo "make test-kernels: kernels $(strip $(OPENBLAS_KERNELS))"
	@failed=""; for kernel in $(OPENBLAS_KERNELS); do \
	  echo "make test-kernels: $(KERNEL_SUITES) under OPENBLAS_CORETYPE=$$kernel"; \
	  start=$$(date +%s); \
	  if OPENBLAS_CORETYPE=$$kernel $(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing \
	    $(foreach suite,$(KERNEL_SUITES),--filter '^$(suite)\.') --skip MovieLens; \
	  then echo "make test-kernels: $$kernel passed in $$(( $$(date +%s) - start )) s"; \
	  else echo "make test-kernels: $$kernel FAILED after $$(( $$(date +%s) - start )) s"; failed="$$failed $$kernel"; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "make test-kernels: failed under$$failed"; exit 1; fi

## bench: our solvers against numpy (and cvxpy when installed), side by side, as ratios; limit-probe --check:
## Figures 1–2's runs taken to their limit by the flow against gradient descent run to its own limit
bench: build
	$(BIN)/factorize-bench
	$(BIN)/factorize-bench --small-kernels
	$(BIN)/limit-probe --check
	Benchmarks/notebook-bench.sh

## figures: every Notebooks/*.md → Figures/ (reports, figure*.svg/.png, data/, index.html).
## QUICK=1: the quick profile (smaller grids, labelled in every report) into Figures/quick/.
FIGURES_OUT := $(if $(QUICK),Figures/quick,Figures)
figures: build data/ml-100k
	$(BIN)/notebook run --out $(FIGURES_OUT) $(if $(QUICK),--param quick=true)
	.ci/check-figures $(FIGURES_OUT)

## verify: did a render on this machine reproduce the committed one? Re-renders (QUICK=1: the quick profile)
## into .verify/ (git-ignored; the cache serves what this machine already computed) and compares every table,
## column by column, and every verdict with the reference: Figures/ for the full profile, References/quick/
## for the quick one (`notebook verify`: identical, within the tolerance each notebook declares in its
## front matter's verify:, or beyond it). A summary on the terminal, the details in .verify/PROFILE/verify.html;
## exit 1 when a table is beyond its tolerance or a verdict changed.
VERIFY_REFERENCE := $(if $(QUICK),References/quick,Figures)
VERIFY_OUT := $(if $(QUICK),.verify/quick,.verify/full)
verify: build data/ml-100k
	@status=0; $(BIN)/notebook run --out $(VERIFY_OUT) $(if $(QUICK),--param quick=true) || status=$$?; \
	$(BIN)/notebook verify --reference $(VERIFY_REFERENCE) --candidate $(VERIFY_OUT) || status=1; exit $$status

## references: the quick profile's tables and verdicts as the committed references of `make verify QUICK=1`
## (References/quick/data/NAME/*.tsv), from a quick render of this machine. Commit them with the code that made them.
references: build data/ml-100k
	$(BIN)/notebook run --out Figures/quick --param quick=true
	rm -rf References/quick && mkdir -p References/quick && cp -R Figures/quick/data References/quick/data

## data/ml-100k: MovieLens-100k is never committed (its licence forbids redistribution). When the
## folder is missing and ../shared/data/ml-100k exists, link to it; otherwise Figure 3 (iv) says how to get it.
data/ml-100k:
	@if [ -f ../shared/data/ml-100k/ua.base ]; then mkdir -p data && ln -sfn ../../shared/data/ml-100k data/ml-100k && echo "make: data/ml-100k → ../shared/data/ml-100k"; \
	else echo "make: no MovieLens-100k in data/ml-100k or ../shared/data/ml-100k: Figure 3 (iv) will say how to get it"; fi

## fuzz: libFuzzer over the problem-file reader and the notebook parser, FUZZ_SECONDS (60) each, from
## the seeds in Fuzz/corpus; crashing inputs into Fuzz/artifacts/ (git-ignored). Fuzz/run.sh says more.
fuzz: deps
	Fuzz/run.sh

## slurm-up: a one-machine Slurm cluster (slurmctld, slurmd, slurmdbd with MariaDB, munged on 127.0.0.1, partition
## `local`, 2 CPUs; `sacct` works) for the Slurm executor's tests, installing slurm-wlm, munge, slurmdbd and
## mariadb-server when missing; its state, database, logs and pid files in
## .slurm/ (git-ignored). A second call does nothing while the cluster answers. slurm-down stops what slurm-up
## started. Nothing else needs Slurm: without it the Slurm tests skip. docs/slurm.md says more.
slurm-up:
	Scripts/slurm/slurm-up

slurm-down:
	Scripts/slurm/slurm-down

## test-slurm: the Slurm executor's tests (SlurmExecutorTests, NotebookWorkerTests) against the local cluster,
## started first when it is not up (it stays up: make slurm-down). About 40 s after the build and the notebook
## kernel's (figure4.md's run through Slurm builds it once when missing: minutes, shared with make figures).
test-slurm: slurm-up
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing --filter '\.SlurmExecutorTests/' --filter '\.NotebookWorkerTests/'

clean:
	rm -rf .build .build-fuzz
