# blockwire images, in stages (docker-compose.yml picks the target of each service):
#   deps       every dependency, dev ones included (npm ci)
#   build      compiles src/ to dist/ (npm run build), checking that dist/ needs no dev dependency
#   prod-deps  production dependencies only (npm ci --omit=dev)
#   dev        the sources with every dependency, for the Hardhat dev chain and the demo deployer
#              (`blockwire demo`), which need hardhat, solc and tsx:  docker build --target dev .
#   runtime    (the default target, last) the built CLI on plain Node with production dependencies
#              only, as the unprivileged `node` user:                   docker build .
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build ./scripts/build
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script; refusing them keeps the image to what the lock file pins.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM deps AS dev
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY schema ./schema
COPY examples ./examples
COPY test/contracts ./test/contracts
COPY docker/blockwire.compose.yaml ./blockwire.yaml
# The dev chain and the demo deployer write their caches (compiled contracts) under .stack/.
RUN mkdir .stack && chown node:node .stack
USER node
ENV HARDHAT_DISABLE_TELEMETRY_PROMPT=true
ENTRYPOINT ["node", "bin/blockwire.js"]
CMD ["help"]

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# What `npm pack` ships (package.json "files"), with the production node_modules. Owned by root and
# only readable by the `node` user the roles run as: they write nothing to disk.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema/schema.graphql ./schema/schema.graphql
COPY examples ./examples
COPY docker/blockwire.compose.yaml ./blockwire.yaml
USER node
# 4000: GraphQL (gateway.port). 9464: /metrics, /healthz and /readyz of every role (ops.port of
# blockwire.yaml; with a config of your own, set ops.port to 9464 or METRICS_PORT, which the check follows).
EXPOSE 4000 9464
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/blockwire.js"]
CMD ["start", "--role", "all", "--config", "blockwire.yaml"]
