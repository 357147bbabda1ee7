"""Demo rating method for Stavropol Krai (the seeds' Levokumsky and Krasnogvardeysky): the defaults, with a
note saying so. Idempotent."""

from django.db import transaction

from ..models import DEFAULT_WEIGHTS, RatingCriterion, RatingMethod

DEMO_REGION = "Ставропольский край"


@transaction.atomic
def load(stdout=None) -> RatingMethod:
    method, created = RatingMethod.objects.get_or_create(
        region=DEMO_REGION,
        defaults={
            "note": "Демонстрационная методика: веса по умолчанию, регион может изменить их в разделе администрирования."
        },
    )
    for criterion, weight in DEFAULT_WEIGHTS.items():
        RatingCriterion.objects.get_or_create(method=method, criterion=criterion, defaults={"weight": weight})
    if stdout and created:
        stdout.write(f"методика рейтинга: {DEMO_REGION}")
    return method
