"""Serializer building blocks shared by the ``/v1`` resources."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from .shape import ERROR_SOURCE

MIN_DATE = "0001-01-01T00:00:00"  # Partner Center's "empty" date (.NET DateTime.MinValue)


class SharedChoices(tuple):
    """A field's choices (or values) as an immutable tuple that deep-copies to itself.

    DRF gives every serializer instance its own copy of the declared fields (``copy.deepcopy``,
    which re-creates each field from deep copies of its arguments); constant choices need no copy,
    so every copy of a field shares this one."""

    __slots__ = ()

    def __deepcopy__(self, memo):
        return self


class SharedMapping(dict):
    """A constant mapping given to a field (e.g. enum integers), shared by its copies as
    :class:`SharedChoices` is. Not to be changed after the field is declared."""

    def __deepcopy__(self, memo):
        return self


@extend_schema_field(
    {
        "type": "object",
        "properties": {"objectType": {"type": "string"}, "etag": {"type": "string"}},
        "required": ["objectType"],
    }
)
class ResourceAttributesField(serializers.Field):
    """``attributes: {"objectType": ...}`` of every ``/v1`` resource (plus ``etag`` when versioned)."""

    def __init__(self, object_type: str, etag_source: str | None = None, **kwargs):
        self.object_type = object_type
        self.etag_source = etag_source
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        attributes = {"objectType": self.object_type}
        if self.etag_source:
            attributes["etag"] = f'"{getattr(value, self.etag_source)}"'
        return attributes


@extend_schema_field(
    {
        # A real date-time, or Partner Center's "empty" date, which has no offset (not RFC 3339).
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "enum": [MIN_DATE]}],
        "example": MIN_DATE,
    }
)
class DateOrMinField(serializers.DateTimeField):
    """A date-time that is ``0001-01-01T00:00:00`` when empty, as Partner Center writes it."""

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return MIN_DATE if value is None else value

    def to_representation(self, value):
        return value if value == MIN_DATE else super().to_representation(value)


class LinkSerializer(serializers.Serializer):
    uri = serializers.CharField()
    method = serializers.CharField()
    headers = serializers.ListField(child=serializers.DictField())


ErrorSerializer = inline_serializer(
    name="ApiFault",
    fields={
        "code": serializers.IntegerField(),
        "description": serializers.CharField(),
        "data": serializers.ListField(child=serializers.JSONField()),
        "source": serializers.CharField(default=ERROR_SOURCE),
    },
)

ThrottledSerializer = inline_serializer(
    name="RateLimitExceeded",
    fields={"statusCode": serializers.IntegerField(), "message": serializers.CharField()},
)
