"""Time the records stage (derive + render_records) on 100,000 synthetic records, in memory.

    python bench/records_scale.py [--records 100000] [--seed 7] [--mkdocs DIR]

With --mkdocs, the whole generated site is also written to DIR/docs and built with MkDocs +
Material into DIR/site (takes minutes at 100,000 records).

Forms and documents are the shipped ones; the records (customer-satisfaction surveys,
complaints, follow-up visits and customer gradings) are generated as model objects over
five years, so no YAML is read for them.  Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from site_builder.check import run as pipeline  # noqa: E402
from site_builder.derive import derive  # noqa: E402
from site_builder.model.manual import Record  # noqa: E402
from site_builder.render import Site, records_pages, render_site  # noqa: E402
from site_builder.render.context import RenderContext  # noqa: E402
from site_builder.render.records_pages import render_records  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 6)
START = date(2021, 12, 1)
DAYS = (TODAY - START).days
SHARES = {"QR-06-01": 0.40, "QR-05-01": 0.30, "QR-21-01": 0.25, "QR-05-03": 0.05}


def generate(manual, count: int, seed: int) -> list[Record]:
    rng = random.Random(seed)
    forms = {f.id: f for f in manual.forms}
    survey = forms["QR-06-01"]
    ratings = survey.field(survey.rules["score"]["field"])
    triggers = list(forms["QR-21-01"].rules["follow_up"]["windows"])
    grades = list(forms["QR-05-03"].rules["sampling"]["coverage"])
    customers = [f"CUS-{2020 + i % 6}-{i:05d}" for i in range(2000)]
    records: list[Record] = []
    for form_id, share in SHARES.items():
        prefix = forms[form_id].record_prefix
        for n in range(int(count * share)):
            day = START + timedelta(days=rng.randrange(DAYS))
            rid = f"{prefix}-{day.year}-{n:06d}"
            if form_id == "QR-06-01":
                answers = {item: rng.choices(ratings.levels, weights=(5, 8, 3, 2, 1))[0] for item in ratings.items}
                values = {"customer": rng.choice(customers), "survey_round": "滚动调查", "ratings": answers}
                if rng.random() < 0.2:
                    values["capa"] = "CAR-2025-001"
            elif form_id == "QR-05-01":
                received = day
                values = {"customer": rng.choice(customers), "received": received.isoformat(), "channel": "电话",
                          "description": "合成投诉", "handler": "孙悦", "established": rng.random() < 0.7}
                if rng.random() < 0.95:
                    values["replied"] = (received + timedelta(days=rng.choice((0, 1, 2, 2, 3)))).isoformat()
                if rng.random() < 0.9:
                    values["closed"] = (received + timedelta(days=rng.randrange(3, 30))).isoformat()
                if rng.random() < 0.1:
                    values["customer_deadline"] = (received + timedelta(days=5)).isoformat()
            elif form_id == "QR-21-01":
                trigger = rng.choice(triggers)
                values = {"trigger": trigger, "event_date": day.isoformat()}
                if rng.random() < 0.85:
                    values["visit_date"] = (day + timedelta(days=rng.randrange(0, 14))).isoformat()
            else:
                values = {"customer": rng.choice(customers), "grade": rng.choice(grades), "graded_by": "赵振东",
                          "period": f"{day.year}H{1 if day.month <= 6 else 2}"}
            records.append(Record(id=rid, form=form_id, date=day, form_version=None, values=values, path=""))
    return records


def _time_calls(module, names: tuple[str, ...]) -> dict[str, float]:
    """Wrap module-level functions so that the time spent in each is added up (bench only)."""
    spent = dict.fromkeys(names, 0.0)
    for name in names:
        original = getattr(module, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.perf_counter() - started
        setattr(module, name, timed)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mkdocs", type=Path, help="also write the site to DIR/docs and build it with MkDocs into DIR/site")
    args = parser.parse_args()
    shipped = pipeline.check(ROOT, TODAY).manual
    if shipped is None:
        sys.exit("the shipped manual cannot be loaded; run `python -m site_builder check`")
    started = time.perf_counter()
    records = generate(shipped, args.records, args.seed)
    manual = dataclasses.replace(shipped, records=tuple(records), today=TODAY)
    print(f"generated {len(records)} records in {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    derived = derive(manual)
    derive_s = time.perf_counter() - started
    print(f"derive: {derive_s:.2f} s; {len(derived.records)} record values, {len(derived.findings)} findings, "
          f"{sum(1 for k in derived.kpis if k['measured'])} of {len(derived.kpis)} objectives measured")

    ctx = RenderContext(manual)
    site = Site()
    spent = _time_calls(records_pages, ("xlsx_bytes", "csv_text", "dump_array", "record_table"))
    started = time.perf_counter()
    render_records(ctx, site)
    records_s = time.perf_counter() - started
    pages = [p for p in site.pages if p.endswith(".md")]
    text_bytes = sum(len(t.encode("utf-8")) for t in site.pages.values())
    file_bytes = sum(len(b) for b in site.files.values())
    largest = max(pages, key=lambda p: len(site.pages[p]))
    print(f"render_records (derive included): {records_s:.2f} s; {len(pages)} Markdown pages, "
          f"{len(site.pages) - len(pages)} CSV/JSON files ({text_bytes / 1e6:.1f} MB), {len(site.files)} XLSX ({file_bytes / 1e6:.1f} MB)")
    print("  of which " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in spent.items()))
    print(f"largest page {largest}: {len(site.pages[largest].encode('utf-8')) / 1e3:.0f} kB; "
          f"api/records.json {len(site.pages['api/records.json'].encode('utf-8')) / 1e6:.1f} MB")

    started = time.perf_counter()
    full = render_site(manual)
    print(f"render_site (whole site): {time.perf_counter() - started:.2f} s; {len(full.pages)} pages and files")
    if args.mkdocs:
        _mkdocs(full, args.mkdocs)
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _mkdocs(site: Site, target: Path) -> None:
    from site_builder.emit.docs import write_docs
    from site_builder.site.driver import _run_mkdocs

    started = time.perf_counter()
    write_docs(site, target / "docs")
    print(f"write_docs: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    _run_mkdocs(ROOT, target / "docs", target / "site", site.nav, "bench")
    size = sum(p.stat().st_size for p in (target / "site").rglob("*") if p.is_file())
    print(f"MkDocs + Material build: {time.perf_counter() - started:.1f} s; {size / 1e6:.0f} MB of output")


if __name__ == "__main__":
    main()
