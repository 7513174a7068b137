"""Where the installed Material theme keeps its templates (the HTML verifier reads its scripts there)."""

from __future__ import annotations

from pathlib import Path

import material


def material_templates() -> Path:
    """Material's templates folder: the `theme_dir` of verify.html.HtmlVerifier."""
    return Path(material.__file__).parent / "templates"
