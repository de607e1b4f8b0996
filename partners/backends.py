"""Authentication backend: Django's ``ModelBackend``, reading a session's user with its organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    """Django's ``ModelBackend`` (passwords, permissions), except that the user of a signed-in
    session is read with its partner and customer in one query: every page's layout shows the
    partner (``partners.context_processors.partner_context``), which was one more query per page."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("partner", "customer").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
