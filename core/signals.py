"""Signals the bottom layer sends so that apps above it can react without being imported by it.

``permission_denied``: a request was refused with 403 by a role or scope check (``/v1``: the
exception handler; the browser: ``handler403``). Keyword arguments: ``request``, ``reason``
(a short text) and ``surface`` (``"api"``, ``"graph"`` or ``"browser"``). The audit app records
each one as ``auth.permission_denied``.
"""

from django.dispatch import Signal

permission_denied = Signal()
