"""Reminder sources: each app tells the daily sweep which of its dated duties fall due, without the sweep
knowing the app's models. An app registers sources in its own `reminders.py` module (autodiscovered).

    from openness_portal.notifications.registry import DueItem, Recipient, reminder_source

    @reminder_source("annual_report")
    def annual_reports_due(*, dates, municipality_ids):
        ...yield DueItem(...) for every OPEN duty whose due_date is in `dates`

A source with many rows a day (deadlines: up to one per measure and executor) answers in SQL instead: its
SELECT gives only the keys (ROW_COLUMNS), which go from its tables into the reminder log without passing
through Python; the text is asked for only for the items a digest lists, and the names and addresses of
its recipients come from its directory:

    @reminder_source("deadline", form=ROWS, kinds=("deadline", "deadline_overdue"),
                     directory=people_by_key, describe=describe_deadlines)
    def deadline_rows(*, stages, municipality_ids, coordinators):
        ...yield ReminderSelect(sql, params): a SELECT of the ROW_COLUMNS, in that order
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str  # may be "": the sweep then reports the missing address to the coordinator
    official_id: int | None = None
    department_id: int | None = None

    @property
    def key(self) -> str:
        """Who this is, stably: one digest per key per day."""
        if self.official_id:
            return f"official:{self.official_id}"
        if self.department_id:
            return f"department:{self.department_id}"
        return f"email:{self.email.lower()}" if self.email else f"name:{self.name}"


@dataclass(frozen=True)
class DueItem:
    kind: str  # the source's kind, e.g. "deadline", "annual_report", "discussion_summary", "opendata_stale"
    subject_key: str  # stable id of the duty, e.g. "deadline:123": with stage, recipient and day it is unique
    due_date: date
    title: str  # one line, Russian: «3. Участие в обучающих мероприятиях … — до 20.12.2019»
    link: str  # path in the portal (admin or public), without host
    municipality_id: int
    recipients: tuple[Recipient, ...] = field(default_factory=tuple)
    details: str = ""  # optional second line
    group: str = ""  # optional heading the digest groups items under (e.g. the responsible department)


@dataclass(frozen=True)
class ReminderSelect:
    """A SELECT producing reminder keys: the ROW_COLUMNS, in that order."""

    sql: str
    params: tuple = ()


class Described(NamedTuple):
    """What a digest shows of one item of a ROWS source (the fields of DueItem that are text).

    A named tuple, not a dataclass: a worst-case day describes 55,000 of them.
    """

    title: str
    link: str = ""
    details: str = ""
    group: str = ""


# The columns a ReminderSelect provides (the sweep adds the day, its run id and the time).
ROW_COLUMNS = (
    "kind",
    "subject_key",  # stable id of the duty
    "stage",  # «<stage code>:<due date ISO>», taken from the `stages` the source is given
    "recipient_key",  # Recipient.key of the person or department, or of a coordinator given
    "municipality_id",
    "due_date",
)
# directory(municipality_ids) → {recipient key: Recipient}, for names and addresses;
# describe(keys: [(kind, subject key)], directory) → {(kind, subject key): Described}.
Directory = Callable[..., dict[str, "Recipient"]]
Describer = Callable[..., dict[tuple[str, str], Described]]


@dataclass(frozen=True)
class RowSource:
    kinds: tuple[str, ...]
    directory: Directory
    describe: Describer


# coordinators(municipality_ids or None) → {municipality id: [Recipient]}: who stands in for a missing
# recipient. The app that knows staff roles registers it, as it registers its sources.
Coordinators = Callable[..., dict[int, list["Recipient"]]]


@dataclass(frozen=True)
class StaffScope:
    """Who may read the notification log, and which municipalities' rows: the portal's access rules, given
    by the app that owns them (registered with `staff_scope`)."""

    can_view: Callable[..., bool]  # can_view(user)
    visible_municipalities: Callable[..., object]  # visible_municipalities(user) → a queryset of them


ITEMS, ROWS = "items", "rows"  # a source yields DueItem objects, or ReminderSelect statements
ReminderSource = Callable[..., Iterable[DueItem] | Iterable[ReminderSelect]]
_sources: dict[str, ReminderSource] = {}
_stage_sets: dict[str, str] = {}
_forms: dict[str, str] = {}
_row_sources: dict[str, RowSource] = {}  # by each kind of row such a source writes
_people: dict[str, object] = {}  # "coordinators" → Coordinators, "scope" → StaffScope

# Which reminder stages a source's items go through: "all" — before (14, 7, 3, 1 working days), on the
# day, overdue then weekly; "overdue" — only overdue then weekly (e.g. «waiting for review too long»).
STAGE_SETS = ("all", "overdue")


def reminder_source(
    kind: str,
    *,
    stages: str = "all",
    form: str = ITEMS,
    kinds: tuple[str, ...] = (),
    directory: Directory | None = None,
    describe: Describer | None = None,
) -> Callable[[ReminderSource], ReminderSource]:
    """Register `fn(*, dates: Collection[date], municipality_ids: Collection[int] | None)` yielding DueItems,
    or with form=ROWS `fn(*, stages: dict[date, str], municipality_ids: list[int], coordinators: dict[int,
    list[Recipient]])` yielding ReminderSelect statements (`stages` maps each due date to its stage string)
    of rows of `kinds`, with their `directory` and `describe`."""
    if stages not in STAGE_SETS:
        raise ValueError(f"stages must be one of {STAGE_SETS}")
    if form not in (ITEMS, ROWS):
        raise ValueError(f"form must be {ITEMS!r} or {ROWS!r}")
    if form == ROWS and (directory is None or describe is None):
        raise ValueError("a ROWS source needs a directory and a describe function")

    def decorator(fn: ReminderSource) -> ReminderSource:
        _sources[kind] = fn
        _stage_sets[kind] = stages
        _forms[kind] = form
        if form == ROWS:
            row_source = RowSource(kinds=tuple(kinds) or (kind,), directory=directory, describe=describe)
            for row_kind in row_source.kinds:
                _row_sources[row_kind] = row_source
        return fn

    return decorator


def source_form(kind: str) -> str:
    """ITEMS or ROWS: how a registered source answers."""
    return _forms.get(kind, ITEMS)


def row_sources() -> dict[str, RowSource]:
    """The ROWS sources by each kind of row they write."""
    autodiscover_modules("reminders")
    return dict(_row_sources)


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
