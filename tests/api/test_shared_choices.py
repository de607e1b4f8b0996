"""``core.api.serializers.SharedChoices`` / ``SharedMapping``: constant field arguments that each
serializer instance's copy of its fields shares instead of deep-copying, with the same validation."""

import copy

import pytest
from rest_framework import serializers

from core.api.serializers import SharedChoices, SharedMapping
from servicerequests.api.serializers import ServiceRequestCreateSerializer, severity_field
from servicerequests.choices import Severity


def test_shared_arguments_deep_copy_to_themselves():
    choices, integers = SharedChoices(Severity.choices), SharedMapping({1: "critical"})
    assert copy.deepcopy(choices) is choices
    assert copy.deepcopy(integers) is integers
    assert copy.deepcopy([choices])[0] is choices
    assert choices == tuple(Severity.choices)


def test_a_copied_choice_field_shares_its_choices_and_validates_as_before():
    declared = serializers.ChoiceField(choices=SharedChoices(Severity.choices))
    plain = serializers.ChoiceField(choices=Severity.choices)
    copied = copy.deepcopy(declared)
    assert copied is not declared
    assert copied.choices == plain.choices
    assert copied.run_validation("critical") == "critical"
    with pytest.raises(serializers.ValidationError):
        copied.run_validation("urgent")


def test_each_serializer_instance_still_has_its_own_fields():
    first, second = ServiceRequestCreateSerializer(), ServiceRequestCreateSerializer()
    assert first.fields["workload"] is not second.fields["workload"]
    assert first.fields["workload"].parent is first and second.fields["workload"].parent is second
    field = severity_field()
    assert copy.deepcopy(field).to_internal_value(1) == field.to_internal_value(1)
