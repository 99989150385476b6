# okrbot server image: `docker run -p 3000:3000 -e SLACK_SIGNING_SECRET=... okrbot`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY retrospectives ./retrospectives
COPY recognition ./recognition
COPY storage ./storage
COPY migrations ./migrations
RUN pip install . && rm -rf /src

# The default database is SQLite in the working directory; mount a volume at /data to keep it,
# or point OKRBOT_DATABASE_URL at PostgreSQL for several replicas.
RUN useradd --create-home --uid 10001 okrbot && mkdir /data && chown okrbot:okrbot /data
WORKDIR /data
VOLUME ["/data"]
USER okrbot

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"]

CMD ["okrbot", "serve"]
