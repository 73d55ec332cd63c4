"""Plateaus of the boundary loss and what the bulk loss does on them (P1 §10, Fig. 3).

P1 §10: "at late times the bulk loss keeps decreasing while the boundary loss remains almost
constant (inside of red oval on Fig. 3). This behavior continues for about 10,000 (!) training
epochs until the network finally finds a better solution and the boundary loss jumps to a
smaller value". :func:`loss_plateaus` finds the stretches of logged epochs on which log U_d is
flat; :func:`plateau_falls` measures log U over each; :func:`keeps_falling_on_plateau` decides
the claim on a recorded series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PlateauFall", "keeps_falling_on_plateau", "loss_plateaus", "plateau_falls"]


def loss_plateaus(epochs: np.ndarray, log_boundary: np.ndarray, *, flat: float = 0.1,
                  min_ratio: float = 2.0) -> list[tuple[int, int]]:
    """Maximal windows of logged epochs on which log U_d varies by at most `flat`.

    Parameters
    ----------
    epochs : ndarray of int
        Logged epochs, increasing.
    log_boundary : ndarray
        log U_d at those epochs.
    flat : float
        Largest max - min of log U_d inside a plateau (0.1: U_d within about 10 %).
    min_ratio : float
        Least ratio last epoch / first epoch of a plateau (epoch 0 never starts one).

    Returns
    -------
    list of (int, int)
        Index windows (i0, i1), i0 < i1, none contained in another, in increasing order.

    Raises
    ------
    ValueError
        Arrays of different lengths, flat < 0 or min_ratio < 1.
    """
    e = np.asarray(epochs, dtype=float)
    v = np.asarray(log_boundary, dtype=float)
    if e.shape != v.shape or e.ndim != 1:
        raise ValueError("epochs and log_boundary must be 1-d arrays of equal length")
    if not flat >= 0 or not min_ratio >= 1:
        raise ValueError(f"need flat >= 0 and min_ratio >= 1, got {flat}, {min_ratio}")
    out: list[tuple[int, int]] = []
    last_end = -1
    for i0 in range(e.size):
        if e[i0] <= 0 or not np.isfinite(v[i0]):
            continue
        lo = hi = v[i0]
        i1 = i0
        while i1 + 1 < e.size and np.isfinite(v[i1 + 1]) and \
                max(hi, v[i1 + 1]) - min(lo, v[i1 + 1]) <= flat:
            i1 += 1
            lo, hi = min(lo, v[i1]), max(hi, v[i1])
        if i1 > last_end and i1 > i0 and e[i1] >= min_ratio * e[i0]:
            out.append((i0, i1))
            last_end = i1
    return out


@dataclass(frozen=True)
class PlateauFall:
    """What log U does on one plateau of log U_d.

    Attributes
    ----------
    start, end : int
        First and last epoch of the plateau.
    boundary_change : float
        log U_d(end) - log U_d(start).
    bulk_change : float
        log U(end) - log U(start).
    falling_fraction : float
        Fraction of the logged steps inside the plateau on which log U decreases.
    """

    start: int
    end: int
    boundary_change: float
    bulk_change: float
    falling_fraction: float


def plateau_falls(epochs: np.ndarray, log_boundary: np.ndarray, log_bulk: np.ndarray, *,
                  flat: float = 0.1, min_ratio: float = 2.0) -> list[PlateauFall]:
    """log U over every plateau of log U_d (:func:`loss_plateaus`).

    Parameters
    ----------
    epochs : ndarray of int
        Logged epochs.
    log_boundary : ndarray
        log U_d.
    log_bulk : ndarray
        log U (either reading of the bulk loss).
    flat, min_ratio : float
        As :func:`loss_plateaus`.

    Returns
    -------
    list of PlateauFall
        One per plateau.

    Raises
    ------
    ValueError
        As :func:`loss_plateaus`, or log_bulk of another length.
    """
    u = np.asarray(log_bulk, dtype=float)
    if u.shape != np.shape(log_boundary):
        raise ValueError("log_bulk must have the length of log_boundary")
    ud = np.asarray(log_boundary, dtype=float)
    out = []
    for i0, i1 in loss_plateaus(epochs, ud, flat=flat, min_ratio=min_ratio):
        steps = np.diff(u[i0:i1 + 1])
        out.append(PlateauFall(int(epochs[i0]), int(epochs[i1]), float(ud[i1] - ud[i0]),
                               float(u[i1] - u[i0]), float(np.mean(steps < 0))))
    return out


def keeps_falling_on_plateau(epochs: np.ndarray, log_boundary: np.ndarray,
                             log_bulk: np.ndarray, *, flat: float = 0.1,
                             min_ratio: float = 2.0, drop: float = 0.5,
                             monotone: float = 0.75) -> PlateauFall | None:
    """The plateau of U_d on which U falls most, if U keeps falling on it (P1 §10, Fig. 3).

    "Keeps falling": log U drops by at least `drop` over the plateau (U by a factor
    e^drop, 1.65 for 0.5, while U_d changes by at most e^flat) and decreases on at least a
    fraction `monotone` of its logged steps.

    Parameters
    ----------
    epochs : ndarray of int
        Logged epochs.
    log_boundary : ndarray
        log U_d.
    log_bulk : ndarray
        log U.
    flat, min_ratio : float
        As :func:`loss_plateaus`.
    drop : float
        Least fall of log U over the plateau.
    monotone : float
        Least fraction of falling steps.

    Returns
    -------
    PlateauFall or None
        The plateau with the largest fall that qualifies, or None.

    Raises
    ------
    ValueError
        As :func:`plateau_falls`.
    """
    ok = [p for p in plateau_falls(epochs, log_boundary, log_bulk, flat=flat,
                                   min_ratio=min_ratio)
          if p.bulk_change <= -drop and p.falling_fraction >= monotone]
    return min(ok, key=lambda p: p.bulk_change) if ok else None
