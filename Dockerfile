# syntax=docker/dockerfile:1
#
# Gatehouse in a container:
#
#   docker build -t gatehouse .
#   docker run --rm -p 8080:8080 gatehouse          # serves the sample connectors.d/
#
# Two stages on the same Debian release (12, bookworm): the binary is linked
# against bookworm's glibc in the official Swift image and runs on
# debian:bookworm-slim. With the Swift runtime linked statically, it needs only
# libraries every Debian base has (glibc, libstdc++, libgcc_s, zlib).
#
# There is no Docker engine in CI: Tests/container/rootfs-test.sh rebuilds this
# image's contents (same build flags, a debootstrapped bookworm minbase, the
# runtime RUN below, the same user, environment, entry point and health check)
# and runs it in a chroot. It reads these values from this file, so change them
# here and the test follows.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# .dockerignore lets through only what the package needs.
COPY . .
# The cache mount keeps dependencies and object files between builds.
# Stripping symbols and debug information halves the binary (about 180 MB to
# 90 MB); debug a crash with a local unstripped build of the same commit.
RUN --mount=type=cache,target=/src/.build,id=gatehouse-swiftpm \
    swift build -c release --static-swift-stdlib --product gatehouse \
 && install -D -m 0755 .build/release/gatehouse /out/gatehouse \
 && strip /out/gatehouse

FROM ${RUNTIME_IMAGE}
# ca-certificates: trust roots for https upstreams. A fixed uid, so Kubernetes
# can check runAsNonRoot without a name lookup.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 gatehouse \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin gatehouse \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/gatehouse
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
# The sample connectors; mount your own folder over this one.
COPY connectors.d/ /etc/gatehouse/connectors.d/
# GATEHOUSE_AUTH_STORE: the built-in authorization server's SQLite file
# (GATEHOUSE_AUTH=builtin), on the volume below so grants survive a restart.
ENV GATEHOUSE_HOST=0.0.0.0 \
    GATEHOUSE_PORT=8080 \
    GATEHOUSE_CONNECTORS=/etc/gatehouse/connectors.d \
    GATEHOUSE_AUTH_STORE=/var/lib/gatehouse/auth.sqlite
VOLUME ["/var/lib/gatehouse"]
USER 10001:10001
EXPOSE 8080
# The image has no curl or wget and the binary has no probe command yet, so
# the check speaks HTTP through bash's /dev/tcp: healthy when GET /healthz
# answers 200.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${GATEHOUSE_PORT:-8080} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r _ status _ <&3 && [ \"$status\" = 200 ]"]
# Exec form: gatehouse is PID 1 and gets SIGTERM itself; it finishes open
# requests and exits 0. It starts no child processes, so no init is needed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]
