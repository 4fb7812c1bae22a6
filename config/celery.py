"""The Celery application, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery

from config.broker import broker_closed_connection_patch

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Before any connection is made, in web processes and workers alike.
broker_closed_connection_patch()

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
