import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")

app = Celery("valuechain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Connector imports live outside the apps' own tasks modules.
app.autodiscover_tasks(["valuechain.connectors"])
