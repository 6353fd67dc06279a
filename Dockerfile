# syntax=docker/dockerfile:1
#
# One image recipe for all eleven services; SERVICE picks the one the image runs:
#   docker build --build-arg SERVICE=order-service -t quickcommerce/order-service .
#
#   manifests  package.json files only, so npm's layers are rebuilt only when a dependency changes
#   build      npm install from the lock (with dev dependencies) and `tsc -b`: every workspace compiled to <workspace>/dist
#   prod-deps  npm install --omit=dev: the node_modules the runtime gets (including the @qc/* workspace links)
#   platform   production node_modules + compiled shared/: runs the platform CLIs (create-topics, …)
#   service    platform + the compiled SERVICE and its data files, as the non-root `node` user; the default target
#
# Every layer up to `platform` is the same for all eleven services, so a fleet build compiles once
# and the eleven images share everything but their own <service>/dist.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
# @scarf/scarf (pulled in by swagger-ui) phones home from its postinstall unless told not to.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false SCARF_ANALYTICS=false

FROM base AS manifests
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
COPY api-gateway/package.json api-gateway/
COPY user-service/package.json user-service/
COPY product-service/package.json product-service/
COPY inventory-service/package.json inventory-service/
COPY order-service/package.json order-service/
COPY cart-service/package.json cart-service/
COPY payment-service/package.json payment-service/
COPY delivery-service/package.json delivery-service/
COPY notification-service/package.json notification-service/
COPY location-service/package.json location-service/
COPY analytics-service/package.json analytics-service/

FROM manifests AS build
# `npm install` with the committed lock rather than `npm ci`: the lock records only the linux-x64
# builds of native dev tools (swc), and npm ci rejects a lock without every platform's build.
RUN --mount=type=cache,target=/root/.npm npm install
# .dockerignore keeps node_modules, dist, *.tsbuildinfo, .env and the git-ignored folders out.
COPY . .
RUN npx tsc -b
# What each service runs, gathered in runtime/<service>: its compiled code, and its data files when
# it ships any (location-service's gazetteer).
RUN for dist in */dist; do \
      service="${dist%/dist}"; mkdir -p "runtime/$service" && cp -r "$dist" "runtime/$service/"; \
      if [ -d "$service/data" ]; then cp -r "$service/data" "runtime/$service/"; fi; \
    done

FROM manifests AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev

FROM base AS platform
# kafkajs 2.2.4 sets negative timeouts (Node clamps them to 1 ms, as always); Node 24 warns on each.
ENV NODE_ENV=production
ENV NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
# Owned by root and read-only for `node`: the running service cannot rewrite its own code.
COPY --from=prod-deps /app ./
COPY --from=build /app/shared/dist shared/dist
COPY docker/healthcheck.js docker/healthcheck.js
# The demo city and catalog the seed commands read (`node <service>/dist/cli/seed-demo.js`).
COPY demo demo
USER node
CMD ["node", "shared/dist/events/cli/create-topics.js"]

FROM platform AS service
ARG SERVICE
RUN [ -n "$SERVICE" ] || { echo 'build with --build-arg SERVICE=<service folder>, e.g. SERVICE=order-service' >&2; exit 1; }
COPY --from=build /app/runtime/${SERVICE} ${SERVICE}
ENV SERVICE=${SERVICE}
# Liveness only (the process answers); compose gates start-up order on /health/ready instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/docker/healthcheck.js", "/health/live"]
STOPSIGNAL SIGTERM
# `exec` replaces the shell, so node is PID 1 and receives SIGTERM itself; every service installs
# its own SIGTERM/SIGINT handler (graceful shutdown within SHUTDOWN_TIMEOUT_MS) and spawns no children.
CMD ["sh", "-c", "exec node \"$SERVICE/dist/main.js\""]
