"""Write the notebooks (one analysis notebook per paper and "working with the data"), and
optionally execute them on smoke-scale data so that they are committed with their outputs.

Usage::

    python notebooks/make_notebooks.py                 # write the notebooks without outputs
    python notebooks/make_notebooks.py --execute       # ... and execute them on smoke data
    python notebooks/make_notebooks.py --execute --data DIR   # reuse `emergent reproduce` output

``--execute`` first runs ``emergent reproduce --smoke --no-verify`` into a temporary folder
(unless ``--data`` names a folder that already holds its run files), then executes every
notebook with nbclient (``EMERGENT_DATA`` set to that folder) and saves it with its outputs:
text, Markdown tables and small PNG figures. Outputs must not show a path of this machine; the
script refuses to save a notebook whose outputs do. ``tests/test_notebooks.py`` executes the
same notebooks on the test suite's smoke runs and checks that the committed outputs exist.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIGURE_TAG = "figure"  # cell tag: the cell draws a figure (the tests check that it did)

# ---------------------------------------------------------------------------------------------
# the two analysis notebooks
# ---------------------------------------------------------------------------------------------

ANALYSIS_SETUP = '''\
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Image, Markdown, display

import emergent
from emergent.runs.figures import save_figure

# the files of `emergent reproduce` (at the default scale: `emergent reproduce --out ../data`)
DATA = Path(os.environ.get("EMERGENT_DATA", "../data"))
FIGURES = Path(tempfile.mkdtemp(prefix="emergent-figures-"))
SIMULATIONS = emergent.simulations()


def load(name):
    """The run file `name`.h5 of `emergent reproduce` and its registered simulation."""
    data = emergent.read(DATA / f"{name}.h5")
    print(f"{name}, seed {data.seed}: " + ", ".join(
        f"{key}={value}" for key, value in sorted(data.params.items())))
    return SIMULATIONS[name], data


def checks(sim, data):
    """The paper claims that this run tests: yes (holds as printed), corrected (the printed
    claim fails and the corrected statement holds) or NO."""
    rows = ["| claim | paper | this run | verdict |", "|---|---|---|---|"]
    for c in sim.checks(data):
        verdict = "yes" if c.agrees else "corrected" if c.correction else "**NO**"
        ours = c.ours + (f"; corrected: {c.correction}" if c.correction and not c.agrees else "")
        rows.append(f"| {c.claim} | {c.paper} | {ours} | {verdict} |".replace("\\n", " "))
    display(Markdown("\\n".join(rows)))


def figure(sim, data, dpi=75):
    """The simulation's standard figure, drawn by the library (`emergent plot` draws the same)."""
    display(Image(filename=save_figure(sim, data, FIGURES / f"{sim.name}.png", dpi=dpi)))
'''

PAPERS = {
    "P1": ("p1_towards_a_theory_of_machine_learning.ipynb",
           "# P1: Towards a theory of machine learning (arXiv:2004.09280)\n\n"
           "The neural septuple, its statistical mechanics and thermodynamics (§2-9), the MNIST "
           "experiments (§10). Each section reads one run file of `emergent reproduce`, prints "
           "the numbers that matter, compares them with the paper's claims and draws the "
           "standard figure.\n\n"
           "Run `emergent reproduce --out ../data` first (about a minute), or set "
           "`EMERGENT_DATA` to the folder of its files. The outputs stored in this notebook "
           "come from the seconds-long smoke scale (`emergent reproduce --smoke`, regenerated "
           "by `python notebooks/make_notebooks.py --execute`), so their numbers are those of "
           "tiny runs, not of the paper scale (`--full`); the verdicts already hold there, "
           "except where noted."),
    "P2": ("p2_the_world_as_a_neural_network.ipynb",
           "# P2: The World as a Neural Network (arXiv:2008.01540)\n\n"
           "Trainable variables drift up the free energy and diffuse (§4), behave quantum-"
           "mechanically near equilibrium (§5) and classically far from it (§6); hidden "
           "variables of a permutation network move as waves and strings (§7-8); a bulk of "
           "chains maps to a boundary weight matrix (§10). Each section reads one run file of "
           "`emergent reproduce`, prints the numbers that matter, compares them with the "
           "paper's claims and draws the standard figure.\n\n"
           "Run `emergent reproduce --out ../data` first (about a minute), or set "
           "`EMERGENT_DATA` to the folder of its files. The outputs stored in this notebook "
           "come from the seconds-long smoke scale (`emergent reproduce --smoke`, regenerated "
           "by `python notebooks/make_notebooks.py --execute`), so their numbers are those of "
           "tiny runs, not of the paper scale (`--full`)."),
}

# (simulation, explanation, analysis code); the analysis ends with the paper checks, and a
# figure cell follows each section.
SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    "P1": [
        ("fig1-entropy-destruction",
         "P1 Fig. 1 and §9: the entropy destruction rate -ΔF of a spectrum of G with two "
         "peaks, as a function of s = log λ, at several inverse temperatures β. Where its "
         "stationary points sit, and whether s = 0 is a maximum, a minimum or the global "
         "minimum, divides β into phases. The paper puts the non-trivial extremum at (9.4) and "
         "the last phase boundary at √N - 1; the run scans β and finds both where they are.",
         '''\
