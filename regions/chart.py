"""The rating history as a plain SVG bar chart, drawn on the server: no script, no inline style (strict CSP)."""

from decimal import Decimal

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 600, 240, 20, 30, 40


def history_bars(history: list[dict]) -> dict:
    """Bar geometry for the regional average of each year (scores 0–100)."""
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(1, len(history))
    bars = []
    for i, point in enumerate(history):
        value = point["average"]
        height = float(value or Decimal(0)) * plot_height / 100
        x = LEFT + i * slot + slot * 0.15
        bars.append(
            {
                "year": point["year"],
                "value": value,
                "x": round(x, 1),
                "y": round(TOP + plot_height - height, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "label_x": round(x + slot * 0.35, 1),
                "value_y": round(TOP + plot_height - height - 4, 1),
            }
        )
    gridlines = [
        {"value": v, "y": round(TOP + plot_height - v * plot_height / 100, 1)} for v in (0, 25, 50, 75, 100)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "gridlines": gridlines,
        "left": LEFT,
        "axis_y": HEIGHT - BOTTOM,
        "year_y": HEIGHT - 10,
    }
