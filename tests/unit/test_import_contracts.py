"""The layers of site_builder are checked by a machine: the import contracts in `.importlinter`
(layers in order, only the adapter imports MkDocs and Material, only the command line imports the
editing package, no import cycles between sibling packages) must all be kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint_imports, "import-linter is not installed: pip install -e '.[test]'"
    done = subprocess.run([lint_imports, "--config", str(ROOT / ".importlinter")], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout
