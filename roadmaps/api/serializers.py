from django.utils import timezone
from rest_framework import serializers

from ..models import Deadline, Kpi, Measure, MeasureExecutor, ProgressEntry, Roadmap, measure_status_code


class LegalActInlineSerializer(serializers.Serializer):
    kind = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    date = serializers.DateField()
    title = serializers.CharField()
    url = serializers.CharField()


class RoadmapSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    approving_act = LegalActInlineSerializer(read_only=True)
    measure_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "municipality",
            "title",
            "kind",
            "status",
            "first_year",
            "last_year",
            "approving_act",
            "description",
            "measure_count",
            "updated_at",
        ]


class ExecutorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    kind = serializers.SerializerMethodField()
    lead = serializers.BooleanField(source="is_lead")

    class Meta:
        model = MeasureExecutor
        fields = ["order", "name", "kind", "lead", "department", "official", "text"]

    def get_kind(self, obj) -> str:
        return "official" if obj.official_id else "department" if obj.department_id else "text"


class DeadlineSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "measure",
            "due_date",
            "period",
            "part_label",
            "reporting_only",
            "origin",
            "event_date",
            "completed_on",
            "status",
        ]

    def get_status(self, obj) -> str:
        return getattr(obj, "status_code", None) or obj.status(
            self.context.get("today") or timezone.localdate()
        )


class KpiSerializer(serializers.ModelSerializer):
    targets = serializers.SerializerMethodField()
    actuals = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = ["id", "name", "unit", "kind", "comparator", "baseline", "targets", "actuals"]

    def get_targets(self, obj) -> list[dict]:
        return [{"year": t.year, "value": t.value} for t in obj.targets.all()]

    def get_actuals(self, obj) -> list[dict]:
        return [
            {"period": a.period, "value": a.value, "text": a.text, "source": a.source}
            for a in obj.actuals.all()
        ]


class MeasureSerializer(serializers.ModelSerializer):
    section = serializers.SerializerMethodField()
    executors = ExecutorSerializer(many=True, read_only=True)
    deadline_text = serializers.SerializerMethodField()
    deadline_kind = serializers.SerializerMethodField()
    needs_clarification = serializers.SerializerMethodField()
    deadlines = DeadlineSerializer(many=True, read_only=True)
    kpis = KpiSerializer(many=True, read_only=True)
    status = serializers.SerializerMethodField(help_text="Статус за год status_year, как в таблице.")
    status_year = serializers.IntegerField(read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "roadmap",
            "number",
            "title",
            "description",
            "expected_result",
            "section",
            "executors",
            "deadline_text",
            "deadline_kind",
            "needs_clarification",
            "deadlines",
            "kpis",
            "status",
            "status_year",
        ]

    def get_status(self, obj) -> str | None:
        severity = getattr(obj, "year_severity", None)
        return measure_status_code(severity) if severity is not None else None

    def get_section(self, obj) -> dict:
        return {"id": obj.section_id, "number": obj.section.number, "title": obj.section.title}

    def _rule(self, obj):
        return getattr(obj, "deadline_rule", None)

    def get_deadline_text(self, obj) -> str:
        rule = self._rule(obj)
        return rule.text if rule else ""

    def get_deadline_kind(self, obj) -> str:
        rule = self._rule(obj)
        return rule.kind if rule else "unknown"

    def get_needs_clarification(self, obj) -> bool:
        rule = self._rule(obj)
        return bool(rule and rule.needs_clarification)


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class ProgressEntrySerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressEntry
        fields = [
            "id",
            "measure",
            "period",
            "deadline",
            "text",
            "completed_on",
            "status",
            "return_reason",
            "submitted_at",
            "reviewed_at",
            "evidence",
        ]
        read_only_fields = ["status", "return_reason", "submitted_at", "reviewed_at"]


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(label="Причина возврата", max_length=5000)
