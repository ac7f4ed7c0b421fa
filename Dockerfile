# syntax=docker/dockerfile:1
# Build with the full toolchain, run with production dependencies only, as a non-root user, on a
# read-only root filesystem (nothing is written at run time; certificates and templates are
# mounted).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY templates ./templates
USER 10001:10001
EXPOSE 8443 9090
# A larger young generation: the request path allocates short-lived objects, and npm run bench
# measured a few % more throughput with it (the baseline did not gain); 16 MB keeps peak RSS
# under 150 MB where 32 MB did not.
ENTRYPOINT ["node", "--max-semi-space-size=16", "--enable-source-maps", "dist/cli/main.js"]
CMD ["serve"]
