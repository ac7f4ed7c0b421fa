# syntax=docker/dockerfile:1
# Build with the full toolchain, run on distroless Node 24: no shell, no package manager, no npm,
# a non-root user, a read-only root filesystem (nothing is written at run time).
#
# Both bases are pinned by digest (the multi-arch index, so amd64 and arm64 resolve from the same
# pin): a tag is a pointer that moves, and the image reviewed today must be the one built tomorrow.
# Bump them together with the tags written beside them.
ARG BUILD_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a

# The build stages run on the builder's own platform, never emulated: TypeScript's output is the
# same for every architecture, and every production dependency is plain JavaScript (a test checks
# the lockfile for native addons and install scripts), so node_modules is too.
FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Only COPY below: the runtime has no shell to RUN anything, and nothing needs emulating to build
# the arm64 image on an amd64 runner.
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="sidecar-injector" \
      org.opencontainers.image.description="A Kubernetes mutating admission webhook that injects sidecar and init containers into pods." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs24-debian12:nonroot" \
      org.opencontainers.image.base.digest="sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY templates ./templates
# distroless's `nonroot` user, by number so runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
EXPOSE 8443 9090
# Node flags (npm run bench and npm run soak read them from this line, so they measure this start):
# - --max-semi-space-size=16: a larger young generation; the request path allocates short-lived
#   objects, and npm run bench measured a few % more throughput with it (the baseline did not gain).
# - --max-old-space-size=192: below the Deployment's 256Mi limit, and V8 sizes its heap growing
#   factor from it (x1.3 instead of up to x4 on a node with GBs free): with 1 MiB pods on 64
#   connections the heap held up to ~100 MB of dead request bodies between full collections
#   (npm run bench: peak RSS 199-349 MB, 157 MB with this flag, baseline 138-160 MB).
# - --expose-gc: one full collection after each burst of requests, once the webhook has been idle
#   (src/http/idle-collection.ts), so RSS falls back instead of staying at the burst's level.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=16", "--max-old-space-size=192", "--expose-gc", "--enable-source-maps", "dist/cli/main.js"]
CMD ["serve"]
