"""The shape of the house: no import circle, and format families stay apart.

Every ``import`` in ``src/posebridge`` is read with :mod:`ast`, including imports
inside functions, so a circle hidden in a function body is found too.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "posebridge"
FAMILIES_ROOT = "posebridge.formats"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """posebridge modules that ``path`` imports (a ``from pkg import sub`` counts as sub)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            # ``from pkg import sub`` needs the module pkg.sub; ``from pkg import name``
            # needs pkg's ``__init__`` (where the name is defined)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@cache
def _graph() -> dict[str, set[str]]:
    """Each module's imports; an import of a submodule is an edge to it alone.

    Importing ``pkg.sub`` runs ``pkg/__init__`` first, but a package's own
    ``__init__`` importing its submodules is how packages are built: only a
    module's explicit use of its package (``from pkg import name`` with
    ``name`` defined in ``pkg/__init__``) is an edge to the package.
    """
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_there_is_no_import_circle_even_through_imports_inside_functions():
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()) or [])


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def _family(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 2 and parts[:2] == ["posebridge", "formats"] and parts[2] != "_shared":
        return parts[2]
    return None


ALLOWED_OUTSIDE = (
    "posebridge.model",
    "posebridge.errors",
    "posebridge._files",
    "posebridge._outputs",
    "posebridge._write_problems",  # why an output cannot be written (part of the outputs layer)
    "posebridge._temporaries",  # the name of an atomic writer's temporaries (YOLO skips them)
    "posebridge._recorded_warnings",  # warnings of a step left out, thread-safely
    "posebridge._video",  # a video's frame size and count (YOLO predictions' video=)
    "posebridge._threads",  # work on threads that may not start (DLC CSV, HDF5 chunks)
)


@pytest.mark.parametrize(
    "module",
    sorted(m for m in _modules() if _family(m)),
)
def test_a_family_imports_only_itself_shared_the_model_errors_and_files(module):
    imports = _graph()[module]
    family = _family(module)
    for target in imports:
        own = _family(target) == family
        shared = target.startswith("posebridge.formats._shared") or target == FAMILIES_ROOT
        allowed = any(target == a or target.startswith(a + ".") for a in ALLOWED_OUTSIDE)
        assert own or shared or allowed, f"{module} imports {target}"


def test_the_model_imports_nothing_of_posebridge_but_errors():
    graph = _graph()
    for module, imports in graph.items():
        if module.startswith("posebridge.model"):
            outside = {t for t in imports if not t.startswith("posebridge.model")}
            assert outside <= {"posebridge.errors"}, f"{module} imports {outside}"


def test_a_submodule_using_its_package_init_that_imports_it_is_a_circle(tmp_path):
    (tmp_path / "__init__.py").write_text("from pkg.sub import work\n\nHELPER = 1\n")
    (tmp_path / "sub.py").write_text("def work():\n    from pkg import HELPER\n")
    (tmp_path / "other.py").write_text("from pkg import sub\n")
    known = {"pkg", "pkg.sub", "pkg.other"}
    graph = {
        "pkg": _imports(tmp_path / "__init__.py", "pkg", known),
        "pkg.sub": _imports(tmp_path / "sub.py", "pkg.sub", known),
        "pkg.other": _imports(tmp_path / "other.py", "pkg.other", known),
    }
    assert graph["pkg.other"] == {"pkg.sub"}  # a submodule import is not a use of pkg
    assert _cycle(graph) == ["pkg", "pkg.sub", "pkg"]


#: Suffixes of pose data and pictures: such files belong in the corpus or in a test's
#: tmp_path, never at the repository's root (two were committed there by mistake once).
_DATA_SUFFIXES = {".nwb", ".slp", ".h5", ".hdf5", ".nc", ".npz", ".npy", ".mat", ".csv", ".png"}


def test_the_repository_root_holds_no_pose_data_files():
    root = SRC.parent
    stray = sorted(p.name for p in root.iterdir() if p.is_file() and p.suffix in _DATA_SUFFIXES)
    assert stray == []
