"""Reminder sources: each app tells the daily sweep which of its dated duties fall due, without the sweep
knowing the app's models. An app registers sources in its own `reminders.py` module (autodiscovered).

    from openness_portal.notifications.registry import DueItem, Recipient, reminder_source

    @reminder_source("annual_report")
    def annual_reports_due(*, dates, municipality_ids):
        ...yield DueItem(...) for every OPEN duty whose due_date is in `dates`

`dates` maps each due date that reaches a stage on the day swept to that stage's code («7wd», «day»,
«overdue», «overdue+2w»); most sources only ask whether a date is in it. An item with no recipients goes
to its municipality's coordinators.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str  # may be "": the sweep then reports the missing address to the coordinator
    official_id: int | None = None
    department_id: int | None = None

    @cached_property  # asked once per reminder row: 200,000 times on a worst-case day, for a few hundred people
    def key(self) -> str:
        """Who this is, stably: one digest per key per day."""
        if self.official_id:
            return f"official:{self.official_id}"
        if self.department_id:
            return f"department:{self.department_id}"
        return f"email:{self.email.lower()}" if self.email else f"name:{self.name}"


class DueItem(NamedTuple):
    """One duty reaching a stage. A named tuple rather than a dataclass: a worst-case day makes 190,000 of
    them (one per deadline, one more when it is overdue): 0.05 s as tuples, 0.21 s as frozen dataclasses."""

    kind: str  # the source's kind, e.g. "deadline", "annual_report", "discussion_summary", "opendata_stale"
    subject_key: str  # stable id of the duty, e.g. "deadline:123": with stage, recipient and day it is unique
    due_date: date
    title: str  # one line, Russian: «3. Участие в обучающих мероприятиях … — до 20.12.2019»
    link: str  # path in the portal (admin or public), without host
    municipality_id: int
    recipients: tuple[Recipient, ...] = ()
    details: str = ""  # optional second line
    group: str = ""  # optional heading the digest groups items under (e.g. the responsible department)


ReminderSource = Callable[..., Iterable[DueItem]]
# coordinators(municipality_ids or None) → {municipality id: [Recipient]}: who stands in for a missing
# recipient. The app that knows staff roles registers it, as it registers its sources.
Coordinators = Callable[..., dict[int, list["Recipient"]]]


@dataclass(frozen=True)
class StaffScope:
    """Who may read the notification log, and which municipalities' rows: the portal's access rules, given
    by the app that owns them (registered with `staff_scope`)."""

    can_view: Callable[..., bool]  # can_view(user)
    visible_municipalities: Callable[..., object]  # visible_municipalities(user) → a queryset of them


_sources: dict[str, ReminderSource] = {}
_stage_sets: dict[str, str] = {}
_people: dict[str, object] = {}  # "coordinators" → Coordinators, "scope" → StaffScope

# Which reminder stages a source's items go through: "all" — before (14, 7, 3, 1 working days), on the
# day, overdue then weekly; "overdue" — only overdue then weekly (e.g. «waiting for review too long»).
STAGE_SETS = ("all", "overdue")


def reminder_source(kind: str, *, stages: str = "all") -> Callable[[ReminderSource], ReminderSource]:
    """Register `fn(*, dates: Mapping[date, str], municipality_ids: Collection[int] | None)` yielding
    DueItems (of `kind`, or of kinds of its own: the deadlines' source also writes «deadline_overdue»)."""
    if stages not in STAGE_SETS:
        raise ValueError(f"stages must be one of {STAGE_SETS}")

    def decorator(fn: ReminderSource) -> ReminderSource:
        _sources[kind] = fn
        _stage_sets[kind] = stages
        return fn

    return decorator


def stage_set(kind: str) -> str:
    """The stages a registered source's items go through ("all" unless registered otherwise)."""
    return _stage_sets.get(kind, "all")


def reminder_sources() -> dict[str, ReminderSource]:
    autodiscover_modules("reminders")
    return dict(_sources)


def coordinators_source(fn: Coordinators) -> Coordinators:
    """Register the function that gives each municipality's coordinators (one app registers it)."""
    _people["coordinators"] = fn
    return fn


def coordinators(municipality_ids) -> dict[int, list[Recipient]]:
    """Coordinators by municipality id, from the registered function (none registered: nobody)."""
    autodiscover_modules("reminders")
    found = _people.get("coordinators")
    return found(municipality_ids) if found is not None else {}


def staff_scope(
    *, can_view: Callable[..., bool], visible_municipalities: Callable[..., object]
) -> StaffScope:
    """Register the portal's rules for reading the notification log."""
    scope = _people["scope"] = StaffScope(can_view=can_view, visible_municipalities=visible_municipalities)
    return scope


def registered_staff_scope() -> StaffScope | None:
    autodiscover_modules("reminders")
    return _people.get("scope")
