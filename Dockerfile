# syntax=docker/dockerfile:1.7
# One image for every CoIN-TS app: the five services (orchestrator, data-prep, trainer, evaluator,
# judge) and the `coin` CLI. APP picks the entry, dist/apps/$APP/src/main.js (default: the CLI):
#   docker build -t coin:0.1.0 .
#   docker run --rm -e APP=orchestrator -p 50051:50051 coin:0.1.0 --host 0.0.0.0
# The Helm chart sets APP per Deployment (helm/coin). Runs as UID 10001, never root; writes only
# under HOME=/scratch and /tmp (the chart mounts emptyDirs there: read-only root filesystem).
# Base images are pinned to an exact tag; pin them by digest (@sha256:...) in your registry mirror.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# onnxruntime-node's install script would fetch CUDA files: this image is CPU only.
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false ONNXRUNTIME_NODE_INSTALL=skip
COPY . .
# `npm ci` runs the root `prepare` script, which compiles every project to dist/
# (tools/build-cli.mjs); then the dev dependencies (compilers, test tools) go.
RUN npm ci --no-audit --no-fund \
 && test -f dist/apps/orchestrator/src/main.js \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf .nx tmp

FROM ${NODE_IMAGE} AS runtime
# Fonts: data prep renders the synthetic world's images with text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 coin \
 && useradd --uid 10001 --gid 10001 --home-dir /scratch --no-create-home --shell /usr/sbin/nologin coin \
 && mkdir -p /scratch && chown 10001:10001 /scratch
WORKDIR /app
COPY --from=build /src /app
ENV NODE_ENV=production HOME=/scratch APP=coin
USER 10001:10001
EXPOSE 50051 50052 50053 50054 50055
ENTRYPOINT ["/bin/sh", "-c", "exec node \"/app/dist/apps/${APP}/src/main.js\" \"$@\"", "coin"]
