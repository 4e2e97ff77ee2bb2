"""The layout of the two packages: the science never imports the machinery.

Also: no import cycle, and no block of six or more lines repeated between modules (same lines,
or the same shape with other names).
"""

from __future__ import annotations

import ast
import io
import keyword
import subprocess
import sys
import tokenize
from collections import defaultdict
from pathlib import Path

from analysis.config import ROOT

PACKAGES = ("analysis", "bookkit")
BLOCK = 6
"""Logical lines a repeated block must span to count as duplication."""


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the two packages that ``path`` imports (at any depth of the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Edges module -> imported module, within ``analysis`` and ``bookkit``."""
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle (as a path that returns to its start), by depth-first search."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                found.append(stack[stack.index(child):] + [child])
            elif child not in state:
                visit(child)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_science_never_imports_the_machinery():
    offenders = {name: sorted(n for n in deps if n.startswith("bookkit"))
                 for name, deps in import_graph().items() if name.startswith("analysis")}
    assert not {k: v for k, v in offenders.items() if v}


def test_importing_every_module_of_analysis_loads_no_module_of_bookkit():
    code = ("import importlib, pkgutil, sys, analysis\n"
            "for m in pkgutil.walk_packages(analysis.__path__, 'analysis.'):\n"
            "    if not m.name.endswith('__main__'):\n"
            "        importlib.import_module(m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] == 'bookkit'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_planted_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


# --- repeated blocks ---------------------------------------------------------------------------


def shape_lines(source: str) -> list[tuple[int, str]]:
    """Return the logical lines of code as shapes, with their line numbers.

    Names, strings and numbers are replaced by placeholders; docstrings, imports and the field
    declarations of classes are left out.
    """
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            skip.update(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, ast.ClassDef):  # field declarations (``a_sd: float = 1.0``) are
            for item in node.body:  # data, not logic: a list of them repeats no code
                if isinstance(item, ast.AnnAssign):
                    skip.update(range(item.lineno, item.end_lineno + 1))
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            skip.update(range(first.lineno, first.end_lineno + 1))
    out, current, start = [], [], None
    ignore = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in ignore:
            continue
        if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            shape = " ".join(current)
            if current and start not in skip and len(shape.replace(" ", "")) > 3:
                out.append((start, shape))
            current, start = [], None
            continue
        start = tok.start[0] if start is None else start
        if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
            current.append("N")
        elif tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_START", -1):
            current.append("S")
        elif tok.type == tokenize.NUMBER:
            current.append("0")
        elif tok.type in (getattr(tokenize, "FSTRING_MIDDLE", -1),
                          getattr(tokenize, "FSTRING_END", -1)):
            continue
        else:
            current.append(tok.string)
    return out


def repeated_blocks(sources: dict[str, str], block: int = BLOCK) -> list[tuple[str, int, str, int]]:
    """Blocks of ``block`` logical lines with the same shape in two different modules.

    Returns ``(module, line, other module, line)`` for the first line of each repeated block.
    """
    seen: dict[tuple[str, ...], list[tuple[str, int]]] = defaultdict(list)
    for name, source in sources.items():
        lines = shape_lines(source)
        for i in range(len(lines) - block + 1):
            window = tuple(shape for _, shape in lines[i:i + block])
            seen[window].append((name, lines[i][0]))
    found = []
    for places in seen.values():
        modules = {m for m, _ in places}
        if len(modules) > 1:
            (m1, l1), (m2, l2) = sorted(places)[0], next(p for p in sorted(places)
                                                          if p[0] != sorted(places)[0][0])
            found.append((m1, l1, m2, l2))
    return sorted(set(found))


def test_no_block_of_six_lines_is_repeated_between_modules():
    sources = {name: path.read_text(encoding="utf-8") for name, path in _modules().items()}
    assert repeated_blocks(sources) == []


def test_a_planted_copy_with_other_names_is_found():
    original = "\n".join(f"value_{i} = compute(table, {i}, 'a')" for i in range(7)) + "\n"
    renamed = "\n".join(f"other_{i} = work(frame, {i + 1}, 'b')" for i in range(7)) + "\n"
    assert repeated_blocks({"one": original, "two": renamed})
    assert not repeated_blocks({"one": original, "two": "x = 1\n"})
