"""Atom feeds of a roadmap, a measure and a discussion, from the same FollowEvent rows the mail is made of.

Two queries per feed whatever the number of events: the target, then its latest events.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from roadmaps.models import Measure, Roadmap
from surveys.models import Discussion

from . import selectors


class _EventFeed(Feed):
    feed_type = Atom1Feed

    def title(self, obj):
        return _("%(title)s — изменения") % {"title": selectors.target_title(obj)}

    def subtitle(self, obj):
        return _("Ход реализации, сроки, обсуждения и отчеты: %(portal)s") % {"portal": settings.PORTAL_NAME}

    def link(self, obj):
        return selectors.target_url(obj)

    def items(self, obj):
        return [(event, selectors.described(event)) for event in selectors.events_of(obj)]

    def item_title(self, item):
        return item[1].headline

    def item_description(self, item):
        return item[1].text

    def item_link(self, item):
        return item[0].link

    def item_guid(self, item):
        return f"follow-event-{item[0].pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[0].occurred_at

    def item_updateddate(self, item):
        return item[0].occurred_at

    def item_categories(self, item):
        return [item[0].get_kind_display()]


class RoadmapFeed(_EventFeed):
    def get_object(self, request, slug, pk):
        roadmap = get_object_or_404(
            Roadmap.objects.select_related("municipality"), pk=pk, municipality__slug=slug
        )
        if not roadmap.is_public:
            raise Http404
        return roadmap


class MeasureFeed(_EventFeed):
    def get_object(self, request, slug, roadmap_pk, pk):
        measure = get_object_or_404(
            Measure.objects.select_related("roadmap__municipality"),
            pk=pk,
            roadmap_id=roadmap_pk,
            roadmap__municipality__slug=slug,
        )
        if not measure.roadmap.is_public:
            raise Http404
        return measure


class DiscussionFeed(_EventFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Discussion.objects.select_related("municipality"), pk=pk)
