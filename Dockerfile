# syntax=docker/dockerfile:1
# Ava's images, one multi-stage build (docker-compose.yml picks the targets):
#   ui       Node: `npm ci` and `npm run build` of ui/ (Vite writes src/ava_backtest/static)
#   runtime  the API (`ava serve` on 8201): slim Python 3.11, non-root user, numba cache warmed
#   dev      runtime + the source tree, the tests and the dev dependencies (pytest works in it)
#   ava-ui   nginx serving the UI build on 8203 and proxying /api and /ws to the API
# `docker build .` builds the last stage, runtime.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.27-alpine

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
# Vite's outDir is ../src/ava_backtest/static (ui/vite.config.ts).
RUN mkdir -p /src/src/ava_backtest && npm run build && test -f /src/src/ava_backtest/static/index.html

# ---------------------------------------------------------------------------------------------
# What every Python stage shares: the system libraries and the unprivileged user.
FROM ${PYTHON_IMAGE} AS python-base
ARG AVA_UID=10001
ARG AVA_GID=10001
# tesseract-ocr(-eng): the strategy builder reads screenshots with it; fonts for rendered charts.
# Not pinned (DL3008): Debian's stable archive drops a package's old version at each point
# release, so a pinned version would stop building; the base image's tag fixes the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid "${AVA_GID}" ava \
    && useradd --system --uid "${AVA_UID}" --gid ava --home-dir /home/ava --create-home ava
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# ---------------------------------------------------------------------------------------------
FROM python-base AS build
WORKDIR /build
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY src/ src/
# The distributed extra: AVA_DASK_ADDRESS can point the API at a Dask scheduler. The project
# itself is installed (DL3013): its dependency ranges are pyproject.toml's, as for `make setup`.
# hadolint ignore=DL3013
RUN pip install ".[distributed]"

# ---------------------------------------------------------------------------------------------
FROM python-base AS app
ARG AVA_UID=10001
ARG AVA_GID=10001
COPY --from=build /opt/venv /opt/venv
# The wheel leaves out the (git-ignored) UI build: put it where the API serves it from.
COPY --from=ui /src/src/ava_backtest/static /opt/venv/lib/python3.11/site-packages/ava_backtest/static
# AVA_HOME: database file (when no DATABASE_URL), uploads and market data (a volume).
# AVA_STRATEGY_DIRS: the user strategies directory (a bind mount): a .py dropped there is loaded
# when the API (re)starts. NUMBA_CACHE_DIR: compiled kernels, warmed below.
ENV AVA_HOME=/data \
    AVA_STRATEGY_DIRS=/strategies \
    AVA_HOST=0.0.0.0 \
    AVA_PORT=8201 \
    NUMBA_CACHE_DIR=/opt/numba-cache
RUN mkdir -p /data /strategies /opt/numba-cache \
    && chown "${AVA_UID}:${AVA_GID}" /data /strategies /opt/numba-cache
USER ${AVA_UID}:${AVA_GID}
WORKDIR /home/ava
# Warm numba's cache at build time: one small backtest compiles and caches the engine's kernels,
# so the first backtest of a new container does not pay for compilation.
RUN AVA_HOME=/tmp/ava-warm ava backtest sma_crossover --universe us_sample > /dev/null \
    && rm -rf /tmp/ava-warm \
    && test -n "$(find /opt/numba-cache -name '*.nbi' -print -quit)"
EXPOSE 8201
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8201/api/v2/health', timeout=4).status != 200)"]
CMD ["ava", "serve"]

# ---------------------------------------------------------------------------------------------
# The tests inside the stack: `docker compose exec backtester-v2 pytest` once the service is built
# with AVA_IMAGE_TARGET=dev (docs/deploy.md). The source tree replaces the installed package
# (editable install), with the dev dependencies.
FROM app AS dev
ARG AVA_UID=10001
ARG AVA_GID=10001
USER 0:0
WORKDIR /app
COPY --chown=${AVA_UID}:${AVA_GID} . /app
COPY --from=ui --chown=${AVA_UID}:${AVA_GID} /src/src/ava_backtest/static /app/src/ava_backtest/static
# Same reason as above (DL3013): the project and its dev extra, ranges from pyproject.toml.
# hadolint ignore=DL3013
RUN pip install -e ".[dev]"
USER ${AVA_UID}:${AVA_GID}
CMD ["ava", "serve"]

# ---------------------------------------------------------------------------------------------
FROM ${NGINX_IMAGE} AS ava-ui
# The official image renders /etc/nginx/templates/*.template into /etc/nginx/conf.d/ at start-up
# with envsubst, substituting only the variables set in the environment (nginx's own stay).
ENV AVA_API_SERVERS="server backtester-v2:8201 max_fails=3 fail_timeout=10s;" \
    AVA_UI_PORT=8203 \
    AVA_UI_ROOT=/usr/share/nginx/html
RUN rm -f /etc/nginx/conf.d/default.conf
COPY deploy/nginx/ava.conf /etc/nginx/templates/ava.conf.template
COPY --from=ui /src/src/ava_backtest/static /usr/share/nginx/html
EXPOSE 8203
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=5 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8203/"]

# ---------------------------------------------------------------------------------------------
FROM app AS runtime