sim, data = load("fig1-entropy-destruction")
r = data.results
print(f"s = 0 turns from a maximum into a minimum at beta = {r['beta_switch']:.3f} (paper: 1/2)")
print(f"the non-trivial extremum s* disappears at beta = {r['beta_star_vanishes']:.3f}")
print(f"s = 0 is the global minimum for beta > {r['beta_global_zero']:.4f}: derived "
      f"1/sqrt(gamma) - 1 = {r['beta_global_zero_expected']:.4f}, "
      f"paper sqrt(N) - 1 = {r['sqrt_n_minus_1']:.1f}")
beta, s_star = data.series("beta"), data.series("s_star")
found = np.isfinite(s_star)
print(f"s* over the scan ({found.sum()} of {beta.size} beta have one): largest distance from "
      f"2 log((1 - beta)/beta) {np.nanmax(abs(s_star - data.series('derived'))[found]):.1e}, "
      f"from (9.4) as printed {np.nanmax(abs(s_star - data.series('paper_94'))[found]):.2f}")
for b in data.params["betas"]:
    print(f"  beta = {b}: stationary points {r[f'stationary_beta_{b:g}']}")
checks(sim, data)'''),
        ("random-nets",
         "P1 §7-9: random feed-forward tanh nets of equal N, deep (784-40-20-10), shallow "
         "(784-60-10) and without hidden layers. For each we compute the spectrum of G and its "
         "moments μ2 = Tr(log G)² (9.5) and μ3 = Tr(log G)³ (9.6). det G = 1 (7.8) for every "
         "net, odd moments vanish without hidden layers (9.11), and deep nets have a larger μ2 "
         "and a more negative μ3 than shallow ones: the table groups the ensemble by "
         "architecture with pandas.",
         '''\
sim, data = load("random-nets")
names = {int(code): name for name, code in
         (part.split(":")[0].split("=") for part in data.results["architectures"].split("; "))}
members = data.to_dataframe()
members["architecture"] = members["arch"].astype(int).map(names)
table = members.groupby("architecture")[["mu2", "mu3", "skewness", "minus_laplacian",
                                         "log_det"]].mean()
print(f"{len(members)} random nets, N = {data.results['n']}; means per architecture:")
print(table.to_string(float_format=lambda v: f"{v:.3g}"))
checks(sim, data)'''),
        ("mnist-thermodynamics",
         "P1 §10, Figs. 2-7: the deep 784-40-20-10 and the shallow 784-60-10 tanh nets learn "
         "MNIST digits while we record the boundary loss U_d (2.11) and the bulk loss U (3.2), "
         "the spectrum of G, μ2, μ3, its widest gap and the complexities C_20, C_834 (10.5). "
         "The smoke run trains for 3 epochs on 100 digits, so accuracies and the gap are far "
         "from the paper's; the bulk loss is not orders of magnitude below the boundary loss "
         "at any scale we ran (the README's table at 10,000 epochs), the one claim of P1 §10 we "
         "do not reproduce.",
         '''\
sim, data = load("mnist-thermodynamics")
rows = {}
for net in ("deep", "shallow"):
    last = {key: data.series(f"{net}_{key}")[-1] for key in (
        "epoch", "train_accuracy", "test_accuracy", "boundary_loss", "bulk_loss", "mu2", "mu3",
        "n_dynamical", "gap_log_lambda", "gap_beta", "c_20", "c_834")}
    rows[net] = last
