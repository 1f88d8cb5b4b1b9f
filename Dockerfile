# Almanac: one image for the web server, the Celery worker, Celery beat and
# one-shot management commands (migrate, load_demo). See docker-compose.yml.
#
#   docker build -t almanac .
#   docker run --env-file .env -p 8000:8000 almanac
#
# Layout inside the image:
#   /app            the source tree (owned by root, read-only for the app user)
#   /app/var        ALMANAC_VAR_DIR, owned by the app user
#   /app/staticfiles collected static files, built here, served by whitenoise.
#   Mount persistent storage at /app/var/media (uploads).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    ALMANAC_VAR_DIR=/app/var

RUN groupadd --system --gid 10001 almanac \
 && useradd --system --uid 10001 --gid almanac --home-dir /home/almanac \
        --create-home --shell /usr/sbin/nologin almanac

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml or README.md
# change. The project itself installs no Python package (packages = []); its
# code runs from /app.
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . \
 && rm -rf build ./*.egg-info

COPY . .

# Static files are collected at build time with a throwaway key that exists only
# in this RUN step's environment (it is never set in the image's ENV; it does
# appear in `docker history`, which is why it must never be a real key).
# DEBUG=0 selects whitenoise's compressed, hashed-manifest storage.
ARG COLLECTSTATIC_SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789abcdefghijklmnop
RUN SECRET_KEY="$COLLECTSTATIC_SECRET_KEY" DEBUG=0 \
        python manage.py collectstatic --noinput \
 && python -m compileall -q -j 0 /app \
 && mkdir -p /app/var/media /app/var/mail \
 && chown almanac:almanac /app/var /app/var/media /app/var/mail

USER almanac

EXPOSE 8000

# GET /healthz answers 200 "ok" after a database check. http.client rather than
# urllib.request: urllib would follow a redirect (SECURE_SSL_REDIRECT) to the
# public https:// URL and report another machine's health. The Host header is
# the first ALLOWED_HOSTS entry (a bare 127.0.0.1 is refused when ALLOWED_HOSTS
# names only the public host), and X-Forwarded-Proto: https stands in for the
# TLS proxy (honoured only when PROXY_COUNT > 0, i.e. when a proxy is trusted).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('*.') or 'localhost'; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=8); c.request('GET', '/healthz', headers={'Host': host, 'X-Forwarded-Proto': 'https'}); sys.exit(0 if c.getresponse().status == 200 else 1)"]

# exec: gunicorn becomes PID 1 and gets SIGTERM directly (graceful shutdown).
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --workers ${WEB_CONCURRENCY:-3} --bind 0.0.0.0:8000 --access-logfile - --worker-tmp-dir /dev/shm"]
