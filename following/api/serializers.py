"""Public API shape of a follow event: what happened, never who follows it."""

from rest_framework import serializers

from .. import selectors, services
from ..models import FollowEvent


class FollowEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    headline = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = FollowEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "occurred_at",
            "roadmap",
            "measure",
            "discussion",
            "title",
            "headline",
            "text",
            "url",
        ]

    def get_headline(self, obj) -> str:
        return selectors.described(obj).headline

    def get_text(self, obj) -> str:
        return selectors.described(obj).text

    def get_url(self, obj) -> str:
        return services.absolute(obj.link)
