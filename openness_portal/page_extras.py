"""Slots in public pages that apps above the page's own app fill in, without the page's app knowing them.

A page's template asks for a slot with its object:

    {% load page_extras %}
    {% page_extras "head" roadmap %}      {# inside <head> #}
    {% page_extras "aside" roadmap %}     {# in the body #}

and an app registers, in its AppConfig.ready(), what it puts there for objects of a model:

    from openness_portal import page_extras
    page_extras.add("head", Roadmap, lambda obj, context: format_html(...))

A renderer gets the object and the template context and returns safe HTML; it must not query the
database (pages keep a constant number of queries, and the roadmap page is cached whole).
"""

from collections import defaultdict
from collections.abc import Callable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

Renderer = Callable[..., str]
_renderers: dict[tuple[str, type], list[Renderer]] = defaultdict(list)

register = template.Library()  # the template tag library (TEMPLATES OPTIONS libraries)


def add(slot: str, model: type, renderer: Renderer) -> None:
    if renderer not in _renderers[(slot, model)]:
        _renderers[(slot, model)].append(renderer)


def render(slot: str, obj, context) -> str:
    if obj is None:
        return ""
    parts = [conditional_escape(r(obj, context)) for r in _renderers.get((slot, type(obj)), [])]
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped above unless the renderer marked it safe


@register.simple_tag(takes_context=True, name="page_extras")
def page_extras_tag(context, slot, obj):
    return render(slot, obj, context)
