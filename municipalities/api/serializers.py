from rest_framework import serializers

from ..models import Municipality


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "slug", "name", "full_name", "region", "oktmo", "inn", "time_zone", "site_url"]