final = pd.DataFrame(rows)
print("last logged epoch:")
print(final.to_string(float_format=lambda v: f"{v:.4g}"))
checks(sim, data)'''),
        ("learning-laws",
         "P1 (7.6), (7.11), (10.1) and P2 (15), (17) along real SGD trajectories (the deep and "
         "shallow MNIST nets and a random net learning a random teacher). β is measured "
         "independently of U, three ways: from the spectral gap via (9.4), from the "
         "fluctuations of the bulk loss over samples (β = ⟨H⟩/Var H), and from the SGD noise "
         "temperature T = lr tr Σ_B/(2K). The table lists, per trajectory and reading, how "
         "often the total entropy rose and the median of abs((T dS_0 + T dC) / dU), which the "
         "first law sets to 1.",
         '''\
sim, data = load("learning-laws")
from emergent.learning import laws
from emergent.runs.simulations.learning_laws import NET_NAMES, trajectories

rows = []
for t in trajectories(data):
    for r in laws.BETA_READINGS:
        second = laws.second_law(t[f"s_{r}"])
        first = laws.first_law(t["u"], 1 / t[f"beta_{r}"], t[f"s0_{r}"] + t[f"c_{r}"])
        rows.append({"net": NET_NAMES[int(t["net"][0])], "lr": t["learning_rate"][0],
                     "beta reading": r, "S rose on": f"{second.violations}/"
                     f"{second.increments.size}",
                     "median abs(T dS / dU)": float(np.median(np.abs(first.rhs)
                                                           / np.abs(first.lhs)))})
print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
checks(sim, data)'''),
    ],
    "P2": [
        ("fokker-planck",
         "P2 §4, (18)-(22): the probability density of the trainable variables drifts up the "
         "free energy F and diffuses. With F = -q²/2 this is an Ornstein-Uhlenbeck process with "
         "an exact solution. The finite-volume scheme conserves probability to rounding, and "
         "the entropy production is computed by (22) and compared with the rate of change of "
         "S_q. The scheme's own rate agrees with (22) at every stored time; the paper check "
         "differences the stored S_q(t), which needs many stored times: at the smoke scale "
         "(6 times) it is too coarse and the check reads NO, at the default scale (51 times) "
         "it agrees to 6e-3.",
         '''\
sim, data = load("fokker-planck")
series = data.to_dataframe()
print(f"total probability: largest drift {abs(series['total'] - 1).max():.1e}")
print(f"L1 error against the exact OU solution at t = {series.index[-1]:g}: "
      f"{data.results['l1_error_exact']:.2e}; L1 distance to the stationary density "
      f"{data.results['l1_to_stationary']:.3f}")
print(f"entropy S_q: {series['entropy'].iloc[0]:.4f} -> {series['entropy'].iloc[-1]:.4f}")
gap = (series["production"] - series["production_discrete"]).abs()
print(f"dS/dt by (22) minus the scheme's own rate: largest {gap.max():.2e} "
      f"(relative {(gap / series['production_discrete'].abs()).max():.1e})")
checks(sim, data)'''),
        ("langevin",
         "The same process as an ensemble of particles, dq = γ ∂F/∂q dt + √(2D) dW, the route to "
         "many trainable variables, here in a double well. The histogram of the ensemble at the "
         "final time is compared with the grid Fokker-Planck solution by χ².",
         '''\
sim, data = load("langevin")
r = data.results
print(f"{data.params['particles']} particles to T = {r['t_end']:g}: chi2 = {r['chi2']:.1f} "
      f"for {r['chi2_dof']} cells (chi2/dof = {r['chi2'] / r['chi2_dof']:.2f})")
print(f"ensemble mean {data.series('mean')[0, 0]:.3f} -> {data.series('mean')[-1, 0]:.3f}, "
      f"variance {data.series('var')[0, 0]:.3f} -> {data.series('var')[-1, 0]:.3f}")
checks(sim, data)'''),
        ("schrodinger",
         "P2 §5, (34)-(35): near equilibrium the trainable variables obey a Schrödinger "
         "equation. The extracted text of the paper lost its square roots; with the constants "
         "re-derived, ħ = √(4Dμ/γ) and a coherent state oscillates with ω = √(2γκ). The "
         "split-step solver keeps the norm and ⟨H⟩ and follows the analytic coherent state.",
         '''\
