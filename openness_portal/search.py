"""Text search on public lists that folds case the same on SQLite and PostgreSQL.

SQLite's LIKE and lower() fold only ASCII, so «реестр» would not find «Реестр» there. The lists are short
(a region's discussions or surveys), so titles are read once and folded in Python: one query at any size.
"""

from django.db.models import QuerySet


def fold(text: str) -> str:
    """Text as search compares it: casefolded (Cyrillic too, which SQLite's LIKE and lower() leave alone), ё as е."""
    return (text or "").casefold().replace("ё", "е")


def matching(queryset: QuerySet, q: str, *fields: str) -> QuerySet:
    """The rows whose `fields` contain every word of `q`, case- and ё-insensitively; all rows for an empty q."""
    words = fold(q).split()
    if not words:
        return queryset
    ids = [
        pk
        for pk, *texts in queryset.order_by().values_list("pk", *fields)
        if all(word in fold(" ".join(filter(None, texts))) for word in words)
    ]
    return queryset.filter(pk__in=ids)
