# Portcullis as a container image: built from source with Maven, run on a JRE as an unprivileged user.
#   docker build -t portcullis:0.1.0 .
#   docker run -p 8080:8080 -p 8081:8081 -e PORTCULLIS_STORE_URL=postgresql://... portcullis:0.1.0
# Settings come from PORTCULLIS_* variables or a file named by PORTCULLIS_CONFIG (docs/configuration.md).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/portcullis --create-home portcullis
COPY --from=build /src/target/portcullis.jar /opt/portcullis/portcullis.jar
USER 10001
WORKDIR /var/lib/portcullis
# Listeners on every interface inside the container; publish the admin port only where it must be seen.
ENV PORTCULLIS_LISTEN=0.0.0.0:8080 \
    PORTCULLIS_ADMIN_LISTEN=0.0.0.0:8081 \
    PORTCULLIS_DATA_DIR=/var/lib/portcullis \
    PORTCULLIS_DEMO_ENABLED=false
EXPOSE 8080 8081
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-jar", "/opt/portcullis/portcullis.jar"]
CMD ["serve"]
