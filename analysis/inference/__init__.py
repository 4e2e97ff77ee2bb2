"""Inference: fitting, the convergence gate, the checking pipeline and calibration.

``settings`` (one sampler settings object per model family), ``sampling`` (the one ``fit``),
``diagnostics`` (the gate), ``workflow`` (prior predictive, PPC, PSIS-LOO, sensitivity), ``sbc``
(simulation-based calibration and recovery), ``fitcache`` and ``shared_fits`` (fits shared
between chapters).
"""
