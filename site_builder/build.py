"""One build: a run of the pipeline, with its options, its memos and the results of each stage.

    load → check → derive → history → render → emit → verify → publish

A `Build` is created once per run (by the command line, or by the MkDocs plugin under a bare
`mkdocs build`/`serve`) and handed by reference to whatever runs a stage.  It owns:

* the options: root, today, audience, `plain` (every speed-up off), the check cache, the number
  of worker processes, and whether it serves a preview;
* every memo and cache: the worker processes (`Children`), the history memo (git log per HEAD,
  file versions read), serve's reuse of unchanged results, serve's workbook memo, the HTML
  verifier's memo of page pieces (`html_verifier`);
* the results: the check (manual, diagnostics, history, requirements map), the derived record
  data with the record pages, and the rendered site.

`generate()` runs load → render here; emit, MkDocs, verify and publish are the adapter's
(site/driver.py for `build`, site/plugin.py inside MkDocs).  Stages get what they need as
parameters; nothing is kept in modules or passed through environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from site_builder.check.run import CheckResult, check
from site_builder.compliance import compliance_rules
from site_builder.derive import Derived, derive
from site_builder.derive.distribution import distribution_finding_objects
from site_builder.derive.external import external_finding_objects
from site_builder.emit.workbooks import encode_workbooks
from site_builder.fast.forked import Background, Children, default_processes
from site_builder.fast.serve_reuse import Reuse
from site_builder.history import HistoryMemo, compute_history
from site_builder.history.stamp import build_info
from site_builder.model.manual import Manual
from site_builder.render import Site, preview_of, records_part, records_view, render_site
from site_builder.render.context import RenderContext
from site_builder.verify.html import HtmlVerifier

STAFF, AUDITOR = "staff", "auditor"


@dataclass(frozen=True)
class Options:
    root: Path
    today: date
    #: staff (effective documents, masked personal data) or auditor (everything)
    audience: str = STAFF
    #: every speed-up off: no forked children, no memos, jsonschema, default collector thresholds,
    #: archive pages rendered by MkDocs, search indexed in process (the site is byte-identical)
    plain: bool = False
    #: per-file results from .qms-cache/ where their inputs are unchanged (never under `plain`)
    use_cache: bool = True
    #: worker processes (None: the CPUs this process may use, at most 8; `plain`: 1)
    processes: int | None = None
    #: a preview that rebuilds after each edit, taking over unchanged results in memory
    serve: bool = False
    #: where `build` publishes the site (the driver's default for a run without one: site/)
    out: Path | None = None

    @property
    def fast(self) -> bool:
        return not self.plain


@dataclass
class Generated:
    check: CheckResult
    site: Site | None
    info: dict
    #: serve's author preview (versions in progress in place, marked; never published)
    preview: bool = False


class Build:
    """One run of the pipeline (see the module docstring)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        fast = options.fast
        self.children = Children(1 if options.plain else (options.processes or default_processes()))
        self.history_memo = HistoryMemo(fast=fast)
        self.reuse: Reuse | None = Reuse() if options.serve and fast else None
        self.workbook_memo: dict | None = {} if options.serve and fast else None
        self.generated: Generated | None = None
        self._verifiers: dict[Path, HtmlVerifier] = {}

    @property
    def root(self) -> Path:
        return self.options.root

    def html_verifier(self, theme_dir: Path) -> HtmlVerifier:
        """The verifier of this build's pages for the theme in `theme_dir` (Material's templates,
        which the adapter names): one per build, so that its memo serves every page (and, while
        serving, every rebuild); under `plain` it reads every page whole and remembers nothing."""
        if theme_dir not in self._verifiers:
            self._verifiers[theme_dir] = HtmlVerifier(theme_dir, chunks=self.options.fast)
        return self._verifiers[theme_dir]

    def check(self, *, need_manual: bool = True, on_manual=None, manual_only: bool = False) -> CheckResult:
        """The check stage alone (the `check` command, and before `serve`); `manual_only`: see check.run.check."""
        options = self.options
        return check(options.root, options.today, use_cache=options.use_cache and options.fast, need_manual=need_manual,
                     reuse=self.reuse, on_manual=on_manual, history_memo=self.history_memo, children=self.children,
                     fast=options.fast, manual_only=manual_only)

    def generate(self, *, defer_workbooks: bool = False) -> Generated:
        """Check, derive and render.  `defer_workbooks`: leave the XLSX downloads as Workbook
        placeholders (the caller encodes them, e.g. in a child while MkDocs renders)."""
        options = self.options
        # While the check runs its last rules and the other pages are rendered, a forked child renders
        # the record pages (the largest part at 100,000 records) from the manual as soon as it is built.
        early = EarlyRecords(options.audience, self.children) if self.reuse is None and self.children.parallel() else None
        try:
            result = self.check(on_manual=early.start if early else None)
            info = build_info(options.root, options.audience)
            if result.errors or result.manual is None:
                self.generated = Generated(result, None, info)
                return self.generated
            preview = options.serve
            manual = preview_of(result.manual) if preview else result.manual
            records = early.result() if early else None
            if records is None:
                view = records_view(manual)  # (records_view of a view is the view)
                make = partial(records_for, view, options.audience, preview)
                records = self.reuse.by_equal("records", (view, options.audience), make) if self.reuse else make()
            site = render_site(manual, options.audience, info, history=result.history,
                               requirements=result.requirements, records=records, reuse=self.reuse, preview=preview)
            if options.plain:
                site.archive_as_pages()
            if not defer_workbooks:
                encode_workbooks(site, self.children, self.workbook_memo)
            self.generated = Generated(result, site, info, preview)
            return self.generated
        finally:
            if early is not None:
                early.cancel()


