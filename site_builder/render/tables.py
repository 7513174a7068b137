"""Raw-HTML tables: fast for many rows, and content inside is never parsed as Markdown."""

from __future__ import annotations

from collections.abc import Iterable

from site_builder.render.escape import html_text


def html_table(headers: list[str], rows: Iterable[list], css_class: str = "", attrs: str = "") -> str:
    """`rows` hold cells that are either plain values (escaped here) or `Html` (trusted markup we built)."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell_html(c)}</td>" for c in row) + "</tr>" for row in rows)
    # Material styles only tables without a class attribute, so our marker is a data attribute.
    class_attr = f' data-qms="{css_class}"' if css_class else ""
    return f"<table{class_attr}{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Html(str):
    """Markup built by qms-site itself from escaped parts."""

    __slots__ = ()


def cell_html(value) -> str:
    if isinstance(value, Html):
        return value
    if value is None:
        return ""
    return html_text(value)


def link(href: str, text) -> Html:
    return Html(f'<a href="{html_text(href)}">{html_text(text)}</a>')
