import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")

app = Celery("valuechain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks outside the apps: the scenarios package (roadmap runs).
app.autodiscover_tasks(["valuechain.scenarios"])
