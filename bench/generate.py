"""Write a synthetic quality manual of a given size into a folder (and a git repository).

    python bench/generate.py DIR --size tiny|small|medium|large [--revisions N] [--no-git]

Sizes: tiny 20 documents / 500 records, small 100 / 10,000, medium 300 / 30,000,
large 1,000 / 100,000.  Forms, organisation and schemas are the shipped ones; documents get
realistic Chinese bodies; records are customer-satisfaction surveys, complaints and
follow-up visits spread over several years.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

SIZES = {"tiny": (20, 500), "small": (100, 10_000), "medium": (300, 30_000), "large": (1_000, 100_000)}
ROOT = Path(__file__).resolve().parents[1]
ITEMS = ["外观", "尺寸", "包装", "性能", "使用寿命", "改善结果", "及时交付", "运输方式", "产品价格", "日常服务"]
LEVELS = ["非常满意", "满意", "无所谓", "不满意", "反对"]
SENTENCES = ["客户服务部每季度汇总满意度调查结果，并报送管理评审。", "对低于七十分的项目进行电话回访，了解原因。",
             "投诉应在收到后两天内答复，客户另有期限的按客户期限执行。", "质量部负责纠正和预防措施的效果验证。",
             "文控中心负责受控文件的登记、分发、回收和销毁。", "回访记录由客户服务课长审阅并签署意见。"]
QMS_YAML = """company: 基准测试有限公司
site_name: 基准测试质量手册
numbering:
  version: '^[A-Z][0-9]{1,2}$'
  documents: {"1": '^QM-[0-9]{2}$', "2": '^QP-[0-9]{2,4}$', "3": '^WI-[0-9]{2,4}$'}
  form: '^QR-[0-9]{2}-[0-9]{2}$'
  record: '^[A-Z]{2,5}-[0-9]{4}-[0-9]{3,6}$'
"""


def generate(target: Path, size: str, revisions: int = 1, use_git: bool = True, seed: int = 7,
             history: bool = False) -> Path:
    """With `history`, every revision of the synthetic documents is its own commit (dated like the
    revision), so the repository holds `revisions` versions of each; otherwise one commit holds the
    last version (the revision entries are in the front matter only)."""
    documents, records = SIZES[size]
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "procedures").mkdir(parents=True)
    for name in ("schemas", "forms", "external"):  # (external/: the register the shipped procedures cite)
        shutil.copytree(ROOT / name, target / name)
    for name in ("organisation.yaml", "mkdocs.yml"):
        shutil.copy(ROOT / name, target / name)
    (target / "qms.yaml").write_text(QMS_YAML, encoding="utf-8")
    shipped = {p.name.split("-")[0] + "-" + p.name.split("-")[1]: p for p in (ROOT / "procedures").glob("*.md")}
    for path in shipped.values():
        shutil.copy(path, target / "procedures" / path.name)
    synthetic = [f"QP-{1000 + index}" if index % 3 else f"WI-{1000 + index}" for index in range(documents - len(shipped))]
    history = history and use_git
    first = date(2020, 1, 1)  # with history: every document's revision n is dated first + 30 n days, committed the day after
    for done in range(1, revisions + 1) if history else ():
        for doc_id in synthetic:
            _write_document(target / "procedures" / f"{doc_id}-synthetic.md", doc_id, random.Random(f"{seed}-{doc_id}"),
                            done, first)
        _git_commit(target, f"revision {done} of the synthetic documents", first + timedelta(days=30 * (done - 1) + 1),
                    [f"procedures/{doc_id}-synthetic.md" for doc_id in synthetic])
    for doc_id in synthetic if not history else ():
        _write_document(target / "procedures" / f"{doc_id}-synthetic.md", doc_id, rng, revisions)
    _write_records(target / "records", records, rng)
    if use_git:
        _git_commit(target)  # (with history: the rest of the manual, dated now)
    return target


def _write_document(path: Path, doc_id: str, rng: random.Random, revisions: int, start: date | None = None) -> None:
    """The document at its last of `revisions` versions; with `start` (history), the first is dated
    `start`, and each later revision adds a paragraph (the random draws come first, so that each
    revision keeps the earlier text)."""
    level = 3 if doc_id.startswith("WI") else 2
    versions = [f"{chr(65 + i // 10)}{i % 10}" for i in range(revisions)]
    amendments = start is not None
    start = start or date(2020, 1, 1) + timedelta(days=rng.randrange(300))
    entries = "\n".join(f"  - {{version: {v}, date: {start + timedelta(days=30 * i)}, sections: 全文, change: 第{i + 1}次修订, "
                        f"approved_by: 林秀琴}}" for i, v in enumerate(versions))
    last = start + timedelta(days=30 * (revisions - 1))
    body = "\n\n".join(f"## {n} 章节\n\n" + "".join(rng.choice(SENTENCES) for _ in range(8)) for n in range(1, 6))
    if amendments:
        body += "".join(f"\n\n第{i + 1}次修订补充：{SENTENCES[(i + len(doc_id)) % len(SENTENCES)]}" for i in range(1, revisions))
    path.write_text(f"""---
