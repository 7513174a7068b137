"""The `print` command: a PDF of the current version of a document, as a controlled copy or uncontrolled.

    python -m site_builder print QP-01 --copy 03 [--out FILE.pdf]

builds the staff site into a temporary folder, opens documents/<ID>/ in headless Chromium and
prints it with 「受控副本 第03号」 (without --copy: 「非受控文件」), the document number, version and
verification code on every page, plus the site's "第 x 页 / 共 y 页".  Exit 1: unknown or not
effective document, copy number not on its distribution list, content errors; exit 2: Chromium
missing, Playwright missing (it comes with the `print` extra: pip install 'qms-site[print]'), bad --out.
"""

from __future__ import annotations

import io
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.cli.options import make_build
from site_builder.publish import printing
from site_builder.render import links


def register_print(parser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="document number, e.g. QP-01")
    parser.add_argument("--copy", metavar="NN",
                        help="controlled copy number from the document's distribution list (omit for an uncontrolled copy)")
    parser.add_argument("--out", metavar="FILE.pdf",
                        help="output file (default: <DOC_ID>-<version>[-copyNN].pdf in the current folder)")
    parser.set_defaults(handler=run_print)


def run_print(args) -> int:
    if printing.playwright_missing():  # (said first: without it nothing can be printed, whatever the request)
        print(f"qms: error: {printing.PRINT_EXTRA_HINT}", file=sys.stderr)
        return 2
    result = make_build(args, use_cache=False).check()
    manual = result.manual
    if manual is None:
        print(dg.format_text(result.diagnostics))
        return _fail("the manual cannot be loaded; fix the errors above (python -m site_builder check)")
    document = manual.document(args.doc_id)
    if document is None:
        known = ", ".join(d.id for d in manual.documents if d.status == "effective")
        return _fail(f"unknown document {args.doc_id!r}; effective documents: {known}")
    if document.status != "effective":
        return _fail(f"{document.id} is {document.status}: only the current version of an effective document can be "
                     "printed")
    try:
        copy = printing.resolve_copy(document, args.copy)
    except printing.PrintError as exc:
        return _fail(str(exc))
    chromium = printing.find_chromium()
    if not chromium:
        print(f"qms: print: Chromium is not installed: {printing.INSTALL_HINT}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path.cwd() / printing.default_output(document, copy)
    out = out if out.is_absolute() else Path.cwd() / out
    if not out.parent.is_dir():
        print(f"qms: print: --out {args.out}: folder {out.parent} does not exist", file=sys.stderr)
        return 2
    if result.errors:
        print(dg.format_text([d for d in result.diagnostics if d.severity == dg.ERROR]))
        return _fail(f"{result.errors} error(s) in the manual: the site cannot be built, so nothing is printed")
    with tempfile.TemporaryDirectory(prefix="qms-print-") as temporary:
        site_dir = Path(temporary) / "site"
        code, log = _build(make_build(args), site_dir)
        if code:
            sys.stderr.write(log)
            return _fail("the site could not be built, so nothing is printed")
        marking = printing.marking_for(document, copy)
        page = links.page_url(links.document_page(document.id))
        try:
            pages = printing.print_pdf(site_dir, page, out, marking, chromium)
        except printing.ChromiumMissing as exc:
            print(f"qms: print: {exc}", file=sys.stderr)
            return 2
        except printing.PrintError as exc:
            return _fail(str(exc))
    print(f"qms: wrote {out} ({pages} page(s)): {document.id} {document.title}, version {document.version}, "
          f"{marking.status}, {marking.code}")
    return 0


def _build(run, site_dir: Path) -> tuple[int, str]:
    """Build the staff site quietly; return (exit code, everything it printed)."""
    from site_builder.site import driver as mkdocs_build

    captured = io.StringIO()
    with redirect_stdout(captured), redirect_stderr(captured):
        try:
            code = mkdocs_build.build(run, site_dir, quiet=True)
        except mkdocs_build.BuildFailed as exc:
            print(f"qms: build failed: {exc}")
            code = 1
    return code, captured.getvalue()


def _fail(message: str) -> int:
    print(f"qms: print: {message}", file=sys.stderr)
    return 1
