# Build a static binary, then ship it alone in a distroless image as non-root.
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
ENTRYPOINT ["/lifeos"]
CMD ["serve"]
