"""Observability: the metrics that need the domain apps (top layer; ``core.metrics`` is the bottom)."""
