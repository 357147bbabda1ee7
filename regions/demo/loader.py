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


def load_region_demos(stdout=None) -> None:
    """Called from the roadmaps demo loader once the seed municipalities exist: appeals, then the method."""
    from appeals.demo.loader import load as load_appeals

    load_appeals(stdout)
    load(stdout)
