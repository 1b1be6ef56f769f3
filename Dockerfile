# The notifier's Cloud Run image. Two stages: the build stage has the dev dependencies
# (TypeScript) and compiles src/ to dist/; the runtime stage has production dependencies
# only, plus what the service reads at run time relative to the package root
# (src/paths.ts): dist/, proto/, migrations/ and templates/ (the template catalogue). The same image runs the migration job
# (node dist/mysql/migrate-cli.js) and ships the `notifier` CLI.
#
# test/unit/container/dockerfile.test.ts checks this file; test/integration/production-deps
# .test.ts runs the runtime stage's install and command as a plain process.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The lockfile first, so that the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# protobufjs' postinstall only prints a version-scheme warning, so scripts are skipped.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY proto ./proto
COPY migrations ./migrations
COPY templates ./templates
# The files stay root-owned: the service never writes to its own directory.
USER node
EXPOSE 8080
# Exec form, no npm or shell in between: node is PID 1 and receives Cloud Run's SIGTERM
# itself, which starts the drain (src/main.ts).
CMD ["node", "dist/main.js"]