def derive_records(view: Manual, audience: str, preview: bool = False) -> Derived:
    """The derive stage: summaries, KPIs and findings of the records the audience may see."""
    visible = RenderContext(view, audience, preview=preview)
    derived = derive(view, visible.forms, visible.documents)
    derived.findings.extend(distribution_finding_objects(view))
    derived.findings.extend(external_finding_objects(view))
    return derived


def records_for(view: Manual, audience: str, preview: bool = False) -> Site:
    """Derive, then render the record pages (records_view of the manual)."""
    return records_part(view, audience, derive_records(view, audience, preview), preview)


def render_manual(manual: Manual, audience: str = STAFF, info: dict | None = None, *, result: CheckResult | None = None,
                  encode: bool = True) -> Site:
    """Derive and render a manual in this process, without memos (for tests and tools holding a
    manual): the history and requirements map of `result` when given, else a git-less history and
    the tool's own map."""
    history = result.history if result is not None and result.history is not None else compute_history(None, manual)
    requirements = result.requirements if result is not None else compliance_rules(None)[0]
    view = records_view(manual)
    site = render_site(manual, audience, info, history=history, requirements=requirements,
                       records=records_for(view, audience))
    if encode:
        encode_workbooks(site, Children(1))
    return site


def generate(root: Path, today: date, audience: str = STAFF, **options) -> Generated:
    """Check and render the repository at `root` in a build of its own (for benchmarks and tests)."""
    return Build(Options(Path(root), today, audience, **options)).generate()


class EarlyRecords:
    """records_for a manual, rendered in a forked child while this process goes on."""

    def __init__(self, audience: str, children: Children) -> None:
        self.audience, self.children = audience, children
        self._running: Background | None = None

    def start(self, manual: Manual) -> None:
        self._running = self.children.start([partial(records_for, records_view(manual), self.audience)])

    def result(self) -> Site | None:
        """The child's part; None without a child or when it failed (the caller renders the part itself)."""
        if self._running is None:
            return None
        try:
            return self._running.results()[0]
        except RuntimeError:
            return None

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()
