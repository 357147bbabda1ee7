"""Domain events of discussions (for apps above this one), and cache upkeep: drop the cached copy of a
discussion when it, its municipality or its moderation settings change.

The domain signals are sent after the change commits (`roadmaps.signals.send_after_commit`):

- `discussion_opened(discussion)`: a discussion window was created (it may open later: `opens_at`);
- `discussion_closed(discussion)`: its window ended and the close-time work ran (once per discussion);
- `summary_published(summary)`: its summary (итоги) was published.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from municipalities.models import Municipality

from .models import Discussion, ModerationSettings
from .selectors import forget_discussions

discussion_opened = Signal()
discussion_closed = Signal()
summary_published = Signal()


def _forget(pks):
    pks = list(pks)
    if not pks:
        return
    forget_discussions(pks)
    # Again after commit: a request may have cached the old row while this transaction was open.
    transaction.on_commit(lambda: forget_discussions(pks))


@receiver([post_save, post_delete], sender=Discussion)
def discussion_changed(sender, instance, **kwargs):
    _forget([instance.pk])


@receiver([post_save, post_delete], sender=ModerationSettings)
def moderation_changed(sender, instance, **kwargs):
    _forget(Discussion.objects.filter(municipality_id=instance.municipality_id).values_list("pk", flat=True))


@receiver(post_save, sender=Municipality)
def municipality_changed(sender, instance, created=False, **kwargs):
    if not created:
        _forget(Discussion.objects.filter(municipality_id=instance.pk).values_list("pk", flat=True))
