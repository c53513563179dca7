# The worker image: compiled TypeScript and production dependencies only.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY core core
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY client client
COPY config config
COPY lab lab
COPY bin bin
RUN npx tsc -p tsconfig.json

FROM node:20.19-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin bin
USER node
CMD ["node", "dist/worker/main.js"]
