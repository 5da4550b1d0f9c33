# syntax=docker/dockerfile:1
# dmp's long-running services in one image; its command picks the service:
#   docker build -t dmp .
#   docker run -e DMP_DYNAMODB_ENDPOINT=… dmp state-service
#   docker run -e DMP_STATE_SERVICE_URL=… -e DMP_SERVICE_TOKEN=… dmp provisioner
# Services: provisioner, state-service, s3, event-store, observability, workload, lambda-server
# (shared/service-entries.ts). Whichever runs listens on DMP_PORT (8080) and answers GET /healthz there.
# See docs/build.md. Not built on the machines that wrote it (no Docker engine there): its commands are
# run against `npm run build` by test/build/built-platform.test.ts, and test/unit/dockerfile.test.ts
# checks that this file copies what they need.

# 1. Compile: the TypeScript sources to dist/, with the dev dependencies (tsc) of this stage only.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json dmp-service.ts ./
COPY types ./types
COPY shared ./shared
COPY provisioner ./provisioner
COPY state-service ./state-service
COPY microservices ./microservices
COPY local ./local
COPY cli ./cli
RUN npm run build:services

# 2. The run-time dependencies alone: no tsx, no TypeScript, no test tools.
FROM node:20-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. The image: node_modules, dist/ and the files read at run time, under /app (the runtime root: the
#    folder of package.json), owned by root and run by the unprivileged `node` user, so a compromised
#    service cannot change its own code. It writes only to DMP_DATA_DIR (the local Lambda runtime's code).
FROM node:20-slim
ENV NODE_ENV=production \
    DMP_HOST=0.0.0.0 \
    DMP_PORT=8080 \
    DMP_DATA_DIR=/tmp/dmp-data
WORKDIR /app
COPY package.json ./
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY swagger ./swagger
COPY discovery-config ./discovery-config
COPY governance ./governance
COPY artifacts ./artifacts
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/dmp-service.js", "healthcheck"]
ENTRYPOINT ["node", "dist/dmp-service.js"]
CMD ["provisioner"]
