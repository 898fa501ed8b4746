# The operator image for builders that take a Dockerfile (buildah, podman, docker, kaniko). `make image`
# builds the same image without any of them (tools/image.sh: Debian base + Jib); DockerfileBuildIT builds
# this file with `buildah --storage-driver vfs bud --pull=never` so that it cannot rot.
#
#   mvn -B package -DskipTests
#   base=$(tools/image.sh base)        # Debian bookworm + OpenJDK 17 JRE, as a docker-archive (cached)
#   buildah pull docker-archive:$base && buildah tag <id> helm-oci-operator-base
#   buildah bud --pull=never --build-arg BASE=helm-oci-operator-base -t helm-oci-operator:0.1.0 .
#
# Any JRE 17 image with `java` on the PATH works as BASE (e.g. --build-arg BASE=eclipse-temurin:17-jre).
ARG BASE=helm-oci-operator-base
FROM ${BASE}
WORKDIR /app
# Quarkus fast-jar layout: dependencies first, they change least often.
COPY target/quarkus-app/lib/ /app/lib/
COPY target/quarkus-app/quarkus/ /app/quarkus/
COPY target/quarkus-app/app/ /app/app/
COPY target/quarkus-app/quarkus-run.jar /app/quarkus-run.jar
# Numeric, non-root: Kubernetes can verify runAsNonRoot. The root filesystem may be read-only:
# the chart store (HELMOCI_STORE_PATH) and /tmp are volumes.
USER 10001:10001
ENV HELMOCI_STORE_PATH=/data/store
# Container JVM defaults (the chart's jvmOptions value replaces them): heap from the cgroup memory
# limit, the serial collector for one CPU, exit on OutOfMemoryError so that the pod is restarted.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
EXPOSE 8080
# Exec form: no shell at run time.
ENTRYPOINT ["java", "-jar", "/app/quarkus-run.jar"]
