"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from core.tracing import tracing_configure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.production")
# Before the application loads its middleware; a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
tracing_configure(service_name="partnercenter-web")
application = get_asgi_application()
