"""The Celery app of the worker and beat (`celery -A config ...`).

Production settings unless DJANGO_SETTINGS_MODULE says otherwise, as for
config/wsgi.py; `make run` (Procfile.dev) sets the development settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
