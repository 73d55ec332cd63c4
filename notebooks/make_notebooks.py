"""Write the two analysis notebooks (one per paper) from the registry and the texts below.

Usage: python notebooks/make_notebooks.py. The notebooks read the HDF5 files that
`emergent reproduce` writes (folder: $EMERGENT_DATA, default ../data) and are executed by the
test suite on smoke-scale data, so a notebook that breaks fails CI.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from emergent.runs.registry import all_simulations

HERE = Path(__file__).resolve().parent

SETUP = '''\
import io
import os
from pathlib import Path

from IPython.display import Image, display
from matplotlib.figure import Figure

from emergent.runs.io import read_run
from emergent.runs.registry import get

DATA = Path(os.environ.get("EMERGENT_DATA", "../data"))


def show(name):
    """Parameters, results, the standard figure and the paper comparison of one run."""
    data = read_run(DATA / f"{name}.h5")
    sim = get(name)
    print(f"{name}: seed {data.seed}, equations {', '.join(data.equations)}")
    print("parameters:", ", ".join(f"{k}={v}" for k, v in sorted(data.params.items())))
    for key, value in sorted(data.results.items()):
        print(f"  {key} = {value}")
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    sim.plot(data, fig)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=90)
    display(Image(data=png.getvalue()))
    for check in sim.checks(data) if sim.checks else []:
        mark = "agrees" if check.agrees else "DIFFERS"
        print(f"[{mark}] {check.claim}: paper {check.paper}; ours {check.ours}")
    return data
'''

PAPERS = {
    "P1": ("p1_towards_a_theory_of_machine_learning.ipynb",
           "# P1: Towards a theory of machine learning (arXiv:2004.09280)\n\n"
           "The neural septuple, its statistical mechanics and thermodynamics (§2-9), the MNIST "
           "experiments (§10), entropic mechanics (§11). Run `emergent reproduce` first (or "
           "set `EMERGENT_DATA` to its output folder)."),
    "P2": ("p2_the_world_as_a_neural_network.ipynb",
           "# P2: The World as a Neural Network (arXiv:2008.01540)\n\n"
           "Trainable variables drift up the free energy and diffuse (§4), behave quantum-"
           "mechanically near equilibrium (§5) and classically far from it (§6); hidden "
           "variables of a permutation network move as waves and strings (§7-8); a bulk of "
           "chains maps to a boundary weight matrix (§10). Run `emergent reproduce` first (or "
           "set `EMERGENT_DATA` to its output folder)."),
}

EXPLAIN = {
    "fig1-entropy-destruction": (
        "P1 Fig. 1: the change of free energy -ΔF as a function of log λ, the log-eigenvalue "
        "of the operator G, at several inverse temperatures β. Its stationary points separate "
        "the phases the paper claims around (9.4); the run records whether each claim holds."),
    "random-nets": (
        "Random deep and shallow feed-forward nets of equal N: μ2 and μ3 of the log-spectrum "
        "of G (P1 9.5-9.6). For nets without hidden layers odd traces vanish (9.11)."),
    "mnist-thermodynamics": (
        "P1 §10, Figs. 2-7: the deep 784-40-20-10 and shallow 784-60-10 tanh nets learn MNIST "
        "while we record the boundary and bulk loss, the log-spectrum of G, μ2, μ3 and the "
        "complexities C_20, C_834."),
    "fokker-planck": (
        "P2 §4 (18)-(22): the probability of trainable variables drifts up the free energy and "
        "diffuses. Probability is conserved exactly by the finite-volume scheme, and the "
        "entropy production is computed twice, by differencing S and by (22)."),
    "langevin": (
        "The same process as an ensemble of particles (dq = γ ∂F/∂q dt + √(2D) dW), the route "
        "for many trainable variables; histograms compare with the grid solver."),
    "schrodinger": (
        "P2 §5 (34): near equilibrium the trainable variables obey a Schrödinger equation "
        "(constants re-derived: the extracted text lost its square roots)."),
    "madelung": (
        "P2 (32)-(33): the Madelung hydrodynamics with and without the learning terms. Without "
        "them it agrees with the Schrödinger run away from nodes; with them the problem is "
        "ill-posed and the run measures how long it stays close."),
    "hamilton-jacobi": (
        "P2 §6: far from equilibrium the free energy obeys a Hamilton-Jacobi equation; the "
        "stationary solution (44) and the virial relation (46)."),
    "chains": (
        "P2 §7 (57)-(63): with a permutation weight matrix and a linear activation the hidden "
        "variables move as an exact travelling wave; tanh or a noisy permutation break it."),
    "strings": (
        "P2 §8 (66)-(76): D+1 subsystems on the π and π^T chains form a string in an emergent "
        "Minkowski space; light-cone constraint residuals and the Polyakov action."),
    "holography": (
        "P2 §10 (97)-(100): the boundary weight matrix of a bulk made of chains, and the chain "
        "lengths recovered from it."),
}


def paper_of(sim) -> str:
    papers = {eq.split()[0] for eq in sim.equations}
    return "P1" if papers == {"P1"} else "P2" if "P2" in papers else "P1"


def build() -> None:
    sims = all_simulations()
    for paper, (filename, intro) in PAPERS.items():
        cells = [new_markdown_cell(intro), new_code_cell(SETUP)]
        for sim in sims:
            if paper_of(sim) != paper:
                continue
            text = EXPLAIN.get(sim.name, sim.summary)
            cells.append(new_markdown_cell(
                f"## `{sim.name}`\n\n{text}\n\nEquations: {', '.join(sim.equations)}."))
            cells.append(new_code_cell(f'data = show("{sim.name}")'))
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(nb, HERE / filename)
        print(f"wrote {HERE / filename}")


if __name__ == "__main__":
    build()
