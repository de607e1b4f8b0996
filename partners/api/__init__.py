"""REST API modules of the partners app."""
