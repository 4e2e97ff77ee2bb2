"""Results: what the chapters report and what a municipality can compute.

``findings`` (numbers glued into the prose and written to findings files), ``claims`` (a
sentence's promise as an expression that must hold), ``scenarios``, ``segregation`` (indices),
``design`` (how many evaluations would settle it) and ``decision`` (the report of
``python -m analysis decide``).
"""
