# Multi-stage build: compile in the Rust image, run as a non-root user in a slim image.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
COPY benches ./benches
RUN cargo build --release --locked --bin airlock

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/airlock --create-home airlock
COPY --from=build /src/target/release/airlock /usr/local/bin/airlock
USER airlock
WORKDIR /var/lib/airlock
# Inside a container the listeners must bind beyond loopback: mount a config that does so, with an
# admin token (airlock refuses a non-loopback admin listener without one).
EXPOSE 8787 8788
ENTRYPOINT ["/usr/local/bin/airlock"]
CMD ["serve", "--config", "/etc/airlock/airlock.toml"]
