# helm-oci-operator: one entry point per job. See README.md.
SHELL := /bin/bash
MVN ?= mvn -B -ntp

.PHONY: tools test unit-test build clean

## tools: build or install the real components (kube-apiserver, etcd, kubectl, helm, oras, registries), cached outside the checkout
tools:
	@bash tools/install.sh

## test: THE test command: tools first (cached), the operator image (its base cached; the E2E tests run it), then every unit, integration and end-to-end test against the real components
test: tools image
	$(MVN) verify

## unit-test: the fast tests only (no external process)
unit-test:
	$(MVN) test

## build: package the application and the helm-oci command without running tests
build:
	$(MVN) -DskipTests package

clean:
	$(MVN) clean

## help: this list: every target with what it does
.PHONY: help
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## format: format the Java sources as the build checks them (Spotless, palantir-java-format)
.PHONY: format
format:
	$(MVN) spotless:apply

## crds: regenerate the CRDs (HelmOciChart, HelmOciReceiver) from the Java API types and copy it to deploy/crds (the build fails while they differ)
.PHONY: crds
crds: build
	cp target/kubernetes/helmocicharts.helmoci.io-v1.yml deploy/crds/helmocicharts.helmoci.io-v1.yml
	cp target/kubernetes/helmocicharts.helmoci.io-v1.yml deploy/chart/helm-oci-operator/crds/helmocicharts.helmoci.io-v1.yml
	cp target/kubernetes/helmocireceivers.helmoci.io-v1.yml deploy/crds/helmocireceivers.helmoci.io-v1.yml
	cp target/kubernetes/helmocireceivers.helmoci.io-v1.yml deploy/chart/helm-oci-operator/crds/helmocireceivers.helmoci.io-v1.yml

## demo: THE first command: a local kube-apiserver and registry, a chart pushed with helm, the operator making a HelmOciChart Ready; Ctrl-C stops it (ONCE=1: show the result and exit)
.PHONY: demo
TEST_CLASSPATH := target/test-classpath.txt
demo: tools $(TEST_CLASSPATH)
	@ONCE=$(ONCE) bash tools/demo.sh

# The packaged operator, the test bed classes and their classpath (for demo and bench, which run
# test-scope entry points); rebuilt only when a source changed.
$(TEST_CLASSPATH): pom.xml $(shell find src -type f 2>/dev/null)
	@echo "building the operator and the test bed: $(MVN) -q -DskipTests package"
	@$(MVN) -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$(TEST_CLASSPATH)
	@touch $@

## run: the operator against the cluster of the current kubeconfig (apply deploy/crds first); artifacts on http://localhost:8080
.PHONY: run
run: target/quarkus-app/quarkus-run.jar
	HELMOCI_LEADER_ELECTION_LEASE_NAMESPACE=$${HELMOCI_LEADER_ELECTION_LEASE_NAMESPACE:-default} java -jar target/quarkus-app/quarkus-run.jar

target/quarkus-app/quarkus-run.jar: pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package
	@touch $@

## bench: the project's benchmark against the real components (~10 min; QUICK=1 for a 1-2 min smoke run); see docs/benchmarks.md
.PHONY: bench
bench: tools $(TEST_CLASSPATH)
	QUICK="$(QUICK)" SUITES="$(SUITES)" OPERATOR_COUNTS="$(OPERATOR_COUNTS)" STEADY_INTERVAL="$(STEADY_INTERVAL)" \
	  STEADY_WINDOW="$(STEADY_WINDOW)" RESULTS="$(RESULTS)" bash tools/bench.sh

## bench-cluster: the operator pod in the real single-node cluster (root): the image and the chart's defaults, 1000 HelmOciCharts, memory against the pod's limit (~10 min; OPERATOR_COUNTS=N, STEADY_INTERVAL, STEADY_WINDOW, NMT=1); see docs/benchmarks.md
.PHONY: bench-cluster
bench-cluster: tools image $(TEST_CLASSPATH)
	SUITES=cluster OPERATOR_COUNTS="$(or $(OPERATOR_COUNTS),1000)" STEADY_INTERVAL="$(or $(STEADY_INTERVAL),1m)" \
	  STEADY_WINDOW="$(or $(STEADY_WINDOW),2m30s)" RESULTS="$(or $(RESULTS),docs/benchmarks/results-$$(date -u +%Y-%m-%d)-cluster.json)" \
	  NMT="$(NMT)" bash tools/bench.sh

## image: the operator image without a daemon (tools/image.sh): Debian base (cached by recipe) + Jib layers -> $(IMAGE_TAR); PUSH=host:port/name:tag also pushes it
.PHONY: image
IMAGE_TAR ?= $(CURDIR)/target/helm-oci-operator-image.tar
image:
	@IMAGE_TAR="$(IMAGE_TAR)" MVN="$(MVN)" bash tools/image.sh build
	@if [ -n "$(PUSH)" ]; then IMAGE_TAR="$(IMAGE_TAR)" bash tools/image.sh push "$(PUSH)"; fi

## chart: package deploy/chart/helm-oci-operator into target/chart; PUSH=host:port/path also pushes it as oci://host:port/path/helm-oci-operator
.PHONY: chart
chart: tools
	@bash tools/chart.sh $(PUSH)

## manifests: render deploy/manifests from the chart (ChartManifestsCheckedInIT fails while they differ)
.PHONY: manifests
manifests: tools
	@bash tools/manifests.sh

## cluster: a real single-node cluster (etcd, kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, containerd, a registry) in its own network namespace; prints the admin kubeconfig (root only; see tools/cluster/cluster.sh)
.PHONY: cluster cluster-down
cluster: tools
	@bash tools/cluster/cluster.sh up
	@echo "kubectl: $$(sed -n 's/^kubectl=//p' $${HELM_OCI_TOOLS_DIR:-$$HOME/.cache/helm-oci-operator/tools}/tools.properties) --kubeconfig $${HELM_OCI_CLUSTER_DIR:-/var/tmp/helm-oci-cluster}/admin.kubeconfig get nodes; stop it with: make cluster-down"

## cluster-down: stop the cluster of 'make cluster' and undo every host change it made
cluster-down:
	@bash tools/cluster/cluster.sh down
