"""The ``/v1/applications`` API (app registrations)."""
