"""docker-compose.yml cannot be run here (no Docker engine), so its shape is checked."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_redis_web_worker_and_beat_from_one_image():
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    images = {services[name]["image"] for name in ("web", "worker", "beat")}
    assert images == {"valuechain:latest"}
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_app_services_point_at_the_compose_postgres_and_redis():
    services = compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "valuechain" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    assert read, "settings should read the environment"
    missing = {name for name in read if f"{name}=" not in example}
    assert not missing


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_the_image_collects_static_files_with_the_storage_it_serves_them_with():
    """Hashed names and compressed copies exist only if collectstatic ran with the manifest
    storage: the image sets it before collecting, as compose does at run time."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    storage = "STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert storage in dockerfile
    assert dockerfile.index(storage) < dockerfile.index("collectstatic")
    web = compose()["services"]["web"]["environment"]
    assert web["STATICFILES_BACKEND"] == storage.split("=", 1)[1]
    assert web["WHITENOISE_USE_FINDERS"] == "false"


def test_the_chart_bundle_is_vendored_with_its_licence_and_how_to_rebuild_it():
    vendor = ROOT / "static" / "vendor" / "plotly-custom"
    bundle = (vendor / "plotly-custom.min.js").read_text()[:200]
    assert "plotly.js (custom: scatter, bar, heatmap" in bundle and "v4.1.1" in bundle
    assert "MIT" in (vendor / "LICENSE").read_text()
    readme = (vendor / "README.md").read_text()
    assert "plotly.js@4.1.1" in readme and "npx esbuild" in readme
    # no page loads the full 4.8 MB bundle any more
    templates = ROOT / "templates"
    assert not [p for p in templates.rglob("*.html") if "plotly/plotly.min.js" in p.read_text()]