sim, data = load("schrodinger")
series = data.to_dataframe()
print(f"hbar = sqrt(4 D mu / gamma) = {data.results['hbar_eff']:.3f}, dt = {data.results['dt']:g}")
print(f"norm drift {abs(series['norm'] - series['norm'].iloc[0]).max():.1e}; relative energy "
      f"drift {abs(series['energy'] / series['energy'].iloc[0] - 1).max():.1e}")
print(f"largest relative L2 error against the coherent state: {series['error'].max():.1e}")
checks(sim, data)'''),
        ("madelung",
         "P2 (32)-(33): the Madelung hydrodynamics of the same system. Without the learning "
         "terms it is the Schrödinger equation in other variables, and the run agrees with the "
         "Schrödinger solver to rounding. With them the viscosity is negative (-γ/μ): the "
         "problem is ill-posed, and the run measures how long the solution stays within the "
         "tolerance of the reference on each grid (shorter on finer grids).",
         '''\
sim, data = load("madelung")
print(f"learning terms off: largest relative L2 distance from Schrodinger "
      f"{data.results['learning_off_worst']:.1e}")
within = pd.DataFrame(data.array("time_within_tolerance"), index=data.array("ratios"),
                      columns=data.array("grids"))
within.index.name, within.columns.name = "gamma/mu", "cells"
print(f"learning terms on: time within {data.params['tolerance']:g} of the reference")
print(within.to_string())
checks(sim, data)'''),
        ("hamilton-jacobi",
         "P2 §6, (37)-(46): far from equilibrium the free energy obeys a Hamilton-Jacobi "
         "equation. The viscous equation (38) is checked against its Cole-Hopf solution, the "
         "classical limit against Hamilton's characteristics (with q'' = -2γV', not -γV' as "
         "printed in (42)), the stationary solution (44) by its residual and the virial "
         "relation (46) on random networks.",
         '''\
sim, data = load("hamilton-jacobi")
r = data.results
print(f"viscous (38) vs Cole-Hopf: largest error {data.series('cole_hopf_error').max():.1e}")
print(f"anti-diffusion blow-up: exact t* = {r['cole_hopf_blowup_time']:.2f}; detected on "
      + ", ".join(f"{g} cells at t = {s:.2f}" for g, s in
                  zip(data.array("grids"), data.array("detected_stop"))))
print(f"classical limit vs characteristics: {r['characteristics_max_error']:.1e}")
print(f"stationary (44): residual {r['stationary_residual']:.1e}, "
      f"order {r['stationary_residual_order']:.2f}; virial (46): {r['virial_error']:.1e}")
checks(sim, data)'''),
        ("chains",
         "P2 §7, (49)-(63): with a permutation weight matrix and a linear activation the hidden "
         "variables move as an exact travelling wave, x(t, i) = x(0, i - t), and the continuous-"
         "τ chain converges to the wave equation (63) as N grows; tanh or a noisy permutation "
         "break the exact shift.",
         '''\
sim, data = load("chains")
print(f"{data.params['neurons']} neurons, {data.params['steps']} steps, "
      f"activation {data.params['activation']}, noise {data.params['noise']}")
print(f"largest deviation from the exact shift: {data.results['max_shift_error']:.1e}")
norm = data.series("norm")
print(f"sum of x^2 / N: {norm[0]:.6f} -> {norm[-1]:.6f}")
print("continuum limit (61) -> (63): N = " + ", ".join(map(str, data.array("continuum_n")))
      + ", errors " + ", ".join(f"{e:.1e}" for e in data.array("continuum_error"))
      + f", order {data.results['continuum_order']:.2f}")
checks(sim, data)'''),
        ("strings",
         "P2 §8, (64)-(78): D+1 subsystems on the π and π^T chains form a closed string in an "
         "emergent Minkowski space. The light-cone constraints (75) hold to the grid's "
         "accuracy, the Polyakov action (76) equals twice the Nambu-Goto action on-shell, and in "
         "a weakly curved metric the energy is conserved once the sign in (77)-(78) is "
         "corrected.",
         '''\
