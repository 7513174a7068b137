"""No module of site_builder holds mutable state at module level, and only the command line reads
environment variables: a build's options, memos and caches live on its Build object
(site_builder/build.py).  Module-level names bound to a mutable value must be UPPER_CASE
constants (never assigned again), and no function keeps a cache between calls."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "site_builder"
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque", "WeakValueDictionary",
                 "WeakKeyDictionary", "bytearray"}
CACHES = {"cache", "lru_cache", "cached_property"}
#: documented user settings that the stage making them reads (SOURCE_DATE_EPOCH: the build stamp)
#: (site/driver.py hands SOURCE_DATE_EPOCH to MkDocs, which reads it, and restores it after; the plugin
#: reads QMS_TODAY only under a bare `mkdocs build`, where it is the entry point and makes its own Build)
ENVIRONMENT_READERS = {"cli/__init__.py", "history/stamp.py", "site/driver.py", "site/plugin.py"}


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _is_mutable(value: ast.expr) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return True
    if isinstance(value, ast.Call):
        function = value.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        return name in MUTABLE_CALLS
    return False


def _constant(name: str) -> bool:
    return name.lstrip("_").isupper() or name == "__all__"


def test_module_level_mutable_values_are_constants():
    found = []
    for path in _modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            value = getattr(node, "value", None)
            for target in targets:
                if isinstance(target, ast.Name) and value is not None and _is_mutable(value) and not _constant(target.id):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {target.id}")
    assert not found, "module-level mutable state (move it into the Build or an object it owns):\n" + "\n".join(found)


def test_no_global_statements_and_no_function_caches():
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Global):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: global {', '.join(node.names)}")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
                    if name in CACHES and name != "cached_property":
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: @{name} on {node.name}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("lru_cache", "cache"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: a function cache")
    assert not found, "state kept between calls:\n" + "\n".join(sorted(set(found)))


def test_only_the_command_line_reads_the_environment():
    found = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            reads = (isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("getenv", "get", "__getitem__")
                     and _is_environ(node.func.value if isinstance(node.func, ast.Attribute) else None))
            reads = reads or (isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load))
            reads = reads or (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "getenv")
            if reads and relative not in ENVIRONMENT_READERS:
                found.append(f"{relative}:{node.lineno}")
    assert not found, "environment variables read outside the command line:\n" + "\n".join(found)


def _is_environ(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"
