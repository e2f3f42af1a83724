# Builds the pantau binary for compose.yaml (build context: the repository root). The server
# DSN in pantau.yaml selects the ClickHouse server, so the image needs no libchdb.so.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/pantau ./cmd/pantau

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/pantau pantau && mkdir -p /var/lib/pantau && chown pantau /var/lib/pantau
COPY --from=build /out/pantau /usr/local/bin/pantau
USER pantau
WORKDIR /var/lib/pantau
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/pantau"]
