"""Runs: the simulation registry, HDF5 run files, the registered simulations, ``reproduce``,
parameter sweeps and the equation ledger. The command line (:mod:`emergent.cli`) is a thin client
of this package; the physics packages never import it.

Modules: :mod:`~emergent.runs.registry` (parameters and simulations), :mod:`~emergent.runs.io`
(HDF5 run store with provenance, checkpoints, resume), :mod:`~emergent.runs.simulations` (one
module per registered simulation), :mod:`~emergent.runs.reproduce` (every paper result and its
comparison table), :mod:`~emergent.runs.sweep` (Dask sweeps), :mod:`~emergent.runs.ledger` (the
equation ledger).
"""