id: {doc_id}
title: 合成程序文件 {doc_id}
level: {level}
version: {versions[-1]}
status: effective
owner: 质量部
prepared_by: {{name: 唐振宇, date: {last}}}
reviewed_by: {{name: 郑嘉怡, date: {last}}}
approved_by: {{name: 林秀琴, date: {last}}}
effective: {last + timedelta(days=10)}
review_period_months: 120
distribution:
  - {{department: 质量部, copies: 1, copy_numbers: ["01"]}}
revisions:
{entries}
related_documents: []
related_forms: [QR-06-01]
---
{body}
""", encoding="utf-8")


def _write_records(base: Path, count: int, rng: random.Random) -> None:
    customers = max(20, count // 200)
    folder = base / "QR-05-04"
    folder.mkdir(parents=True)
    for n in range(customers):
        (folder / f"CUS-2024-{n:05d}.yaml").write_text(
            f"id: CUS-2024-{n:05d}\nform: QR-05-04\ndate: 2025-01-02\nname: 客户{n}\ncustomer_type: 二级代理\n"
            f"contact: 联系人{n}\nphone: '139{n:08d}'\n", encoding="utf-8")
    folder = base / "QR-06-01"
    folder.mkdir(parents=True)
    for n in range(count - customers):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(660))
        ratings = "\n".join(f"  {item}: {rng.choice(LEVELS[:3])}" for item in ITEMS)
        (folder / f"CSS-{day.year}-{n:06d}.yaml").write_text(
            f"id: CSS-{day.year}-{n:06d}\nform: QR-06-01\ndate: {day}\ncustomer: CUS-2024-{rng.randrange(customers):05d}\n"
            f"contact: 联系人\nsurvey_round: 滚动调查\nratings:\n{ratings}\nsurveyed_by: 冯晓雪\n", encoding="utf-8")


def _git_commit(target: Path, message: str = "synthetic manual", day: date | None = None,
                paths: list[str] | None = None) -> None:
    env_args = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00+0800", "GIT_COMMITTER_DATE": f"{day}T12:00:00+0800"} \
        if day else None
    if not (target / ".git").exists():
        subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", *(["--", *paths] if paths else ["-A"])], check=True)
    subprocess.run(["git", "-C", str(target), *env_args, "commit", "-qm", message], check=True, env=env)


def revise_first_synthetic(repo: Path, change: str, sentence: str) -> Path:
    """A controlled change of the first synthetic procedure, left uncommitted: the next version with its
    revision entry (`change`), new effective date, and `sentence` appended to the body."""
    path = sorted((repo / "procedures").glob("*-synthetic.md"))[0]
    front, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    version = re.search(r"^version: (\S+)$", front, re.M).group(1)
    new = version[0] + str(int(version[1:]) + 1)
    entry = f"  - {{version: {new}, date: 2026-11-01, sections: 1, change: {change}, approved_by: 林秀琴}}\n"
    front = re.sub(r"^version: \S+$", f"version: {new}", front, count=1, flags=re.M)
    front = front.replace("related_documents: []", entry + "related_documents: []", 1)
    front = re.sub(r"^effective: \S+$", "effective: 2026-11-10", front, count=1, flags=re.M)
    front = re.sub(r"date: \d{4}-\d{2}-\d{2}\}", "date: 2026-11-01}", front)
    path.write_text(front + "\n---\n" + body + f"\n\n{sentence}\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--revisions", type=int, default=1)
    parser.add_argument("--no-git", action="store_true")
    parser.add_argument("--history", action="store_true", help="one commit per revision (else one commit in all)")
    args = parser.parse_args()
    generate(args.target, args.size, args.revisions, not args.no_git, history=args.history)
    print(f"wrote {args.size} manual to {args.target}")


if __name__ == "__main__":
    main()
