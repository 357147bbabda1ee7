"""Reads: what a target is called and where it lives, the events a feed or the API lists, how an event
reads (in the language of the request or the worker, not frozen at the time it happened)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from openness_portal.periods import Period
from roadmaps.models import Measure, Roadmap
from surveys.models import Discussion

from .models import FollowEvent, Subscription

FEED_SIZE = 50


def subscriptions_with_target() -> QuerySet:
    """Subscriptions with whatever their target needs for its title, link and municipality: one query."""
    return Subscription.objects.select_related(
        "roadmap__municipality", "measure__roadmap__municipality", "discussion__municipality"
    )


def is_followable(target) -> bool:
    if isinstance(target, Roadmap):
        return target.is_public
    if isinstance(target, Measure):
        return target.roadmap.is_public
    return isinstance(target, Discussion)


def target_title(target) -> str:
    if isinstance(target, Measure):
        return f"{target.number} {target.title}"
    return target.title


def target_url(target) -> str:
    return target.get_absolute_url()


def target_municipality(target):
    if isinstance(target, Measure):
        return target.roadmap.municipality
    return target.municipality


def feed_url(target) -> str:
    if isinstance(target, Roadmap):
        return reverse("following:roadmap_feed", args=[target.municipality.slug, target.pk])
    if isinstance(target, Measure):
        return reverse(
            "following:measure_feed", args=[target.roadmap.municipality.slug, target.roadmap_id, target.pk]
        )
    return reverse("following:discussion_feed", args=[target.pk])


def follow_url(target) -> str:
    kind = (
        "roadmap"
        if isinstance(target, Roadmap)
        else "measure"
        if isinstance(target, Measure)
        else "discussion"
    )
    return reverse("following:follow", args=[kind, target.pk])


# --- Events -----------------------------------------------------------------------------------------------


def public_events(*, now=None) -> QuerySet:
    """Events that have happened, of public roadmaps (or of discussions outside any roadmap)."""
    now = now or timezone.now()
    return FollowEvent.objects.filter(occurred_at__lte=now).filter(
        Q(roadmap__isnull=True) | Roadmap.public("roadmap__")
    )


def events_of(target, *, now=None, limit: int = FEED_SIZE) -> list[FollowEvent]:
    """The latest events a follower of `target` hears of, newest first: one query."""
    field = (
        "roadmap"
        if isinstance(target, Roadmap)
        else "measure"
        if isinstance(target, Measure)
        else "discussion"
    )
    return list(
        public_events(now=now).filter(**{f"{field}_id": target.pk}).order_by("-occurred_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Described:
    headline: str
    text: str
    link: str
    occurred_at: object
    kind: str


def _day(value: str | None) -> str:
    if not value:
        return "—"
    return formats.date_format(date.fromisoformat(value), "d.m.Y")


def _period(code: str) -> str:
    try:
        return Period.parse(code).label
    except ValueError:
        return code


def described(event: FollowEvent) -> Described:
    """Headline and text of an event, translated now (no query)."""
    data, title, kind = event.data or {}, event.title, event.kind
    K = FollowEvent.Kind
    if kind == K.PROGRESS_ACCEPTED:
        headline = _("Принята информация о ходе реализации мероприятия %(title)s") % {"title": title}
        text = _("За %(period)s: %(text)s") % {
            "period": _period(data.get("period", "")),
            "text": data.get("text", ""),
        }
    elif kind == K.DEADLINE_MOVED:
        headline = _("Перенесен срок мероприятия %(title)s") % {"title": title}
        text = _("Срок перенесен с %(old)s на %(new)s. Причина: %(reason)s") % {
            "old": _day(data.get("from")),
            "new": _day(data.get("to")),
            "reason": data.get("reason", ""),
        }
    elif kind == K.REPORT_PUBLISHED:
        from reports.models import Report

        kind_label = Report.Kind(data["kind"]).label if data.get("kind") in Report.Kind.values else ""
        headline = _("Опубликован отчет: %(kind)s за %(period)s") % {
            "kind": kind_label,
            "period": _period(data.get("period", "")),
        }
        text = _("Дорожная карта «%(title)s».") % {"title": title}
    elif kind == K.DISCUSSION_OPENED:
        headline = _("Открыто общественное обсуждение: %(title)s") % {"title": title}
        text = _("Замечания и предложения принимаются до %(day)s включительно.") % {
            "day": _day(data.get("last_day"))
        }
    elif kind == K.DISCUSSION_CLOSED:
        headline = _("Общественное обсуждение завершено: %(title)s") % {"title": title}
        text = (
            _("Итоги будут опубликованы до %(day)s.") % {"day": _day(data.get("summary_due"))}
            if data.get("summary_due")
            else ""
        )
    else:
        headline = _("Опубликованы итоги обсуждения: %(title)s") % {"title": title}
        text = data.get("text", "")
    return Described(headline=headline, text=text, link=event.link, occurred_at=event.occurred_at, kind=kind)
