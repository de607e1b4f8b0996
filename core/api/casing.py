"""Casing of the ``/v1`` wire format.

Responses are camelCase because the output serializers declare camelCase field names (so the
OpenAPI document is exact). Requests may be camelCase or PascalCase, as Partner Center's own
examples are: the parser turns every PascalCase key into camelCase before validation.
"""

from rest_framework.parsers import JSONParser


def camel_key(key):
    """``"SupportTopicId"`` → ``"supportTopicId"``; ``"ID"`` → ``"id"``; other keys unchanged."""
    if not isinstance(key, str) or not key[:1].isupper():
        return key
    if key.isupper():
        return key.lower()
    return key[0].lower() + key[1:]


def camelize_keys(value):
    """Apply ``camel_key`` to every key of every dict in ``value``, recursively."""
    if isinstance(value, dict):
        return {camel_key(k): camelize_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize_keys(v) for v in value]
    return value


class PartnerCenterJSONParser(JSONParser):
    """JSON bodies with camelCase or PascalCase keys, handed to serializers as camelCase."""

    def parse(self, stream, media_type=None, parser_context=None):
        return camelize_keys(super().parse(stream, media_type, parser_context))
