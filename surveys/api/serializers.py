from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Comment, Discussion, DocumentVersion, Survey


class DiscussionSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.SerializerMethodField()
    days_left = serializers.SerializerMethodField()
    comment_count = serializers.IntegerField(source="published_count", read_only=True)
    summary = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    versions_url = serializers.SerializerMethodField()

    class Meta:
        model = Discussion
        fields = [
            "id",
            "municipality",
            "kind",
            "title",
            "description",
            "document_url",
            "opens_at",
            "closes_at",
            "last_day",
            "status",
            "days_left",
            "comment_count",
            "summary_due_date",
            "summary",
            "url",
            "versions_url",
        ]

    def get_status(self, obj) -> str:
        return obj.status_at(self.context.get("now") or timezone.now())

    def get_days_left(self, obj) -> int | None:
        now = self.context.get("now") or timezone.now()
        return obj.days_left(now) if obj.status_at(now) == Discussion.Status.OPEN else None

    def get_summary(self, obj) -> str | None:
        from ..selectors import published_summary

        summary = published_summary(obj)
        return summary.text if summary else None

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_versions_url(self, obj) -> str | None:
        """Редакции of a draft act, paragraph by paragraph (`/api/v1/discussions/<id>/versions/`)."""
        if obj.kind != Discussion.Kind.DRAFT_ACT:
            return None
        from django.urls import reverse

        return reverse("discussion-versions", args=[obj.pk])


class CommentSerializer(serializers.ModelSerializer):
    """Public view of a comment: never the e-mail. `paragraph`: the point of a редакция it is on, or null."""

    text = serializers.CharField()
    paragraph_anchor = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "paragraph",
            "paragraph_anchor",
            "author_name",
            "text",
            "is_official",
            "created_at",
        ]

    def get_paragraph_anchor(self, obj) -> str | None:
        return obj.paragraph.anchor if obj.paragraph_id else None


class ParagraphSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    anchor = serializers.CharField()
    text = serializers.CharField()
    comment_count = serializers.IntegerField()
    change = serializers.ChoiceField(
        choices=["same", "changed", "new"],
        allow_null=True,
        help_text="По сравнению с первой редакцией; null у первой.",
    )


class DocumentVersionSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField()
    paragraphs = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["number", "title", "is_final", "published_at", "changes", "file", "paragraphs"]

    def get_file(self, obj) -> str | None:
        return obj.file.url if obj.file else None

    @extend_schema_field(ParagraphSerializer(many=True))
    def get_paragraphs(self, obj):
        return [
            {
                "id": p.pk,
                "position": p.position,
                "anchor": p.anchor,
                "text": p.text,
                "comment_count": p.comment_count,
                "change": getattr(p, "change", None),
            }
            for p in obj.paragraph_list
        ]


class CommentCreateSerializer(serializers.Serializer):
    """Raw input; the rules are CommentForm's (surveys.forms), so the page and the API agree."""

    author_name = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    email = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    consent = serializers.BooleanField(required=False, default=False)
    parent = serializers.IntegerField(required=False, allow_null=True)
    paragraph = serializers.IntegerField(required=False, allow_null=True)
    website = serializers.CharField(required=False, allow_blank=True)


class SurveySerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    is_open = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "municipality",
            "title",
            "description",
            "audience",
            "audience_group",
            "opens_at",
            "closes_at",
            "is_open",
            "url",
            "results_url",
        ]

    def get_is_open(self, obj) -> bool:
        return obj.is_open

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_results_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("surveys:survey_results", args=[obj.pk])
