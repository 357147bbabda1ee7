"""One scoping rule: every model says how it reaches its municipality, and admin lists, form choices, list
filters, the API and exports all read that one declaration.

A model declares a class attribute `municipality_path`:
- `SELF` for Municipality itself;
- a lookup to its Municipality, e.g. ``"measure__roadmap__municipality"``;
- a tuple of lookups when it hangs on one of several optional foreign keys (a subscription's target):
  a row is in a municipality's scope when any of them reaches it;
- ``None`` for rows every municipality shares (vocabularies, the production calendar).
`shared_without_municipality = True` adds the rows whose municipality is empty (ready lists common to all).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from . import access

SELF = "self"


def municipality_paths(model) -> tuple[str, ...] | None:
    """The declared lookups from `model` to Municipality (None: a shared model); undeclared is an error."""
    try:
        declared = model.municipality_path
    except AttributeError:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no municipality_path: say how it reaches its municipality "
            f"(municipalities/scoping.py), or None if its rows are shared."
        ) from None
    if declared is None:
        return None
    paths = (declared,) if isinstance(declared, str) else tuple(declared)
    return tuple("pk" if path == SELF else path for path in paths)


def is_scoped(model) -> bool:
    """Whether rows of `model` belong to municipalities (a model of another app, e.g. User, does not)."""
    return hasattr(model, "municipality_path") and model.municipality_path is not None


def scope_q(model, municipalities) -> Q:
    """The condition «this row belongs to one of `municipalities`» (a queryset or ids)."""
    paths = municipality_paths(model)
    if paths is None:
        return Q(pk__isnull=False)
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path}__in": municipalities})
    if getattr(model, "shared_without_municipality", False):
        condition |= Q(**{f"{paths[0]}__isnull": True})
    return condition


def scoped(queryset: QuerySet, municipalities) -> QuerySet:
    """`queryset` limited to the rows of `municipalities`; a shared model's rows are all kept."""
    if not is_scoped(queryset.model):
        return queryset
    return queryset.filter(scope_q(queryset.model, municipalities))


def visible_to(queryset_or_model, user, *, public: Q | None = None) -> QuerySet:
    """Rows the user may read: all for a superuser, else those of the municipalities the user sees
    (access.visible_municipalities), plus the `public` rows (published roadmaps, accepted entries…)."""
    queryset = queryset_or_model
    if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, Model):
        queryset = queryset_or_model._default_manager.all()
    if access.is_superuser(user) or not is_scoped(queryset.model):
        return queryset
    condition = scope_q(queryset.model, access.visible_municipalities(user))
    if public is not None:
        condition |= public
    return queryset.filter(condition)


def municipality_id_of(obj) -> int | None:
    """The id of the municipality `obj` belongs to, by its declared path (None: shared or not set)."""
    paths = municipality_paths(type(obj)) or ()
    for path in paths:
        value = obj
        for part in path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value if path == "pk" else value.pk
    return None
