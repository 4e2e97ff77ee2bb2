"""Claims of direction or count: a sentence's promise as an expression that must hold.

When the prose says "only one of the studies", "larger municipalities are more segregated" or
"all of them lie above zero", the chapter records that statement as a *claim*: an expression over
named values computed in the same cell (``n_migrant == 2``, ``rank_correlation > 0``). The
expression is evaluated when the claim is recorded, and again by the tests over the findings
files of the last build, so a data change that flips a statement fails the build instead of
leaving a false sentence on the page.

Expressions are Python syntax restricted to numbers, names, comparisons, ``and``/``or``/``not``,
arithmetic, lists and the functions ``abs``, ``all``, ``any``, ``len``, ``max``, ``min``,
``round`` and ``sum``: nothing else is evaluated.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence

ALLOWED_FUNCTIONS = {
    "abs": abs, "all": all, "any": any, "len": len, "max": max, "min": min, "round": round,
    "sum": sum,
}
"""The only functions a claim expression may call."""

_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Compare, ast.Eq, ast.NotEq, ast.Lt,
    ast.LtE, ast.Gt, ast.GtE, ast.Name, ast.Load, ast.Constant, ast.Call, ast.List, ast.Tuple,
)


class ClaimError(ValueError):
    """A claim expression is malformed or does not hold for its values."""


def _number(value: object) -> object:
    """Convert NumPy scalars and arrays to plain Python numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_number(v) for v in value]
    return value


def plain_values(values: Mapping[str, object]) -> dict[str, object]:
    """Return ``values`` with NumPy numbers converted, as stored in a findings file."""
    out: dict[str, object] = {}
    for name, value in values.items():
        value = _number(value)
        flat = value if isinstance(value, list) else [value]
        for item in flat:
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ClaimError(f"claim value {name!r} must be a number or a list of numbers,"
                                 f" got {item!r}")
            if isinstance(item, float) and not math.isfinite(item):
                raise ClaimError(f"claim value {name!r} is not finite: {item!r}")
        out[name] = value
    return out


def evaluate(expression: str, values: Mapping[str, object]) -> bool:
    """Evaluate a claim expression over named values.

    Parameters
    ----------
    expression : str
        E.g. ``"n_migrant == 2"`` or ``"min(lows) > 0 and len(lows) == n"``.
    values : mapping of str to number or list of numbers
        The names the expression may use.

    Returns
    -------
    bool
        Whether the claim holds.

    Raises
    ------
    ClaimError
        If the expression uses syntax, a name or a function outside the allowed set, or does not
        evaluate to a truth value.

    Examples
    --------
    >>> evaluate("n == 2 and share > 0.5", {"n": 2, "share": 0.7})
    True
    >>> evaluate("min(lows) > 0", {"lows": [0.1, -0.2]})
    False
    """
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise ClaimError(f"claim expression {expression!r} is not valid: {error.msg}") from None
    plain = plain_values(values)
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ClaimError(f"claim expression {expression!r} uses {type(node).__name__},"
                             " which claims do not allow")
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in ALLOWED_FUNCTIONS
        ):
            raise ClaimError(f"claim expression {expression!r} calls a function outside "
                             f"{sorted(ALLOWED_FUNCTIONS)}")
        if (isinstance(node, ast.Name) and node.id not in plain
                and node.id not in ALLOWED_FUNCTIONS):
            raise ClaimError(f"claim expression {expression!r} uses {node.id!r}, which is not "
                             f"among its values {sorted(plain)}")
    result = eval(  # noqa: S307 - the tree was checked node by node above
        compile(tree, "<claim>", "eval"), {"__builtins__": {}}, {**ALLOWED_FUNCTIONS, **plain}
    )
    if not isinstance(result, bool):
        raise ClaimError(f"claim expression {expression!r} gives {result!r}, not True/False")
    return result


def failed_claims(findings_files: Mapping[str, Mapping]) -> list[str]:
    """Return one line per claim record that does not hold, over parsed findings files.

    Parameters
    ----------
    findings_files : mapping of str to dict
        Chapter stem to the parsed JSON of ``_build/findings/<chapter>.json``.

    Returns
    -------
    list of str
        Empty when every claim holds; otherwise "chapter: name: expression with values".
    """
    problems = []
    for chapter, payload in findings_files.items():
        for record in payload.get("findings", []):
            if record.get("kind") != "claim":
                continue
            try:
                holds = evaluate(record["expression"], record["values"])
            except (ClaimError, KeyError) as error:
                problems.append(f"{chapter}: {record.get('name')}: {error}")
                continue
            if not holds or record.get("holds") is not True:
                problems.append(f"{chapter}: {record['name']}: {record['expression']} "
                                f"does not hold for {record['values']}")
    return problems
