"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (modules, settings, models, URL patterns) lives as long as the
# process: the garbage collector's full passes, which a busy worker runs again and again,
# leave it alone (gc.freeze), and only look at what requests and memos made since.
gc.collect()
gc.freeze()
