"""``POST /oauth2/token``: django-oauth-toolkit's token view behind a per-address rate limit.

Token requests are counted per client address (``API_THROTTLE_RATES["token"]``, default
``60/min``; the ``api`` cache, as the API's throttles): a client that asks for a token on every
call, or someone guessing secrets, gets 429 with ``Retry-After`` and OAuth 2's error shape
(``temporarily_unavailable``) instead of a token. A well-behaved client asks once an hour.
"""

from __future__ import annotations

import math

from django.http import JsonResponse
from oauth2_provider.views import TokenView

from core.api.throttling import TokenRequestThrottle


class AppTokenView(TokenView):
    def post(self, request, *args, **kwargs):
        throttle = TokenRequestThrottle()
        if not throttle.allow_request(request, self):
            seconds = max(1, math.ceil(throttle.wait() or 1))
            response = JsonResponse(
                {
                    "error": "temporarily_unavailable",
                    "error_description": f"Too many token requests; retry in {seconds} seconds.",
                },
                status=429,
            )
            response["Retry-After"] = str(seconds)
            response["Cache-Control"] = "no-store"
            return response
        return super().post(request, *args, **kwargs)
