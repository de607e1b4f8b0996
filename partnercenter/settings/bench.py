"""Benchmark settings (``make bench``): the production settings on loopback, plus the bench's own
endpoints.

Differences from production, and why:

- ``SECURE_SSL_REDIRECT`` off: gunicorn is reached directly over plain HTTP on 127.0.0.1.
- Throttling effectively off: the per-user and per-partner rates are so high that no bench
  client reaches them, but the throttle classes still run (their Redis round trips are part of
  the cost of every API request in production).
- ``ROOT_URLCONF = "bench.baseline.urls"``: every production route plus the baseline endpoint
  (a bare DRF create), which exists only under these settings.
- ``bench.baseline.middleware.QueryCountMiddleware`` first in ``MIDDLEWARE``: each response
  carries ``X-Bench-Queries``, the number of SQL queries the request ran.
- E-mail goes to the dummy backend (filing queues a notification e-mail).

The required production variables get loopback defaults here (the orchestrator, ``bench/run.py``,
sets them explicitly); ``SECRET_KEY``'s default is for a loopback bench only.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-key-for-a-loopback-benchmark-never-deploy-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pc_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from .production import *  # noqa: E402, F403
from .production import MIDDLEWARE  # noqa: E402

SECURE_SSL_REDIRECT = False
ROOT_URLCONF = "bench.baseline.urls"
API_THROTTLE_RATES = {"user": "100000000/s", "partner": "100000000/s"}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
MIDDLEWARE = ["bench.baseline.middleware.QueryCountMiddleware", *MIDDLEWARE]
