# gemgate container: docker build -t gemgate . && docker run -p 7860:7860 -e GEMINI_API_KEYS=... -e PASSWORD=... gemgate
# Hugging Face Spaces and Claw Cloud use port 7860. Data (the generated password) lives in the /data volume.
# Not built on the development machine (no Docker engine there); the build stage runs the same Maven build as CI.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so a source change does not download them again.
COPY pom.xml ./
COPY proxy-core/pom.xml proxy-core/
COPY proxy-server/pom.xml proxy-server/
RUN mvn -B -q dependency:go-offline || true
COPY proxy-core proxy-core
COPY proxy-server proxy-server
RUN mvn -B -q -DskipTests package && cp proxy-server/target/gemgate.jar /gemgate.jar

FROM eclipse-temurin:17-jre-alpine
RUN addgroup -S gemgate && adduser -S -G gemgate -h /data gemgate \
    && mkdir -p /data && chown gemgate:gemgate /data
COPY --from=build /gemgate.jar /app/gemgate.jar
USER gemgate
WORKDIR /data
ENV HOST=0.0.0.0 \
    PORT=7860 \
    STORAGE_DIR=/data \
    JAVA_OPTS="-Xms8m -Xmx128m -XX:+UseSerialGC -Xss512k -XX:MaxDirectMemorySize=96m -XX:+ExitOnOutOfMemoryError -Dio.netty.allocator.maxOrder=7"
VOLUME ["/data"]
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/health" || exit 1
# exec: java is PID 1 and gets docker stop's SIGTERM, drains streams (SHUTDOWN_GRACE) and exits 0.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/gemgate.jar \"$@\"", "gemgate"]