sim, data = load("strings")
series = data.to_dataframe()
print(f"string of {data.params['neurons']} neurons in D+1 = {data.params['dims']} "
      f"(alpha = {data.results['alpha']:.2f})")
print(f"light-cone constraints (75): largest relative residual {series['residual_rel'].max():.1e}")
print("Polyakov - 2 x Nambu-Goto: largest "
      f"{(series['action'] - series['action_nambu_goto']).abs().max():.1e}")
print(f"curved metric: energy {series['metric_energy'].iloc[0]:.4f} -> "
      f"{series['metric_energy'].iloc[-1]:.4f}")
checks(sim, data)'''),
        ("holography",
         "P2 §10, (97)-(100): a bulk made of chains (some crossing) and its boundary weight "
         "matrix w_d(ε). Chain lengths are recovered exactly from the boundary by (100) where "
         "chains do not cross; with crossings new boundary pairs connect, and the recovered "
         "length never exceeds the shortest bulk path (99).",
         '''\
sim, data = load("holography")
r = data.results
print(f"{data.params['chains']} chains, {r['bulk_neurons']} bulk and {r['boundary_neurons']} "
      f"boundary neurons, {r['crossings_made']} crossings")
scan = data.to_dataframe().set_index("eps")
print(scan[["disjoint_max_error", "connected_pairs", "new_pairs", "max_excess"]].to_string())
checks(sim, data)'''),
    ],
}

GENERIC = '''\
sim, data = load("{name}")
for key, value in sorted(data.results.items()):
    print(f"  {{key}} = {{value}}")
