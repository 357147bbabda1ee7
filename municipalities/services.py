"""Write side of municipalities: the people a plan names, and what each staff account may do where."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openness_portal.search import fold

from .models import Department, Municipality, Official, StaffRole


def executor_from_text(municipality: Municipality, text: str, kind: str, aliases: list[str]):
    """The department («отдел …», kind "department"), person («Бегишева Н.А.», "person") or post
    («пресс-секретарь главы района», "post") a plan names and the municipality does not have yet."""
    if kind == "department":
        department, _created = Department.objects.get_or_create(
            municipality=municipality, name=text[:400], defaults={"aliases": aliases}
        )
        return department
    if kind == "person":
        return Official.objects.create(municipality=municipality, name=text[:200], aliases=aliases)
    return Official.objects.create(municipality=municipality, post=text[:300], aliases=aliases)


def region_as_recorded(region: str) -> str:
    """The region as the municipalities spell it («ханты-мансийский АО – Югра » → theirs), since a supervisor
    sees the municipalities whose region is exactly his; "" (all regions) stays "".

    Raises ValidationError when no municipality is in such a region."""
    wanted = fold(region).split()
    if not wanted:
        return ""
    # Compared in Python, as search compares (SQLite folds Latin letters only). Regions are a few dozen.
    for recorded in Municipality.objects.values_list("region", flat=True).distinct():
        if fold(recorded).split() == wanted:
            return recorded
    raise ValidationError(
        {
            "region": _(
                "Ни одно муниципальное образование не относится к субъекту «%(region)s». Проверьте написание "
                "или сначала добавьте муниципальные образования субъекта."
            )
            % {"region": region.strip()}
        }
    )


@transaction.atomic
def grant_staff_role(
    user,
    role: str,
    *,
    municipality: Municipality | None = None,
    region: str = "",
    official: Official | None = None,
) -> StaffRole:
    """Give the account its role (replacing the one it had) and, for staff of a municipality, its official.

    A coordinator or executor works for one municipality; a supervisor for a region or for all of them.
    Nothing is saved when the combination is wrong."""
    if role not in StaffRole.Role.values:
        raise ValidationError({"role": _("Неизвестная роль сотрудника.")})
    if role == StaffRole.Role.SUPERVISOR:
        municipality = None
        region = region_as_recorded(region)
    elif municipality is None:
        raise ValidationError(
            {
                "municipality": _(
                    "Укажите муниципальное образование: координатор, исполнитель и модератор работают в одном из них."
                )
            }
        )
    if official is not None:
        if municipality is None or official.municipality_id != municipality.pk:
            raise ValidationError({"official": _("Должностное лицо из другого муниципального образования.")})
        if official.user_id not in (None, user.pk):
            raise ValidationError({"official": _("У должностного лица уже есть другая учетная запись.")})
    staff_role, _created = StaffRole.objects.update_or_create(
        user=user, defaults={"role": role, "municipality": municipality, "region": region}
    )
    if official is not None and official.user_id is None:
        official.user = user
        official.save(update_fields=["user"])
    return staff_role
