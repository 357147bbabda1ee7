from rest_framework import serializers

from ..models import Report, ReportFile


class ReportFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ["id", "format", "status", "checksum", "size", "rows", "finished_at", "download_url"]

    def get_download_url(self, obj) -> str | None:
        if obj.status != ReportFile.Status.READY:
            return None
        return self.context["request"].build_absolute_uri(obj.get_download_url())


class ReportSerializer(serializers.ModelSerializer):
    """One report with its files, one per format."""

    period_label = serializers.CharField(read_only=True)
    files = ReportFileSerializer(source="files_in_order", many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "roadmap",
            "region",
            "period",
            "period_label",
            "kind",
            "status",
            "requested_at",
            "published_at",
            "files",
        ]
