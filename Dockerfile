# Latch's image: built from the repository, run as `latch serve`.
# Build: docker build -t latch .   Run: see docker-compose.yml.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin bin
# `npm ci` runs the prepare script (the TypeScript build and the console's), which needs the sources.
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY console console
RUN npm ci

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist dist
COPY bin bin
COPY proto proto
COPY migrations migrations
COPY schema schema
# Inside a container Latch must listen beyond loopback, which it does only with API keys set.
ENV LATCH_HOST=0.0.0.0
EXPOSE 50051 8080
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:8080/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--max-semi-space-size=64", "--no-allocation-site-pretenuring", "bin/latch.js", "serve"]
