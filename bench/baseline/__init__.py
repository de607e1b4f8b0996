"""The bench's own web endpoints, installed only by ``partnercenter.settings.bench``.

- ``POST /bench/baseline/servicerequests``: the stack's floor for filing. A bare DRF create
  (``ModelSerializer`` + ``CreateAPIView``) that inserts a service request row of the same size as
  filing does (same table, same indexes, same eligibility snapshot size), with the same
  authentication, permission and throttle classes as ``/v1`` — and nothing else: no eligibility,
  no audit event, no outbox, no idempotency record, no lookup of the customer or the topic.
- ``QueryCountMiddleware``: the ``X-Bench-Queries`` response header.
"""
