"""How each model family is sampled: one :class:`SamplerSettings` per family, in one place.

Every fit of the book takes its settings from here (``fit(model, seed=rng, **EVENT_STUDY)``);
a chapter that needs another value says so with :meth:`SamplerSettings.replace`. The settings
are a mapping of the keyword arguments of :func:`analysis.inference.sampling.fit`, so they
unpack with ``**`` and enter fit-cache keys through ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace

SAMPLER_BACKEND = "pymc"
"""NUTS implementation of every fit that does not name one: ``"pymc"``, ``"nutpie"``,
``"numpyro"`` or ``"blackjax"`` (``BOOK_SAMPLER`` overrides it).

PyMC's own NUTS is the default because it gave the highest minimum bulk ESS per second of wall
time (compilation included) on the small model families (contact meta-analysis, registry) in
the benchmark on this machine kind (2 cores), e.g. 171 against 90 (nutpie), 46 (NumPyro) and 43
(BlackJAX) on the contact meta-analysis; the large hierarchical models name nutpie with its
low-rank mass matrix (:data:`LOW_RANK_NUTPIE`). ``benchmarks/results.md`` has the tables
(``nox -s bench``).
"""


@dataclass(frozen=True)
class SamplerSettings(Mapping[str, object]):
    """The NUTS settings of one model family (per chain; ``None`` leaves PyMC's default).

    Parameters
    ----------
    draws, tune : int
        Posterior draws and tuning steps per chain.
    chains, cores : int
        Chains, and the processes that run them.
    target_accept : float, optional
        NUTS target acceptance rate; ``None`` leaves the backend's default.
    backend : str, optional
        NUTS implementation; ``None`` uses :data:`SAMPLER_BACKEND` (or ``BOOK_SAMPLER``).
    nuts_sampler_kwargs : mapping
        Backend-specific options (nutpie's mass matrix, tree depth).

    Examples
    --------
    >>> dict(SBC)
    {'draws': 300, 'tune': 300, 'chains': 1, 'cores': 1}
    >>> ORDINAL_DID["draws"], ORDINAL_DID.backend
    (1500, 'nutpie')
    """

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    cores: int = 2
    target_accept: float | None = 0.9
    backend: str | None = None
    nuts_sampler_kwargs: Mapping[str, object] = field(default_factory=dict)

    def _items(self) -> dict[str, object]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["nuts_sampler_kwargs"] = dict(self.nuts_sampler_kwargs)
        return {k: v for k, v in out.items() if v is not None and v != {}}

    def __getitem__(self, key: str) -> object:
        """Return one keyword argument of the fit (``KeyError`` if left to the default)."""
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the keyword arguments that are set."""
        return iter(self._items())

    def __len__(self) -> int:
        """Return how many keyword arguments are set."""
        return len(self._items())

    def replace(self, **changes: object) -> SamplerSettings:
        """Return a copy with some settings changed (``DEFAULT.replace(draws=2000)``)."""
        return replace(self, **changes)


DEFAULT = SamplerSettings()
"""The book's default: PyMC's NUTS, 4 chains x (1,000 tuning + 1,000 draws), target_accept 0.9.
Used by the contact meta-analyses and every fit that names no family."""

LOW_RANK_NUTPIE = SamplerSettings(
    backend="nutpie",
    nuts_sampler_kwargs={"low_rank_modified_mass_matrix": True, "maxdepth": 7},
)
"""Sampler of the book's large hierarchical models (the composition model over 3,368 wijken, the
ordinal difference-in-differences and the event studies): nutpie's NUTS with its low-rank
modified mass matrix, which learns the few correlated directions of these posteriors that a
diagonal mass matrix leaves to long trajectories. Measured on this machine kind (4 chains,
minimum bulk ESS per second of wall time, compilation included): composition, ordinal DiD and
event study each gained a factor of two or more over nutpie's diagonal mass matrix and over
PyMC's NUTS (``benchmarks/results.md``, ``nox -s bench``, backend ``nutpie_low_rank``).

nutpie calls this mass matrix experimental, and it can fail: on the composition model at
target_accept 0.9, one seed in six left one chain with a step size near zero (R-hat 1.53).
``maxdepth`` 7 (at most 127 leapfrog steps a draw; these models need 15-31) makes such a
chain end quickly and fail the convergence gate loudly instead of running for an hour."""

COMPOSITION = LOW_RANK_NUTPIE.replace(tune=600, draws=800, target_accept=0.8)
"""The composition model (``analysis.inference.shared_fits``). PyMC's NUTS with a diagonal
mass matrix needed tree depth 5 (31 leapfrog steps, step size 0.10-0.13) on every draw and 4 x
(1,000 + 1,000) iterations, 113 s of sampling, for bulk ESS >= 993; nutpie's low-rank mass
matrix takes 15 steps at step size 0.28 and gave, at 600 tuning steps and 1,000 draws, R-hat <=
1.0056, bulk ESS >= 1,003 and tail ESS >= 1,560, so 800 draws keep a wide margin over the gate of
400. target_accept is nutpie's default 0.8: at 0.9 the trajectories were twice as long (26-29
steps) and one seed in six left a chain stuck at a step size near zero; at 0.8 four seeds (that
one included) gave 15 steps on every chain and no stuck chain (R-hat <= 1.0056 where measured;
63-76 s with compilation). (Without the wijk-size terms the model needed 2,000 draws with PyMC's
NUTS.)"""

ORDINAL_DID = LOW_RANK_NUTPIE.replace(draws=1500)
"""The ordinal difference-in-differences on wijk classes (``chapters/wijkenaanpak_wijken.md``)."""

EVENT_STUDY = LOW_RANK_NUTPIE
"""The postcode event study of the wijkenaanpak (``chapters/wijkenaanpak_postcodes.md``): at 600
draws the largest R-hat of the 126 municipality-year terms was 1.0106, so 1,000."""

SCHOOL_FUNDING = LOW_RANK_NUTPIE.replace(draws=600, tune=500)
"""The event study of extra school funding (``chapters/school_funding.md``)."""

HEADLINE = SamplerSettings(backend="nutpie", draws=1000, tune=800)
"""The event study behind ``python -m analysis decide`` (``analysis.results.decision``): nutpie's
NUTS, 4 chains x 1,000 draws after 800 tuning steps; about 35 s on the loaded 2-core machine,
smallest bulk ESS about 800."""

REGISTRY = SamplerSettings(target_accept=0.95, draws=2000)
"""The crossed registry model (type x municipality) on the SIMULATED registry. A high
``target_accept`` because ``sigma_interaction`` sits near zero; 2,000 draws per chain because at
the book-wide 1,000 its tail ESS was 360 (< 400) on a clean-clone build on a 2-core machine, so
the convergence gate failed; doubling the draws roughly doubles the ESS."""

GRANTS = SamplerSettings(target_accept=0.97)
"""The cross-section of municipal grants (``chapters/municipal_grants.md``)."""

SBC = SamplerSettings(chains=1, cores=1, tune=300, draws=300, target_accept=None)
"""Each fit of simulation-based calibration: one short chain (the ranks need few draws)."""
