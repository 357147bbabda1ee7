"""Public API shapes. No participant or member contact ever goes out: fields are listed, never `__all__`."""

from rest_framework import serializers

from ..models import (
    AgendaItem,
    Council,
    CouncilMember,
    CouncilRegulation,
    CouncilWorkPlan,
    Meeting,
    ReferentGroup,
)


class ReferentGroupSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    principles = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    channels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    tools = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    responsible = serializers.SerializerMethodField()
    participant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReferentGroup
        fields = [
            "id",
            "municipality",
            "name",
            "description",
            "responsible",
            "principles",
            "channels",
            "tools",
            "participant_count",
        ]

    def get_responsible(self, obj) -> list[str]:
        # Departments and posts by name only: their e-mails and phones stay in the admin.
        names = [str(d) for d in obj.responsible_departments.all()]
        return names + [str(o) for o in obj.responsible_officials.all()]


class CouncilMemberSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display")

    class Meta:
        model = CouncilMember
        fields = ["full_name", "role", "role_display", "represents", "term_start", "term_end"]


class CouncilRegulationSerializer(serializers.ModelSerializer):
    file = serializers.FileField(use_url=True)

    class Meta:
        model = CouncilRegulation
        fields = ["title", "date", "url", "file"]


class CouncilWorkPlanSerializer(serializers.ModelSerializer):
    file = serializers.FileField(use_url=True)

    class Meta:
        model = CouncilWorkPlan
        fields = ["year", "title", "approved_on", "content", "url", "file"]


class CouncilSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    members = CouncilMemberSerializer(source="current_members", many=True, read_only=True)
    regulations = CouncilRegulationSerializer(many=True, read_only=True)
    work_plans = CouncilWorkPlanSerializer(many=True, read_only=True)
    meeting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Council
        fields = [
            "id",
            "municipality",
            "name",
            "description",
            "members",
            "regulations",
            "work_plans",
            "meeting_count",
        ]


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["order", "title", "speaker", "decision"]


class MeetingSerializer(serializers.ModelSerializer):
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    minutes_file = serializers.FileField(use_url=True)

    class Meta:
        model = Meeting
        fields = ["id", "date", "number", "place", "status", "minutes", "minutes_file", "agenda_items"]
