# graph_engine API image: the wheel (the library with its Cypher files as package data, and
# the HTTP API as graph_engine_api with the built web explorer), run as an unprivileged user
# with a read-only install. Used by docker-compose.yml. tests/e2e/test_wheel_install.py
# reproduces these conditions without Docker (non-editable install, non-root user,
# unwritable HOME, live Neo4j).

# The web explorer (web/: TypeScript, Vite), built from the lock file.
FROM node:20-slim AS explorer
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npx tsc --noEmit && npx vite build --outDir /explorer --emptyOutDir

FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph_engine ./graph_engine
COPY api ./api
COPY --from=explorer /explorer ./api/web
RUN pip install ".[parquet]" \
    && rm -rf /app/graph_engine /app/api \
    && useradd --system --uid 10001 --home-dir /app graph \
    && mkdir -p /data && chown graph /data
USER graph
WORKDIR /data

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/v1/health', timeout=2).status != 200)"

# Schema first (idempotent: constraints and indexes IF NOT EXISTS), then serve.
CMD ["sh", "-c", "graph-engine schema && exec graph-engine serve --host 0.0.0.0 --port 8000"]
