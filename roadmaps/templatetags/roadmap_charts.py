"""Server-side SVG charts: no JavaScript and no external library on the page."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 220, 40, 30, 16


def _fmt(value) -> str:
    text = f"{value:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace(".", ",")


@register.simple_tag
def kpi_chart(series, title=""):
    """Bars of target (outline) and actual (filled) per year, from rows {"year", "target", "actual"}."""
    if not series:
        return ""
    top = max([float(s["target"] or 0) for s in series] + [float(s["actual"] or 0) for s in series] + [1.0])
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT) / len(series)
    bar = max(6.0, min(28.0, slot / 3))
    plan, fact = escape(gettext("план")), escape(gettext("факт"))
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#4d5560"/>',
        f'<text x="4" y="{PAD_TOP + 4}" font-size="12" fill="#4d5560">{_fmt(top) if top % 1 else int(top)}</text>',
    ]
    for i, s in enumerate(series):
        x = PAD_LEFT + i * slot + slot / 2
        for offset, value, filled, label in (
            (-bar, s["target"], False, plan),
            (0, s["actual"], True, fact),
        ):
            if value is None:
                continue
            h = plot_h * float(value) / top
            y = HEIGHT - PAD_BOTTOM - h
            fill = 'fill="#0b57a4"' if filled else 'fill="#ffffff" stroke="#0b57a4" stroke-width="2"'
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0.5):.1f}" {fill}>'
                f"<title>{s['year']}: {label} {_fmt(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" font-size="12" text-anchor="middle" fill="#1b1f24">'
            f"{s['year']}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only
