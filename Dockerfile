# Build a static binary, then ship it alone in a distroless image as non-root
# (uid 65532). .dockerignore keeps keys, .env files and the data directory
# out of the build context. /data belongs to uid 65532: an empty named volume
# mounted there takes that owner; a bind-mounted host directory needs
# `chown 65532 DIR` first, or LifeOS stops saying who owns it.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lifeos . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lifeos /lifeos
COPY --from=build --chown=65532:65532 /out/data /data
ENV LIFEOS_DATA_DIR=/data PORT=8080
EXPOSE 8080
USER 65532:65532
# The image has no shell or curl: the binary checks its own /api/health.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/lifeos","healthcheck"]
ENTRYPOINT ["/lifeos"]
CMD ["serve"]
