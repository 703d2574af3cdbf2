# rbacgraph container image. Multi-stage: build with dev dependencies, run with production ones only.
# (No Docker engine on the development machines: this file is reviewed, not built, there.)
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm ci --no-audit --no-fund && npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY fixtures/demo ./fixtures/demo
COPY deploy ./deploy
RUN ln -s /app/bin/rbacgraph.js /usr/local/bin/rbacgraph
# Run as the image's unprivileged user; the analysis needs no privileges.
USER node
ENTRYPOINT ["rbacgraph"]
CMD ["--help"]
