"""Escaping for everything that comes from content.

Generated pages are Markdown, so HTML escaping alone is not enough: `md_inline` turns
every ASCII punctuation character into a numeric entity, which Markdown shows literally
and never parses as syntax (verified against links, emphasis, tables, attr_list, snippets
and template braces).  Tables of data are emitted as raw HTML blocks with `html_text`,
which Markdown leaves alone.
"""

from __future__ import annotations

import html
import re
import string
from urllib.parse import quote

_PUNCTUATION = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
_WHITESPACE = re.compile(r"\s+")


def md_inline(value) -> str:
    """Content text as a literal inline Markdown run (one line, no syntax)."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    return text.translate(_PUNCTUATION)


def html_text(value) -> str:
    """Content text inside HTML elements (also safe inside attribute values)."""
    return html.escape(str(value), quote=True)


def html_multiline(value) -> str:
    """Narrative text inside HTML: escaped, line breaks kept, no blank lines (they would end the HTML block)."""
    lines = [html_text(line) for line in str(value).splitlines() if line.strip()]
    return "<br>".join(lines)


def url_segment(value: str) -> str:
    """A path segment for an identifier that already matched an ASCII pattern."""
    return quote(str(value), safe="-_.")


_TITLE_SUBSTITUTES = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "\n": " ", "\r": " "})


def plain_title(value) -> str:
    """A title for navigation, <title> and page headers.

    MkDocs and Material print nav titles as HTML and apply `striptags`, which turns escaped
    entities back into tags; so markup characters are replaced by their full-width forms.
    """
    return str(value).translate(_TITLE_SUBSTITUTES)


def css_string(value) -> str:
    """A CSS string literal for generated style sheets: quotes, backslashes, angle brackets, ampersands and
    control characters become CSS hex escapes, so the text can neither end the string nor the <style> element."""
    out = []
    for char in str(value):
        if char in '"\\<>&\'' or ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"\\{ord(char):06x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'

