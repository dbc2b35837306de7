# baton worker image: `docker build -t baton .`, or `docker compose build` (see docs/DEPLOY.md).
# Stage 1 compiles TypeScript and prebuilds the workflow bundles; stage 2 holds only what a worker
# runs: Node, production dependencies, the compiled code, git, and the `claude` CLI.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied, and the claude-code
# devDependency's postinstall is not needed to compile.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# git: worktree isolation and agents' own git use; ca-certificates: TLS to Anthropic and Temporal Cloud;
# tini: PID 1 that reaps the orphans agents' tools leave behind.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
# The Claude Code CLI, pinned to the version baton is tested with (package.json devDependencies).
ARG CLAUDE_CODE_VERSION=2.1.197
RUN npm install -g --no-audit --no-fund "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
 && npm cache clean --force \
 && claude --version

RUN groupadd --gid 10001 baton \
 && useradd --uid 10001 --gid baton --create-home --shell /usr/sbin/nologin baton \
 && mkdir -p /data /workspace \
 && chown baton:baton /data /workspace

WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/src ./dist/src
# The CLI bundles that dist/src/cli/main.js runs (their code cache stays off: the folder is root's).
COPY --from=build --chown=root:root /app/dist/cli/baton.cjs /app/dist/cli/status-snapshot.cjs ./dist/cli/
COPY --from=build --chown=root:root /app/dist/workflow-bundle.js /app/dist/workflow-bundle-encoded-failures.js ./dist/
COPY --chown=root:root examples ./examples
RUN ln -s /app/dist/src/cli/main.js /usr/local/bin/baton && chmod +x /app/dist/src/cli/main.js

ENV NODE_ENV=production \
    BATON_HOME=/data \
    CLAUDE_CONFIG_DIR=/data/claude \
    DISABLE_AUTOUPDATER=1 \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
VOLUME ["/data"]
USER baton
WORKDIR /workspace
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/src/cli/main.js"]
CMD ["worker"]
