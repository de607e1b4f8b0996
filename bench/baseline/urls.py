"""Root URL configuration of ``partnercenter.settings.bench``: every production route plus the
baseline endpoint, which therefore exists nowhere else."""

from django.urls import path

from partnercenter import urls as production_urls

from .views import BaselineRowCreateApi

BASELINE_PATH = "bench/baseline/servicerequests"

urlpatterns = [
    path(BASELINE_PATH, BaselineRowCreateApi.as_view(), name="bench-baseline"),
    *production_urls.urlpatterns,
]

# The error handlers the production URLconf declares (handler403, and any added later).
for _handler in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(production_urls, _handler):
        globals()[_handler] = getattr(production_urls, _handler)
