"""Webhook registrations and deliveries (see the webhooks issue; models arrive with it)."""
