from rest_framework import serializers

from ..models import Report


class ReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    period_label = serializers.CharField(read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "roadmap",
            "region",
            "period",
            "period_label",
            "kind",
            "format",
            "status",
            "checksum",
            "size",
            "rows",
            "requested_at",
            "finished_at",
            "published_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str | None:
        if obj.status != Report.Status.READY:
            return None
        return self.context["request"].build_absolute_uri(obj.get_download_url())
