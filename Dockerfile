# cdrstore, built from source with the official Swift image; run by docker-compose.yml.
FROM swift:6.3-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq-dev libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product cdrstore --static-swift-stdlib \
    && cp .build/release/cdrstore /usr/local/bin/cdrstore

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq5 libssl3 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/cdrstore cdrstore \
    && mkdir -p /var/spool/cdrstore && chown cdrstore /var/spool/cdrstore
COPY --from=build /usr/local/bin/cdrstore /usr/local/bin/cdrstore
USER cdrstore
EXPOSE 8080
ENTRYPOINT ["cdrstore"]
CMD ["serve", "--config", "/etc/cdrstore/cdrstore.yaml", "--migrate"]
