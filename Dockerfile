# okrbot's server image.
#   docker build -t okrbot .
#   docker run -p 3000:3000 -e OKRBOT_DATABASE_URL=postgresql+asyncpg://... -e SLACK_SIGNING_SECRET=... okrbot
# The command is `okrbot serve`; give another after the image name (`docker run okrbot migrate`).
# The base image is pinned by digest and every Python package by requirements/*.txt, whose
# hashes pip checks, so the same source builds the same image (docs/operations.md).

ARG PYTHON_IMAGE=python:3.11.16-slim-bookworm@sha256:c425d915a89a6dcd3183b1797ad9bd8878caff5a417f6371c8df93c8ea8b727f

# Stage 1: every wheel the server needs, its own included.
FROM ${PYTHON_IMAGE} AS wheels

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
# The locked dependencies first: this layer is rebuilt only when the lock files change.
COPY requirements/runtime.txt requirements/build.txt requirements/
RUN pip wheel --require-hashes --wheel-dir /wheels -r requirements/runtime.txt \
    && pip install --require-hashes -r requirements/build.txt

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY retrospectives ./retrospectives
COPY recognition ./recognition
COPY storage ./storage
COPY migrations ./migrations
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# Stage 2: the runtime, with no compiler, no build backend and no source tree.
FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="okrbot" \
      org.opencontainers.image.description="OKR retrospectives, learning stories and team shout-outs for Slack and Microsoft Teams" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# The wheels are mounted from the first stage, not copied, so they leave no layer behind;
# pip check fails the build if any dependency is missing from the lock.
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-index --no-deps /wheels/*.whl \
    && pip check

# A numeric user, so that a cluster can verify it is not root without reading /etc/passwd.
# /data is the working directory: the default SQLite database and a `.env` file live there.
RUN groupadd --system --gid 10001 okrbot \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /data okrbot \
    && mkdir /data \
    && chown 10001:10001 /data
WORKDIR /data
USER 10001:10001

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["okrbot"]
CMD ["serve"]
