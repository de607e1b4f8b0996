"""Root URL configuration."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import customers.urls
import gdap.customer_urls
import servicerequests.customer_urls
from apiaccess import views as apiaccess_views
from apiaccess.token import AppTokenView
from core import health
from home import views as home_views
from home.language import language_set

# A customer's page is one namespace, ``customers``, whose tabs come from the apps that own them.
customer_pages = (
    [
        *customers.urls.urlpatterns,
        *gdap.customer_urls.urlpatterns,
        *servicerequests.customer_urls.urlpatterns,
    ],
    "customers",
)

urlpatterns = [
    path("", home_views.home, name="home"),
    path(
        "signin/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language_set, name="language_set"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("gdap/", include("gdap.urls")),
    path("", include(customer_pages)),
    path("", include("servicerequests.urls")),
    path("queues/", include("queues.urls")),
    path("portals/", include("portals.urls")),
    path("audit/", include("audit.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("graph/v1.0/", include("gdap.api.urls")),
    path("graph/v1.0/", include("servicerequests.api.graph_urls")),
    path("settings/api-access/", apiaccess_views.api_access, name="api_access"),
    path("settings/applications/", apiaccess_views.applications, name="applications"),
    # App-only OAuth 2 (client credentials) of app registrations: django-oauth-toolkit's token view.
    path("oauth2/token", AppTokenView.as_view(), name="oauth2_token"),
    path("v1/", include("partnercenter.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP). Swagger UI
    # sets inline styles as it renders, so this one page may use them (never inline scripts).
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
]

# A 403 anywhere in the browser is recorded in the audit log (auth.permission_denied).
handler403 = "audit.views.permission_denied"
# An unknown /graph/v1.0 path answers in Graph's error shape (/v1 has its own catch-all route).
handler404 = "core.security.page_not_found"
