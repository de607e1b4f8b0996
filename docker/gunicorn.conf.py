"""gunicorn settings for the web container, from the environment (docs/operations.md lists them).

Command-line options override these (``gunicorn -c docker/gunicorn.conf.py --bind ...``).
Request lines are written by the application (``partnercenter.request``, with the correlation
id), so gunicorn's own access log is off; its error log uses the same formatter (``LOG_FORMAT``).
"""

import os

bind = [f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]
# Processes per container: about 2 x CPU cores. Scale out with more containers.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak can't grow without bound.
max_requests = 1000
max_requests_jitter = 100
# Heartbeat files on tmpfs, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Hosts allowed to set X-Forwarded-* for gunicorn itself (Django reads X-Forwarded-Proto on its own).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
control_socket_disable = True
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()


def post_fork(server, worker):
    """Traces (core.tracing): each worker process needs its own exporter thread, set up after the
    fork and before the application loads. A no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.production")
    from core.tracing import tracing_configure

    tracing_configure(service_name="partnercenter-web")


_formatter = os.environ.get("LOG_FORMAT", "json")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation_id": {"()": "core.logging.CorrelationIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _formatter,
            "filters": ["correlation_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        # Off: the application writes one line per request with the correlation id.
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}


# Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR, core.metrics.exposition): the workers'
# value files of an earlier run are removed when gunicorn starts; an exited worker stops counting.
def on_starting(server):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from core.metrics.exposition import multiprocess_directory_clear

        multiprocess_directory_clear()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
