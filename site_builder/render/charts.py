"""Charts drawn at build time as inline SVG: readable without JavaScript, with a table beside them.

Bars are in the theme's colours; a figure the report does not state is drawn as an empty slot marked
"未列明", a figure from a table that failed its arithmetic checks in a warning colour marked "!".
"""

from __future__ import annotations

from markupsafe import Markup, escape

from site_builder.schema import format_number

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 360, 150, 22, 24, 6


def bar_chart(title: str, series: list[tuple[str, object, bool]], chart_id: str) -> Markup:
    """`series`: (label, value or None, flagged). Returns an <svg> with a title and description."""
    values = [v for _, v, _ in series if v is not None]
    top = max(values, default=0) or 1
    n = max(len(series), 1)
    slot = (WIDTH - 2 * LEFT) / n
    bar = min(36.0, slot * 0.7)
    plot = HEIGHT - TOP - BOTTOM
    desc = "；".join(f"{label}年：{'未列明' if v is None else format_number(v)}{'（勾稽关系不符）' if flagged else ''}"
                    for label, v, flagged in series)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - LEFT}" y2="{HEIGHT - BOTTOM}" class="axis"/>']
    for i, (label, value, flagged) in enumerate(series):
        x = LEFT + i * slot + (slot - bar) / 2
        cx = x + bar / 2
        if value is None:
            parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - 4}" width="{bar:.1f}" height="4" class="bar-missing"/>')
            parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM - 8}" class="value muted">未列明</text>')
        else:
            h = max(1.0, plot * (float(value) / top)) if value else 1.0
            y = HEIGHT - BOTTOM - h
            css = "bar-flagged" if flagged else "bar"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="{css}"/>')
            parts.append(f'<text x="{cx:.1f}" y="{y - 4:.1f}" class="value">{escape(format_number(value))}{"!" if flagged else ""}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - 8}" class="label">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


ROW, LABEL_W, VALUE_W = 20, 118, 64


def hbar_chart(title: str, rows: list[tuple[str, object, bool]], chart_id: str, note: str = "") -> Markup:
    """Regions side by side: one horizontal bar per (label, value or None, flagged), as many rows as given;
    the longest bar is the largest value. Labels longer than ten characters are shortened with "…" (the
    <desc> and the table beside the chart have them whole)."""
    values = [float(v) for _, v, _ in rows if v is not None]
    top = max(values, default=0) or 1
    height = TOP // 2 + ROW * max(len(rows), 1) + 4
    plot = WIDTH - LABEL_W - VALUE_W
    desc = "；".join(f"{label}：{'未列明' if v is None else format_number(v)}{'（勾稽关系不符）' if flagged else ''}"
                    for label, v, flagged in rows) + (f"。{note}" if note else "")
    parts = [f'<svg class="chart hchart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
             f'<line x1="{LABEL_W}" y1="{TOP // 2 - 4}" x2="{LABEL_W}" y2="{height - 2}" class="axis"/>']
    for i, (label, value, flagged) in enumerate(rows):
        y = TOP // 2 + i * ROW
        short = label if len(label) <= 10 else label[:9] + "…"
        parts.append(f'<text x="{LABEL_W - 4}" y="{y + ROW * 0.65:.1f}" class="label end">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{LABEL_W + 4}" y="{y + ROW * 0.65:.1f}" class="value muted start">未列明</text>')
            continue
        w = max(1.0, plot * (float(value) / top)) if value else 1.0
        css = "bar-flagged" if flagged else "bar"
        parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" class="{css}"/>')
        parts.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + ROW * 0.65:.1f}" class="value start">'
                     f'{escape(format_number(value))}{"!" if flagged else ""}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
