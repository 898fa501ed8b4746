# The operator image, from the Maven build output: run `mvn -B package -DskipTests` first, then
#   docker build -t helm-oci-operator:0.1.0 .
FROM eclipse-temurin:17-jre
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
EXPOSE 8080
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/quarkus-run.jar"]
