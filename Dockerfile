# Production image for the hospital logistics platform.
# One image serves every role; docker-compose.yml picks the role with `command:`
#   web     gunicorn logistics.wsgi:application   (default CMD below)
#   worker  celery -A logistics worker ...
#   beat    celery -A logistics beat ...
#   migrate python manage.py migrate --noinput
#   certs   sh /app/deploy/certs/generate-self-signed.sh   (needs the openssl CLI)
#
# Build:  docker compose build      (or: docker build -t hospital-logistics:local .)

############################################################################
# Stage 1: front-end assets (npm). Only node_modules/ leaves this stage.
############################################################################
FROM node:20-bookworm-slim AS assets

WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

############################################################################
# Stage 2: the Python application.
############################################################################
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# openssl: the `certs` one-shot service creates the self-signed certificate
# with this image (deploy/certs/generate-self-signed.sh). Not version-pinned on
# purpose: Debian security updates for openssl should land on every rebuild.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssl \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged runtime user with a fixed UID/GID (10001) so that volume
# ownership is predictable (deploy/README.md refers to this number).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app \
       --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer, so that a code-only change does not
# reinstall every wheel. The list is read from pyproject.toml itself, so the
# pins there stay the single source of truth.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Front-end packages where STATICFILES_DIRS expects them (<repo>/node_modules).
COPY --from=assets /build/node_modules ./node_modules

# Application source (see .dockerignore for what is left out).
COPY . .

# Install the project itself (its dependencies are already satisfied above).
# setuptools builds in-tree: drop build/ and *.egg-info afterwards so that
# they do not shadow the installed distribution's metadata.
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

# The source tree in /app is what runs (PYTHONPATH below): templates, static
# files and migrations are read from the repository layout, whatever the
# wheel's package data contains.
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=logistics.settings.production \
    LOGISTICS_VAR_DIR=/app/var \
    DJANGO_STATIC_ROOT=/app/var/static \
    DJANGO_MEDIA_ROOT=/app/var/media

# Collect static files at build time into STATIC_ROOT (/app/var/static, the
# same path production settings use at run time); WhiteNoise serves them from
# gunicorn at run time. Base settings need no database; the secret key is a
# throwaway set only for this one command and is not kept in the image's
# environment. The production key comes from .env at run time.
# Base settings also create the embedded run's directories under var/ (the
# filesystem broker, used when REDIS_URL is unset) on import: drop everything
# but the collected files so the image carries no such state.
RUN DJANGO_SETTINGS_MODULE=logistics.settings.base \
    DJANGO_SECRET_KEY=collectstatic-build-only-not-secret \
    python manage.py collectstatic --noinput \
    && find /app/var -mindepth 1 -maxdepth 1 ! -name static -exec rm -rf {} +

# Writable directories for the runtime user. The media volume is mounted on
# /app/var/media and the certificate volume on /certs; a fresh named volume
# takes the ownership of the image directory it is mounted on, so these
# chowns make the volumes writable for UID 10001. The rest of /app (code,
# collected static files) stays root-owned and read-only for the app.
RUN mkdir -p /app/var/media /certs \
    && chown app:app /app/var /app/var/media /certs

USER 10001:10001

EXPOSE 8000

# gunicorn: GUNICORN_WORKERS processes (default 3) with GUNICORN_THREADS
# threads each (default 4, gthread worker, as in the Procfile), request
# timeout GUNICORN_TIMEOUT (default 60 s; report exports can be slow), access
# log and error log on stdout/stderr. Only nginx can reach port 8000 (it is not
# published), so X-Forwarded-* from any peer on the compose network are
# trusted. `exec` replaces the shell so that gunicorn itself receives
# SIGTERM on `docker compose stop` and shuts down gracefully.
CMD ["sh", "-c", "exec gunicorn logistics.wsgi:application --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-3}\" --threads \"${GUNICORN_THREADS:-4}\" --timeout \"${GUNICORN_TIMEOUT:-60}\" --graceful-timeout 30 --worker-tmp-dir /dev/shm --forwarded-allow-ips '*' --access-logfile - --error-logfile -"]
