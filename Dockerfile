# One image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=valuechain.settings

WORKDIR /app
RUN useradd --create-home --uid 10001 valuechain

COPY pyproject.toml README.md ./
COPY valuechain ./valuechain
COPY contracts ./contracts
COPY deployments ./deployments
RUN pip install --upgrade pip && pip install .

COPY manage.py ./
COPY templates ./templates
COPY static ./static
# Static files: long-lived hashed names and gzip/brotli copies made once here, served by
# whitenoise (the same settings as docker-compose.yml).
ENV STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    WHITENOISE_USE_FINDERS=false
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /var/lib/valuechain/media && chown -R valuechain /var/lib/valuechain

USER valuechain
EXPOSE 8000
CMD ["gunicorn", "valuechain.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
