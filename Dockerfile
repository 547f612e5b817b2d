# restaudit: an auditing reverse proxy for REST backends.
#   docker build -t restaudit .
#   docker run -p 8080:8080 -p 9464:9464 -e RESTAUDIT_TARGET=http://staging:8080 restaudit

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# GLIBC_TUNABLES: keep up to 64 MiB of free heap instead of trimming it at 128 KiB, which
# doubles the CPU of large responses in some processes (src/malloc-tunables.ts).
ENV NODE_ENV=production \
    RESTAUDIT_ADMIN_LISTEN=0.0.0.0:9464 \
    GLIBC_TUNABLES=glibc.malloc.trim_threshold=67108864
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
COPY dashboards ./dashboards
USER node
EXPOSE 8080 9464
# The admin port's /healthz, with node itself: no extra package in the image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "const a=(process.env.RESTAUDIT_ADMIN_LISTEN||'0.0.0.0:9464');const p=a.slice(a.lastIndexOf(':')+1);require('http').get({host:'127.0.0.1',port:p,path:'/healthz',timeout:2000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# tini is PID 1: SIGTERM reaches node, whose graceful shutdown lets in-flight exchanges finish.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/cli.js"]
