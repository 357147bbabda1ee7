"""Public API shape of an appeal: fields are listed, never `__all__`, so nothing personal can leak."""

from rest_framework import serializers

from ..models import Appeal


class AppealSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    answered_on_time = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "municipality",
            "received_on",
            "channel",
            "channel_display",
            "topic",
            "due_on",
            "answered_on",
            "answered_on_time",
            "external_number",
        ]
