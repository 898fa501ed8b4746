// Pins Flux's source-controller module for its CRDs only (issue 12): the test bed installs
// config/crd/bases/source.toolkit.fluxcd.io_externalartifacts.yaml into the test kube-apiserver.
// v1.7.3 is the source-controller of the Flux release that ships helm-controller v1.4.3
// (tools/go/helm-controller); nothing here is built.
module helmoci.dev/tools/source-controller

go 1.26.0

require github.com/fluxcd/source-controller v1.7.3
