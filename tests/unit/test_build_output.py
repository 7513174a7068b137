"""Where `build --out` may publish (bad-inputs F08): publishing swaps the whole output folder, so it
must never be the manual, a folder holding it, or any folder inside a content folder."""

from __future__ import annotations

from datetime import date

import pytest

from site_builder.build import Build, Options
from site_builder.site import driver as mkdocs_build


@pytest.mark.parametrize("out", [".", "..", "procedures", "procedures/site", "procedures/sub/deeper/site",
                                 "forms/site", "records/QR-02-01/site", "schemas/records/site"])
def test_refuses_the_manual_and_anything_inside_a_content_folder(tmp_path, out):
    root = tmp_path / "manual"
    (root / "procedures").mkdir(parents=True)
    with pytest.raises(mkdocs_build.BuildFailed, match="refusing to build into"):
        mkdocs_build.build(Build(Options(root, date(2026, 11, 23))), root / out, quiet=True)
    assert sorted(p.name for p in root.iterdir()) == ["procedures"]  # nothing created, not even a lock file


@pytest.mark.parametrize("out", ["site", "public/site", "procedures-site", "../published"])
def test_accepts_folders_beside_the_content(tmp_path, out):
    root = tmp_path / "manual"
    root.mkdir()
    assert not mkdocs_build.overwrites_content(root, (root / out).resolve())


def test_a_link_to_a_content_folder_is_seen_through(tmp_path):
    root = tmp_path / "manual"
    (root / "records").mkdir(parents=True)
    (tmp_path / "shortcut").symlink_to(root / "records")
    with pytest.raises(mkdocs_build.BuildFailed, match="refusing to build into"):
        mkdocs_build.build(Build(Options(root, date(2026, 11, 23))), tmp_path / "shortcut" / "site", quiet=True)
