"""gunicorn settings for yichuang (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Sync workers, one or two per CPU: a request is CPU work in Python and PostgreSQL, and more workers than
CPUs only take turns (bench/README.md). Workers are recycled after a few thousand requests to bound memory.
"""

import multiprocessing
import os

# Prometheus multiprocess mode: an empty metrics directory at start, a dead worker's gauges dropped.
from yichuang.core.ops.gunicorn_conf import child_exit, on_starting  # noqa: F401

bind = os.environ.get("YICHUANG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("YICHUANG_WORKERS", str(max(2, multiprocessing.cpu_count()))))
worker_class = "sync"
# Load the application once in the master (config/wsgi.py imports every URL module), then fork: a worker
# started or restarted after a crash serves at once, and the workers share the loaded code's memory.
preload_app = True
timeout = int(os.environ.get("YICHUANG_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 5000
max_requests_jitter = 500
# nginx in front sets X-Forwarded-For / -Proto; only it may (docs/security.md, YICHUANG_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("YICHUANG_TRUSTED_PROXIES", "127.0.0.1")
accesslog = None  # the application writes one structured line per request (docs/operations.md)
errorlog = "-"
