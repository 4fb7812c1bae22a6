"""gunicorn settings for the web process (``gunicorn -c deploy/gunicorn.conf.py config.wsgi``).

Threaded workers: a request stuck on a slow peer holds one thread, not a whole process,
so health probes and the SDK endpoint keep being served beside it.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Every peer call has its own, shorter timeout (see README, "Configuration"); this one
# only catches a request that is stuck on something that has none.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
# No control socket: its default path is one per user, which several instances would share.
control_socket_disable = True
