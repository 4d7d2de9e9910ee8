# syntax=docker/dockerfile:1
#
# sherpa's container image: built with the Rust toolchain, run from a
# distroless image (glibc, CA certificates, no shell) as a non-root user.
#
#   docker build --build-arg SHERPA_GIT_SHA=$(git rev-parse --short=12 HEAD) -t sherpa .
#   docker run --rm -e SHERPA_NATS_URL=nats://nats:4222 -p 9464:9464 sherpa
#
# The entrypoint is the binary; the default command is the worker. Any other
# subcommand works the same way: `docker run --rm sherpa publish FILE`.

# Match the toolchain the project is developed and tested with.
FROM rust:1.95-bookworm AS build
WORKDIR /src
# .git is not sent to the builder (.dockerignore): the commit comes as an argument.
ARG SHERPA_GIT_SHA=unknown
ENV SHERPA_GIT_SHA=${SHERPA_GIT_SHA}
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin sherpa \
    && install -D -m 0755 target/release/sherpa /out/sherpa

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/sherpa /usr/local/bin/sherpa
# The bundled example articles, for `sherpa publish` demos.
COPY examples/articles.jsonl /usr/share/sherpa/examples/articles.jsonl
# distroless' "nonroot" user (uid 65532); Kubernetes' runAsNonRoot needs the number.
USER 65532:65532
ENV SHERPA_METRICS_ADDR=0.0.0.0:9464 \
    SHERPA_LOG_FORMAT=json
EXPOSE 9464
# Alive = the operations port answers /healthz. `sherpa healthcheck` reads
# SHERPA_METRICS_ADDR, so it follows a changed port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/sherpa", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sherpa"]
CMD ["run"]
