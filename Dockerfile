# crond-lite container image: the static binary, a static shell for jobs
# (Debian's busybox-static), zoneinfo, CA certificates and a non-root user,
# FROM scratch. README "Container image" documents it; tests/docker/run.sh
# checks it in real containers.
#
#   docker build --network=host -t crond-lite .
#   docker run --rm -v "$PWD/crontabs:/etc/crontabs:ro" crond-lite
#
# Into an existing image instead:
#   COPY --from=crond-lite /usr/bin/crond-lite /usr/bin/crond-lite

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc make libc6-dev libev-dev libinih-dev libhttp-parser-dev libhiredis-dev busybox-static \
      ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY include include
COPY src src
COPY examples/crontabs examples/crontabs
COPY scripts/image-rootfs.sh scripts/
# the target itself, not `make static`: that one also installs the test tools
RUN make BUILD=build/static STATIC=1 build/static/crond-lite \
 && scripts/image-rootfs.sh build/static/crond-lite /rootfs

FROM scratch
COPY --from=build /rootfs/ /
LABEL org.opencontainers.image.title="crond-lite" \
      org.opencontainers.image.description="cron for containers, run as non-root"
ENV PATH=/usr/local/bin:/usr/bin:/bin
# nonroot (65532:65532); any other uid works too (docker run --user 12345)
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/crond-lite"]
CMD ["-f", "/etc/crontabs"]
