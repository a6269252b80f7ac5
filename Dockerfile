# pbvote: migrations, then uvicorn with several workers, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PBVOTE_WORKERS=4

RUN useradd --create-home --uid 10001 pbvote
WORKDIR /srv/pbvote

COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-deps -e . && mkdir -p var && chown -R pbvote:pbvote var
# The default SQLite database (and its -wal file) lives in var/: a volume, so the ballots
# outlive the container. Mount it (`-v pbvote-data:/srv/pbvote/var`) or use PostgreSQL.
VOLUME ["/srv/pbvote/var"]

USER pbvote
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

CMD ["sh", "-c", "pbvote db upgrade && exec pbvote serve --host 0.0.0.0 --port 8000 --workers ${PBVOTE_WORKERS}"]
