"""API shapes of the regions and their openness rating."""

from rest_framework import serializers


class RegionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    region = serializers.CharField()
    municipalities = serializers.IntegerField()
    with_roadmap = serializers.IntegerField()


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()


class RatingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    municipality = serializers.CharField(source="municipality.slug")
    name = serializers.CharField(source="municipality.name")
    has_roadmap = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    deadlines_due = serializers.IntegerField(source="figures.deadlines_due")
    deadlines_on_time = serializers.IntegerField(source="figures.deadlines_on_time")
    overdue = serializers.IntegerField(source="figures.overdue")
    kpis_with_target = serializers.IntegerField(source="figures.kpis_with_target")
    kpis_achieved = serializers.IntegerField(source="figures.kpis_achieved")
    discussions_held = serializers.IntegerField(source="figures.discussions_held")
    discussions_summarised = serializers.IntegerField(source="figures.discussions_summarised")
    datasets = serializers.IntegerField(source="figures.datasets")
    datasets_fresh = serializers.IntegerField(source="figures.datasets_fresh")
    appeals = serializers.IntegerField(source="figures.appeals")
    appeals_on_time = serializers.IntegerField(source="figures.appeals_on_time")
    history = serializers.ListField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    )


class RegionRatingSerializer(serializers.Serializer):
    region = serializers.CharField()
    slug = serializers.CharField()
    year = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField())
    criteria = CriterionSerializer(source="method.criteria", many=True)
    rows = RatingRowSerializer(many=True)
