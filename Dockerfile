# syntax=docker/dockerfile:1
# Vigil: one image, every service. The service is chosen by argument:
#   docker build -t vigil .
#   docker run vigil run detector          # one service (VIGIL_BUS=kafka|rdkafka, KAFKA_BROKERS=…)
#   docker run vigil start                 # all five in one process on the in-memory bus
# docker-compose.yml and charts/vigil run it this way.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies (node-rdkafka compiles librdkafka), any build step, then prune ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 make g++ ca-certificates libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts keeps `prepare` (which needs the sources) for later; node-rdkafka is built below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# Native modules, then whatever build steps the package declares (e.g. the console bundle).
RUN npm rebuild --no-audit --no-fund \
 && npm run prepare --if-present \
 && npm run build --if-present \
 && npm run build:console --if-present \
 && npm prune --omit=dev --no-audit --no-fund \
 && node -e "require('node-rdkafka')"

# ---- runtime: production dependencies and sources only, as the unprivileged `node` user ----
FROM ${NODE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libsasl2-2 zlib1g libzstd1 liblz4-1 tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    VIGIL_HTTP_HOST=0.0.0.0
WORKDIR /app
# Owned by root and read-only for the service: the code cannot be changed by the process running it.
COPY --from=build /app /app
USER node
EXPOSE 9464
# /healthz on VIGIL_HTTP_PORT (9464 unless set); the slim image has no curl, so node asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.VIGIL_HTTP_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/vigil.js"]
CMD ["start"]
