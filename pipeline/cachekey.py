"""Cache keys from the code itself: a stage's key covers every module of this project it imports.

A stage is named by its entry modules (`pipeline.document` for the per-document stage). Its key is a
hash of:
  - the source of every project module reachable from the entries through `import` statements,
    wherever they stand (module level or inside a function, as lazy imports are), found by reading
    the source without running anything, parent packages' `__init__.py` included;
  - the name and version of the installed distribution behind every other non-standard-library
    import those modules make (`pymupdf` → PyMuPDF==1.24.x);
  - what each of those modules declares its output also depends on, through a module-level
    function `cache_fingerprint() -> list[str]` (the hook): a data file it reads, an external
    engine's version and its model files' hashes. `file_digest` helps to hash such files. The hook
    is looked for in the source and called only where it is defined; keep heavy imports (an OCR
    engine) inside it, so computing a key never loads the engine.

So a new module, a changed one, or a library upgrade changes the key of exactly the stages that
import it, without a list to keep in step. Keys are 16 hex digits of SHA-256.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
import re
import sys
from importlib import metadata
from pathlib import Path

from . import cachedir

ROOT = Path(__file__).resolve().parent.parent  # the checkout: pipeline/, normalizers/, gazetteer/
HOOK = "cache_fingerprint"


def file_digest(path: Path) -> str:
    """`<name>:<sha256 of its bytes>` for a file a stage reads (a model, a data table), or
    `<name>:missing` when it does not exist. The hash is memoised on disk (pipeline/cachedir.py),
    keyed by the file's resolved path, size, mtime, ctime and inode: any write, touch or replacement
    hashes it again."""
    path = Path(path)
    try:
        real = path.resolve()
        st = real.stat()
    except OSError:
        return f"{path.name}:missing"
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    return f"{path.name}:{cachedir.memo('digest', str(real), stamp, lambda: _sha256(real))}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _module_file(name: str, root: Path) -> Path | None:
    """The project file that defines module `name`, or None when it is not a project module."""
    base = root.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


# Import statements, at any indentation (lazy imports inside functions count): a regular expression
# rather than `ast`, which costs ten times as much and would add a tenth of a second to every run.
# A whole line must read as an import ("import those modules" in a docstring does not); one that
# still does can only add to a key, never hide a module from it.
_NAMES = r"[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*"
_IMPORT = re.compile(rf"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|{_NAMES}|\*)"
                     rf"|import[ \t]+({_NAMES}))[ \t]*(?:#.*)?$", re.M)
_HOOK_DEF = re.compile(rf"^def {HOOK}\(", re.M)


def _names(clause: str) -> list[str]:
    """`a.b as c, d` → ["a.b", "d"]."""
    return [part.split()[0] for part in clause.strip("() \t\n").replace("\n", " ").split(",") if part.strip()]


@functools.lru_cache(maxsize=None)
def _imports(name: str, path: Path, root: Path) -> tuple[frozenset[str], frozenset[str], bool]:
    """The project modules and the other top-level modules `name` imports, and whether it defines
    the hook."""
    source = path.read_text(encoding="utf-8")
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    project: set[str] = set()
    other: set[str] = set()

    def add(module: str) -> None:
        parts = module.split(".")
        if _module_file(parts[0], root) is None:
            other.add(parts[0])
            return
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            if _module_file(".".join(parts[:i]), root):
                project.add(".".join(parts[:i]))

    for m in _IMPORT.finditer(source):
        origin, names, plain = m.groups()
        if plain is not None:
            for module in _names(plain):
                add(module)
            continue
        level = len(origin) - len(origin.lstrip("."))
        if level:
            parts = package.split(".")
            base = parts[:len(parts) - level + 1]
            module = ".".join(base + ([origin[level:]] if origin[level:] else []))
        else:
            module = origin
        add(module)
        if _module_file(module.split(".")[0], root):
            for alias in _names(names):  # `from pipeline import records` imports a module
                if _module_file(f"{module}.{alias}", root):
                    add(f"{module}.{alias}")
    return frozenset(project), frozenset(other), bool(_HOOK_DEF.search(source))


def imported(entries: tuple[str, ...], root: Path = ROOT) -> tuple[dict[str, Path], set[str], list[str]]:
    """Every project module reachable from `entries` (name → file), the other top-level modules they
    import (standard library left out), and the modules defining the hook, sorted."""
    modules: dict[str, Path] = {}
    others: set[str] = set()
    hooks: list[str] = []
    todo = [e for e in entries]
    while todo:
        name = todo.pop()
        if name in modules:
            continue
        path = _module_file(name, root)
        if path is None:
            raise ValueError(f"{name}: not a module of the project under {root}")
        modules[name] = path
        project, other, hook = _imports(name, path, root)
        others |= other
        if hook:
            hooks.append(name)
        todo += sorted(project - set(modules))
    others = {m for m in others if m not in sys.stdlib_module_names and m != "__future__"}
    return dict(sorted(modules.items())), others, sorted(hooks)


@functools.lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    """{top-level module: [distribution names]} of everything installed on sys.path. Scanning every
    installed distribution takes a quarter of a second or more, so it is asked only for a module
    whose distribution is named otherwise (`yaml` → PyYAML), and memoised on disk keyed by the names
    of the install records (`*.dist-info`, `*.egg-info`, which carry the versions) in each sys.path
    folder: an install, removal or upgrade changes the stamp."""
    return cachedir.memo("distributions", "packages_distributions", _install_records(),
                         metadata.packages_distributions)


def _install_records() -> list:
    """[[sys.path entry, sorted install record names]] (None for an entry that cannot be listed)."""
    stamp = []
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            names = None
        stamp.append([entry, names])
    return stamp


@functools.lru_cache(maxsize=None)
def _versions(module: str) -> tuple[str, ...]:
    try:
        return (f"{module}=={metadata.version(module)}",)
    except metadata.PackageNotFoundError:
        pass
    if importlib.util.find_spec(module) is None:  # not installed (an optional library)
        return (f"{module} missing",)
    found = []
    for dist in _distributions().get(module, []):
        try:
            found.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist} missing")
    return tuple(found) or (f"{module} missing",)


def library_versions(modules: set[str]) -> list[str]:
    """`<distribution>==<version>` for each top-level module's installed distribution (or
    `<module> missing`), sorted."""
    return sorted({line for module in modules for line in _versions(module)})


def stage_key(entries: tuple[str, ...], root: Path = ROOT) -> str:
    """The cache key of the stage whose entry modules are `entries` (see the module docstring)."""
    modules, others, hooks = imported(entries, root)
    digest = hashlib.sha256()
    for name, path in modules.items():
        digest.update(f"{name}\n".encode())
        digest.update(path.read_bytes())
    for line in library_versions(others):
        digest.update(f"{line}\n".encode())
    for name in hooks:
        for line in getattr(importlib.import_module(name), HOOK)():
            digest.update(f"{name}: {line}\n".encode())
    return digest.hexdigest()[:16]
