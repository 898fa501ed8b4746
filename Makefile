# helm-oci-operator: one entry point per job. See README.md.
SHELL := /bin/bash
MVN ?= mvn -B -ntp

.PHONY: tools test unit-test build clean

## tools: build or install the real components (kube-apiserver, etcd, kubectl, helm, oras, registries), cached outside the checkout
tools:
	@bash tools/install.sh

## test: THE test command: tools first (cached), then every unit and integration test against the real components
test: tools
	$(MVN) verify

## unit-test: the fast tests only (no external process)
unit-test:
	$(MVN) test

## build: package the application and the helm-oci command without running tests
build:
	$(MVN) -DskipTests package

clean:
	$(MVN) clean

## crds: regenerate the CRD from the Java API types and copy it to deploy/crds (the build fails while they differ)
.PHONY: crds
crds:
	$(MVN) -DskipTests package
	cp target/kubernetes/helmocicharts.helmoci.io-v1.yml deploy/crds/helmocicharts.helmoci.io-v1.yml

## bench: the project's benchmark against the real components (~10 min; QUICK=1 for a 1-2 min smoke run); see docs/benchmarks.md
.PHONY: bench
bench: tools
	QUICK="$(QUICK)" SUITES="$(SUITES)" OPERATOR_COUNTS="$(OPERATOR_COUNTS)" STEADY_INTERVAL="$(STEADY_INTERVAL)" \
	  STEADY_WINDOW="$(STEADY_WINDOW)" RESULTS="$(RESULTS)" bash tools/bench.sh