if sim.checks:
    checks(sim, data)'''


def paper_of(sim: Any) -> str:
    """The notebook of a simulation: P1 when all its equations are P1's, else P2."""
    papers = {eq.split()[0] for eq in sim.equations}
    return "P1" if papers == {"P1"} else "P2"


# ---------------------------------------------------------------------------------------------
# working with the data
# ---------------------------------------------------------------------------------------------

DATA_NOTEBOOK = "working_with_the_data.ipynb"

DATA_CELLS: list[tuple[str, str, bool]] = [
    ("markdown", """\
# Working with the data

Every run of `emergent` is one self-describing HDF5 / netCDF-4 file: time series with their
time coordinate, fields with their grid axes, results and parameters, each with `units` and a
`long_name`. This notebook runs a simulation from Python, opens runs with xarray and pandas,
runs a small parameter sweep, draws a custom figure and compares two runs.

It writes its files to a temporary folder and reads the files of `emergent reproduce` from
`EMERGENT_DATA` (default `../data`). The stored outputs come from smoke-scale data
(`python notebooks/make_notebooks.py --execute`); the whole notebook runs in seconds.""", False),
    ("code", """\
%matplotlib inline
import os
import tempfile
import textwrap
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

import emergent
from emergent.runs.figures import STYLE

warnings.filterwarnings("ignore", message="IProgress not found")  # no widgets: plain progress
plt.rcParams.update(STYLE)  # the style of the library's standard figures
plt.rcParams["figure.dpi"] = 75
DATA = Path(os.environ.get("EMERGENT_DATA", "../data"))  # files of `emergent reproduce`
WORK = Path(tempfile.mkdtemp(prefix="emergent-notebook-"))  # files written here""", False),
    ("markdown", """\
## Run a simulation from Python

`emergent.run(name, seed=..., output=None, **params)` runs a registered simulation exactly as
`emergent run` does and returns its data (`output=None` writes a temporary file). Parameters
are typed and checked; `emergent.simulations()[name].params` lists them with their meaning,
range and unit. Here: the Fokker-Planck equation of P2 (20) on a coarse grid.""", False),
    ("code", """\
fp = emergent.simulations()["fokker-planck"]
print(fp.summary)
for p in fp.params:
    if p.name in ("diffusion", "gamma", "cells", "potential", "t_end"):
        print(f"  {p.name} = {p.default!r}: {p.help} ({p.allowed()})")

run = emergent.run("fokker-planck", seed=0, cells=64, saves=11)
print("series:", ", ".join(run.series_names))
print("fields:", ", ".join(run.field_names))
print("results:", {key: round(value, 6) for key, value in run.results.items()})""", False),
    ("markdown", """\
## The run in xarray

`run.to_xarray()` opens the file as an `xarray.DataTree`: the group `series` has the time
coordinate `t`, `fields` the grid axes, and `parameters` one variable per parameter. Every
variable carries `long_name` and `units` (the papers' quantities are dimensionless, unit
"1").""", False),
    ("code", """\
tree = run.to_xarray()
print("groups:", list(tree.children))
series = tree["series"].to_dataset()
fields = tree["fields"].to_dataset()
print(fields)
print()
print(pd.DataFrame({name: {"long_name": var.attrs["long_name"], "units": var.attrs["units"]}
                    for name, var in {**fields.variables, **series.variables}.items()}).T
      .to_string(max_colwidth=80))""", False),
    ("markdown", """\
## The series in pandas

`run.to_dataframe()` gives the scalar time series (and the components of short vector series)
as a `pandas.DataFrame` indexed by `t`, ready for `describe`, `diff`, resampling or export.""",
     False),
    ("code", """\
df = run.to_dataframe()
print(df[["total", "mean", "cov", "entropy", "production"]].round(5).to_string())
rate = pd.Series(np.gradient(df["entropy"], df.index, edge_order=2), index=df.index)
print(f"\\ndS/dt by differencing the stored entropy, at t = 0.5: {rate.loc[0.5]:.4f} "
      f"(recorded production (22): {df['production'].loc[0.5]:.4f}; the stored rows are "
      f"{df.index[1] - df.index[0]:g} apart)")""", False),
    ("markdown", """\
## The files of `emergent reproduce`

`emergent.read(path)` opens any finished run. A table of every run in `EMERGENT_DATA`:""",
     False),
    ("code", """\
runs = {path.stem: emergent.read(path) for path in sorted(DATA.glob("*.h5"))}
print(pd.DataFrame({name: {"seed": d.seed, "series": len(d.series_names),
                           "fields": len(d.field_names), "results": len(d.results),
                           "equations": len(d.equations)}
                    for name, d in runs.items()}).T.to_string())""", False),
    ("markdown", """\
## A custom figure

Labels and units come from the attributes, so a figure made by hand says what it shows. Left:
the density of the run above at t = 0, at the final time and the stationary density; right: a
series of the Schrödinger run of `emergent reproduce`, read as xarray.""", False),
    ("code", """\
def label(var, width=45):
    \"\"\"Axis label from a variable's attributes: long name [unit].\"\"\"
    return textwrap.fill(f"{var.attrs['long_name']} [{var.attrs['units']}]", width)


fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
for name in ("p0", "p", "p_stationary"):
    left.plot(fields["q1"], fields[name], label=textwrap.fill(fields[name].attrs["long_name"], 40))
left.set(xlabel=label(fields["q1"]), ylabel="probability density p [1]", xlim=(-4, 5))
left.legend(loc="upper left")

schrodinger = runs["schrodinger"].to_xarray()["series"].to_dataset()
energy = schrodinger["energy"]
right.plot(schrodinger["t"], energy - energy[0], ".-")
right.set(xlabel=label(schrodinger["t"]),
          ylabel=rf"$\\langle H\\rangle(t) - \\langle H\\rangle(0)$ [{energy.attrs['units']}]",
          title="Schrödinger run of reproduce: drift of the\\n" + energy.attrs["long_name"])
plt.show()""", True),
    ("markdown", """\
## A parameter sweep

A sweep runs one simulation at every point of a grid of parameters (times seeds) as Dask tasks
and gathers the simulation's scalar results. On the command line:

```
emergent sweep fokker-planck -o fp-sweep.h5 --grid diffusion=0.5:1:2 --grid stiffness=0.5:1:2 \\
    --set cells=64 --set saves=3 --workers 1
```

From Python the same sweep is `run_sweep(SweepSpec.build(...), path)`; here on a one-thread Dask
cluster inside this kernel (`workers=1` starts one worker process instead, and
`scheduler=` connects to a cluster). The Fokker-Planck solver is deterministic, so one seed.""",
     False),
    ("code", """\
from distributed import Client
from emergent.runs.sweep import SweepSpec, read_sweep, run_sweep

spec = SweepSpec.build(fp, ["diffusion=0.5:1:2", "stiffness=0.5:1:2"],
                       fixed={"cells": 64, "saves": 3}, seeds=1)
with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
    report = run_sweep(spec, WORK / "fp-sweep.h5", client=client, quiet=True)
print(f"{len(report.ran)} points ran, {len(report.failed)} failed; run files in "
      f"{report.runs_dir.name}/")

sweep = read_sweep(WORK / "fp-sweep.h5").to_xarray()
shown = sweep.drop_vars("seconds")  # wall-clock seconds per point
shown.attrs = {}  # (provenance: dates, versions, the command's parameters)
print(shown)""", False),
    ("markdown", """\
The sweep is an `xarray.Dataset` with one dimension per swept parameter and one for the seed, so
selecting, averaging over seeds or tabulating is one line:""", False),
    ("code", """\
l1 = sweep["l1_to_stationary"].isel(seed=0)
print(l1.attrs["long_name"])
print(l1.to_pandas().round(4).to_string())

fig, ax = plt.subplots(figsize=(5, 3.2))
for stiffness in l1["stiffness"].values:
    ax.plot(l1["diffusion"], l1.sel(stiffness=stiffness), "o-", label=f"stiffness {stiffness:g}")
ax.set(xlabel=label(sweep["diffusion"]), ylabel=label(l1, 35))
ax.legend()
plt.show()""", True),
    ("markdown", """\
## Comparing two runs

The same simulation with a smaller diffusion constant D. Both runs share the time coordinate
and the grid, so xarray subtracts them point by point (`xr.align(..., join="exact")` refuses
runs whose coordinates differ).""", False),
    ("code", """\
slow = emergent.run("fokker-planck", seed=0, cells=64, saves=11, diffusion=0.5).to_xarray()
a, b = series, slow["series"].to_dataset()
a, b = xr.align(a, b, join="exact")
difference = b["entropy"] - a["entropy"]
p_a, p_b = xr.align(fields["p"], slow["fields"]["p"], join="exact")
print(f"entropy S_q(t), D = 0.5 minus D = 1: {difference.values.round(4)}")
print(f"final densities: largest |difference| {float(abs(p_b - p_a).max()):.3f} "
      f"at q1 = {float(abs(p_b - p_a).idxmax()):.2f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
left.plot(a["t"], a["entropy"], label="D = 1")
left.plot(b["t"], b["entropy"], label="D = 0.5")
left.plot(a["t"], difference, "k--", label="difference (D = 0.5) - (D = 1)")
left.set(xlabel=label(a["t"]), ylabel=label(a["entropy"], 35))
left.legend()
right.plot(p_a["q1"], p_b - p_a)
right.axhline(0, color="0.7", lw=0.8)
right.set(xlabel=label(p_a["q1"]), ylabel="final density, (D = 0.5) - (D = 1) [1]",
          xlim=(-4, 5))
plt.show()""", True),
    ("markdown", """\
Two seeds of a stochastic simulation differ by sampling noise only: for the Langevin ensemble
the difference of the two histograms, in units of their combined statistical error, should
scatter around 0 with a spread near 1.""", False),
    ("code", """\
seeds = [emergent.run("langevin", seed=s, particles=5000, steps=200) for s in (0, 1)]
h = [d.to_xarray()["fields"].to_dataset() for d in seeds]
z = (h[1]["histogram"] - h[0]["histogram"]) / np.hypot(h[0]["histogram_error"],
                                                      h[1]["histogram_error"])
z = z.where(np.isfinite(z))
print(f"seed 1 minus seed 0 over {int(z.count())} cells: mean {float(z.mean()):.2f}, "
      f"standard deviation {float(z.std()):.2f}")""", False),
]

# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _finish(cells: list[Any]) -> Any:
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: regenerating changes nothing that did not
    return new_notebook(cells=cells, metadata=dict(KERNEL))


def _figure_cell(source: str) -> Any:
    return new_code_cell(source, metadata={"tags": [FIGURE_TAG]})


def notebooks() -> dict[str, Any]:
    """Every notebook, without outputs, by file name.

    Returns
    -------
    dict of str to nbformat.NotebookNode
    """
    from emergent.runs.registry import all_simulations

    sims = {sim.name: sim for sim in all_simulations()}
    out: dict[str, Any] = {}
    for paper, (filename, intro) in PAPERS.items():
        cells = [new_markdown_cell(intro), new_code_cell(ANALYSIS_SETUP)]
        sections = list(SECTIONS[paper]) + [  # a simulation without a written section
            (sim.name, sim.summary, GENERIC.format(name=sim.name)) for sim in sims.values()
            if paper_of(sim) == paper and sim.name not in covered()]
        for name, text, code in sections:
            sim = sims[name]
            cells.append(new_markdown_cell(
                f"## `{name}`\n\n{text}\n\nEquations: {', '.join(sim.equations)}."))
            cells.append(new_code_cell(code))
            cells.append(_figure_cell("figure(sim, data)"))
        out[filename] = _finish(cells)
    data_cells = [new_markdown_cell(src) if kind == "markdown"
                  else _figure_cell(src) if figure else new_code_cell(src)
                  for kind, src, figure in DATA_CELLS]
    out[DATA_NOTEBOOK] = _finish(data_cells)
    return out


def covered() -> set[str]:
    """The simulations with a written section (the others get a generic one)."""
    return {name for sections in SECTIONS.values() for name, _, _ in sections}


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(nb: Any, data: Path, timeout: int = 600) -> Any:
    """Execute `nb` in place (working folder notebooks/) on the run files in `data`.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook; its outputs are replaced.
    data : Path
        A folder of `emergent reproduce` run files (``EMERGENT_DATA``).
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    nbformat.NotebookNode
        `nb`, with outputs; no timing metadata.
    """
    from nbclient import NotebookClient

    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    with _env(EMERGENT_DATA=str(data), MPLBACKEND="Agg", PYTHONPATH=pythonpath):
        NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out["data"]["image/png"] = shrink_png(out["data"]["image/png"])
    return nb


def shrink_png(data: str) -> str:
    """A base64 PNG re-encoded with a 256-colour palette (a third of the size; the figures
    have few colours), for the stored outputs."""
    import base64
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                   dither=Image.Dither.NONE).save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii") + "\n"


def outputs_text(nb: Any) -> str:
    """Everything the outputs of `nb` show as text (streams, plain text, Markdown, errors)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(v for k, v in out.get("data", {}).items() if k.startswith("text/"))
            parts.extend(out.get("traceback", []))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def leaks(nb: Any, data: Path) -> list[str]:
    """Paths of this machine that the outputs of `nb` show (should be none)."""
    text = outputs_text(nb)
    places = {str(data), str(data.resolve()), str(ROOT), tempfile.gettempdir() + os.sep,
              str(Path.home()) + os.sep, sys.prefix + os.sep, sys.base_prefix + os.sep}
    return sorted(p for p in places if p and p in text)


def smoke_data(folder: Path) -> Path:
    """Run `emergent reproduce --smoke --no-verify` into `folder` (seed 0, its default)."""
    from emergent.runs.registry import all_simulations
    from emergent.runs.reproduce import reproduce

    reproduce(all_simulations(), folder, smoke=True, seed=0, verify=False, quiet=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--execute", action="store_true",
                        help="execute every notebook on smoke-scale data and save its outputs")
    parser.add_argument("--data", type=Path, default=None,
                        help="folder of `emergent reproduce --smoke` run files to reuse "
                             "(default: run it into a temporary folder)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    books = notebooks()
    with contextlib.ExitStack() as stack:
        data = args.data
        if args.execute and data is None:
            data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="emergent-")))
            t0 = time.perf_counter()
            smoke_data(data)
            print(f"smoke data in {time.perf_counter() - t0:.0f} s")
        for filename, nb in books.items():
            if args.execute:
                assert data is not None
                t0 = time.perf_counter()
                execute(nb, data)
                bad = [o for c in nb.cells for o in c.get("outputs", [])
                       if o.get("output_type") == "error"]
                if bad:
                    print(f"{filename}: error output: {bad[0].get('ename')}: "
                          f"{bad[0].get('evalue')}", file=sys.stderr)
                    return 1
                if leaks(nb, data):
                    print(f"{filename}: outputs show local paths {leaks(nb, data)}",
                          file=sys.stderr)
                    return 1
                took = f" (executed in {time.perf_counter() - t0:.0f} s)"
            else:
                took = ""
            nbformat.write(nb, HERE / filename)
            print(f"wrote {filename}: {(HERE / filename).stat().st_size / 1024:.0f} KiB{took}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
