# imageproxy in a container: a build stage that installs everything and compiles, and a small
# runtime stage with the compiled code and the production dependencies only.
#
#   docker build -t imageproxy .
#   docker run --rm -p 8080:8080 imageproxy -cache memory:200:1h
#
# Flags given to `docker run` add to the IMAGEPROXY_* variables set below (a flag wins over
# its variable), so the listen address survives any command line. deploy/compose.yaml runs it
# beside Redis. NODE_IMAGE may name another Node.js 20+ Debian image (a mirror, say).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: nothing in the dependency tree needs one, and none should run here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
# IMAGEPROXY_ADDR is -addr 0.0.0.0:8080: every interface of the container, on the port EXPOSEd
# below. Logs are one JSON object a line, for the container platform's log collector.
ENV NODE_ENV=production \
    IMAGEPROXY_ADDR=0.0.0.0:8080 \
    IMAGEPROXY_LOGFORMAT=json
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/lib ./dist/lib
COPY --from=build /src/dist/bin ./dist/bin
COPY --from=build /src/dist/cli ./dist/cli
# A numeric user, so Kubernetes' runAsNonRoot can check it (deploy/kubernetes runs 10001 too);
# it owns nothing in the image, which stays read-only to it.
USER 10001:10001
EXPOSE 8080
# The image has no curl: Node itself asks /health-check on the port IMAGEPROXY_ADDR names.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const a = process.env.IMAGEPROXY_ADDR || ''; const port = a.slice(a.lastIndexOf(':') + 1) || '8080'; require('http').get({ host: '127.0.0.1', port, path: '/health-check', timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1));"]
ENTRYPOINT ["node", "dist/cli/imageproxy.js"]
