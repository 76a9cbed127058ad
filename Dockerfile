# Mofang's image: the web app and API on port 3000, data in /data. See docs/deployment.md and
# deploy/docker-compose.yml. better-sqlite3 compiles from source here (about a minute and a half).
FROM node:20-bookworm AS build
WORKDIR /app
COPY . .
# npm ci also builds the server (the `prepare` script); the client is built by `npm run build`.
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 MOFANG_DATA_DIR=/data
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as the container's main process and handles SIGTERM itself: `docker stop` starts the drain.
CMD ["node", "bin/mofang.mjs", "start"]
