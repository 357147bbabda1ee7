"""Messages the roadmaps app sends, queued in the shared notifications log."""

from django.urls import reverse
from django.utils.translation import gettext as _

from openness_portal.notifications.services import deliver, queue_notification

from .models import ProgressEntry


def notify_progress_returned(entry_id: int, reviewed_at: str) -> bool:
    entry = ProgressEntry.objects.select_related("measure__roadmap__municipality", "author").get(pk=entry_id)
    author = entry.author
    if author is None:
        return False
    email = author.email or getattr(getattr(author, "official", None), "email", "")
    notification = queue_notification(
        key=f"progress-returned:{entry.pk}:{reviewed_at}",
        kind="progress_returned",
        recipient=author.get_full_name() or author.get_username(),
        email=email,
        subject=_("Информация по мероприятию %(number)s возвращена на доработку")
        % {"number": entry.measure.number},
        template="roadmaps/email/progress_returned",
        context={"entry": entry},
        municipality=entry.measure.roadmap.municipality,
        link=reverse("admin:roadmaps_progressentry_change", args=[entry.pk]),
    )
    if notification is None or not notification.email:
        return False
    return deliver(notification.pk)
