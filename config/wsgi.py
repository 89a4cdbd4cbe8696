"""The WSGI application (gunicorn: `config.wsgi`, settings in deploy/gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every URL module (the API's routers, the 12345 classifier's scikit-learn …) now, while the worker
# boots, instead of in its first request: lazily, that first caller waited 15–20 s (bench/faults.py found it).
# With gunicorn's preload_app the master does it once, before forking.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
