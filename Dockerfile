# syntax=docker/dockerfile:1
# One image for every app: `docker run IMAGE ingress|worker|dashboard|migrate|sandbox`, `docker run IMAGE cli status`.
# Build: `docker build -t kombo-sync .`; behind a TLS-intercepting proxy, hand npm the proxy's CA bundle with
# `--build-arg npm_config_cafile=<path inside the build>` (README, "Deploying"). `npm run test:image` builds and runs
# it.
ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies and build: every dependency, the bundles, then the production dependencies alone.
FROM ${NODE_IMAGE} AS build
# Empty by default. Set to a CA bundle's path (inside the build) when npm must trust a TLS-intercepting proxy.
ARG npm_config_cafile
ENV TURBO_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && node scripts/build.mjs \
 && node --import tsx scripts/image-files.mjs /out
# The production dependencies from the same lockfile, without dev and optional ones (native accelerators, esbuild's
# binaries, TypeScript as an optional peer). The apps' own packages are inside the bundles: no workspace links.
WORKDIR /out/manifests
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@kombo-sync node_modules/.package-lock.json \
 && if ls -d apps/*/node_modules packages/*/node_modules 2>/dev/null; then \
      echo 'a workspace has dependencies of its own versions: copy them into the image too' >&2; exit 1; fi \
 && mv node_modules /out/app/node_modules

# Runtime: the bundles, the migrations and the production dependencies; no source, no dev dependencies, no npm cache.
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="kombo-sync" \
      org.opencontainers.image.description="Keeps a Postgres mirror of Kombo HRIS/ATS data fresh, driven by Kombo webhooks: ingress, worker, dashboard, migrate, cli in one image." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/app /app
# A numeric user (node's uid in the official image), so Kubernetes' runAsNonRoot can verify it. Files stay root's:
# the app cannot change its own code.
USER 1000:1000
EXPOSE 3000 3001 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/bin/healthcheck.mjs"]
ENTRYPOINT ["/app/bin/kombo-sync"]
CMD ["help"]
