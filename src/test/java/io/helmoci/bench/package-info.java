/**
 * The project's benchmark ({@code make bench}): the engine and the packaged operator measured against
 * the real registries, helm and kube-apiserver of the test bed, on 127.0.0.1, in bounded time. Not a
 * test: nothing here is named like one, so Surefire and Failsafe never run it. Figures go to
 * {@code docs/benchmarks.md}; raw results to {@code docs/benchmarks/results-<date>.json}.
 */
package io.helmoci.bench;
