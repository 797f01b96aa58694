import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")

app = Celery("valuechain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# tasks of packages inside an app (not found by the app-level discovery above)
app.autodiscover_tasks(
    [
        "contracts.notifications",
        "contracts.monitoring",
        "valuechain.scenarios",
        "valuechain.connectors",
    ]
)
