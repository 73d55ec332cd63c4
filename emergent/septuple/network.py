"""The neural septuple (x, P_in, P_out, w, b, f, H) of P1 §2 and P2 §2.

A :class:`NeuralSeptuple` holds the network part of the septuple: the index sets of input,
output and hidden neurons (the projections P_in, P_out and the bulk projection), the weight
matrix w, the bias vector b and the activation map f. The state vector x is the array the
methods act on and the loss H lives in :mod:`emergent.septuple.losses`.

Conventions (physicists' column vectors, P1 footnote 1): w_ij is the weight of the connection
from neuron j to neuron i, so one step of the dynamics is x(t+1) = f(w x(t) + b) (P1 2.5).
Batches of states are stored as rows, x.shape == (S, N), and a step is f(x @ w.T + b).

Storage: a net built with :meth:`NeuralSeptuple.from_layers` keeps its per-layer blocks (the
Keras kernel layout, (n_l, n_{l+1})) and never forms an N x N matrix; a net built with
:meth:`NeuralSeptuple.from_matrix` keeps w as a scipy.sparse CSR matrix. The sparse N x N
matrix of a layered net is built on demand only (property :attr:`NeuralSeptuple.w`).
A septuple copies its weights on construction and caches products of them: treat it as
immutable (build a new one after a training step).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from emergent.septuple.activations import Activation, get_activation

__all__ = ["NeuralSeptuple", "random_septuple"]

Array = np.ndarray


def _finite(name: str, a: Array) -> None:
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf entries)")


def _index(name: str, idx, n: int) -> Array:
    a = np.asarray(idx if idx is not None else [], dtype=np.int64).ravel()
    if a.size and (a.min() < 0 or a.max() >= n):
        raise ValueError(f"{name} must hold neuron indices in [0, {n - 1}]")
    if np.unique(a).size != a.size:
        raise ValueError(f"{name} must not repeat an index")
    return np.sort(a)


class NeuralSeptuple:
    """A neural network as the septuple of P1 §2 (without the state x and the loss H).

    Build with :meth:`from_layers` (a feed-forward MLP) or :meth:`from_matrix` (any N x N w).

    Attributes
    ----------
    n : int
        N, the number of neurons.
    input_index, output_index, hidden_index : ndarray of int
        The neurons spanning V_in, V_out and the bulk V_hid (sorted).
    bias : ndarray, shape (N,)
        b (P1 2.5). Input neurons get bias 0 unless given.
    activation : Activation
        f (P1 2.6).
    layer_sizes : tuple of int or None
        (n_0, ..., n_{L-1}) for a layered net, else None.
    """

    def __init__(
        self,
        *,
        n: int,
        input_index: Array,
        output_index: Array,
        bias: Array,
        activation: Activation,
        blocks: Sequence[Array] | None = None,
        layer_sizes: Sequence[int] | None = None,
        w: sp.csr_matrix | None = None,
    ) -> None:
        self.n = int(n)
        self.input_index = input_index
        self.output_index = output_index
        boundary = np.zeros(self.n, dtype=bool)
        boundary[input_index] = True
        boundary[output_index] = True
        self.hidden_index = np.flatnonzero(~boundary)
        self.bias = bias
        self.activation = activation
        self._blocks = None if blocks is None else tuple(blocks)  # physics layout (n_{l+1}, n_l)
        self.layer_sizes = None if layer_sizes is None else tuple(int(s) for s in layer_sizes)
        self._w = w
        if self.layer_sizes is not None:
            self.layer_offsets = np.concatenate([[0], np.cumsum(self.layer_sizes)]).astype(int)
        else:
            self.layer_offsets = None
        self._incoming: Array | None = None
        self._gram0: Array | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_layers(
        cls,
        weights: Sequence[Array],
        biases: Sequence[Array],
        activation: str | Activation = "tanh",
        *,
        input_bias: Array | None = None,
    ) -> NeuralSeptuple:
        """A feed-forward net with L = len(weights) + 1 layers (P1 2.1-2.3, the P1 §10 layout).

        Neurons are numbered layer by layer: layer 0 is the input layer, layer L-1 the output layer.

        Parameters
        ----------
        weights : sequence of ndarray(shape=[n_l, n_{l+1}])
            The Keras kernel layout (a PyTorch ``Linear.weight`` is its transpose).
        biases : sequence of ndarray(shape=[n_{l+1}])
            The biases b of the non-input layers (P1 2.5).
        activation : str or Activation
            f (P1 2.6).
        input_bias : ndarray(shape=[n_0]), optional
            b on the input neurons (default 0; see the input-bias condition 2.8).

        Returns
        -------
        NeuralSeptuple
            The septuple with N = sum of the layer sizes.

        Raises
        ------
        ValueError
            No layers, mismatched shapes, or non-finite weights or biases.
        """
        if len(weights) == 0:
            raise ValueError("weights must hold at least one layer matrix")
        if len(biases) != len(weights):
            raise ValueError("biases must have one entry per weight matrix (len(weights))")
        sizes = []
        blocks = []
        for k, wk in enumerate(weights):
            wk = np.asarray(wk, dtype=float)
            if wk.ndim != 2:
                raise ValueError(f"weights[{k}] must be a 2-d array (n_l, n_l+1)")
            if k == 0:
                sizes.append(wk.shape[0])
            elif wk.shape[0] != sizes[-1]:
                raise ValueError(
                    f"weights[{k}] has {wk.shape[0]} rows but layer {k} has {sizes[-1]} neurons"
                )
            _finite(f"weights[{k}]", wk)
            sizes.append(wk.shape[1])
            blocks.append(np.array(wk.T, order="C"))  # a copy: the septuple is immutable
        n = int(sum(sizes))
        b = np.zeros(n)
        off = sizes[0]
        for k, bk in enumerate(biases):
            bk = np.asarray(bk, dtype=float).ravel()
            if bk.shape != (sizes[k + 1],):
                raise ValueError(f"biases[{k}] must have shape ({sizes[k + 1]},), got {bk.shape}")
            _finite(f"biases[{k}]", bk)
            b[off : off + sizes[k + 1]] = bk
            off += sizes[k + 1]
        if input_bias is not None:
            ib = np.asarray(input_bias, dtype=float).ravel()
            if ib.shape != (sizes[0],):
                raise ValueError(f"input_bias must have shape ({sizes[0]},)")
            _finite("input_bias", ib)
            b[: sizes[0]] = ib
        return cls(
            n=n,
            input_index=np.arange(sizes[0]),
            output_index=np.arange(n - sizes[-1], n),
            bias=b,
            activation=get_activation(activation),
            blocks=blocks,
            layer_sizes=sizes,
        )

    @classmethod
    def from_matrix(
        cls,
        w,
        b: Array,
        input_index,
        output_index,
        activation: str | Activation = "tanh",
    ) -> NeuralSeptuple:
        """A net with a general N x N weight matrix (dense array or scipy.sparse) (P1 2.1-2.5).

        Parameters
        ----------
        w : array_like or scipy.sparse matrix, shape (N, N)
            w[i, j] is the weight from neuron j to neuron i (P1 2.5).
        b : ndarray(shape=[N])
            The biases.
        input_index, output_index : array_like of int
            Disjoint index sets of the input and output neurons (P_in, P_out).
        activation : str or Activation
            f (P1 2.6).

        Returns
        -------
        NeuralSeptuple
            The septuple, w stored as CSR.

        Raises
        ------
        ValueError
            A non-square or non-finite w, a b of the wrong shape, or bad index sets.
        """
        if sp.issparse(w):
            wm = sp.csr_matrix(w, dtype=float)
        else:
            wa = np.asarray(w, dtype=float)
            if wa.ndim != 2:
                raise ValueError("w must be a 2-d N x N matrix")
            wm = sp.csr_matrix(wa)
        if wm.shape[0] != wm.shape[1]:
            raise ValueError(f"w must be square (N x N), got shape {wm.shape}")
        n = wm.shape[0]
        _finite("w", wm.data)
        wm.eliminate_zeros()
        b = np.asarray(b, dtype=float).ravel()
        if b.shape != (n,):
            raise ValueError(f"b must have shape ({n},) to match w, got {b.shape}")
        _finite("b", b)
        iin = _index("input_index", input_index, n)
        iout = _index("output_index", output_index, n)
        if np.intersect1d(iin, iout).size:
            raise ValueError("input_index and output_index must be disjoint")
        return cls(
            n=n,
            input_index=iin,
            output_index=iout,
            bias=b,
            activation=get_activation(activation),
            w=wm,
        )

    # ------------------------------------------------------------------ structure
    @property
    def is_layered(self) -> bool:
        """Whether the net was built by :meth:`from_layers`.

        Returns
        -------
        bool
            True for a layered net (blocks stored, no N x N matrix).
        """
        return self._blocks is not None

    @property
    def blocks(self) -> tuple[Array, ...] | None:
        """Per-layer weight blocks in the physics layout (n_{l+1}, n_l).

        Returns
        -------
        tuple of ndarray or None
            The blocks, or None for a net built from a matrix.
        """
        return self._blocks

    @property
    def w(self) -> sp.csr_matrix:
        """w as a sparse N x N CSR matrix (P1 2.5; built once for a layered net).

        Returns
        -------
        scipy.sparse.csr_matrix
            w[i, j], the weight from neuron j to neuron i.
        """
        if self._w is None:
            rows, cols, vals = [], [], []
            offs = self.layer_offsets
            for k, blk in enumerate(self._blocks):
                r, c = np.nonzero(blk)
                rows.append(r + offs[k + 1])
                cols.append(c + offs[k])
                vals.append(blk[r, c])
            self._w = sp.csr_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(self.n, self.n),
            )
        return self._w

    def first_layer_gram(self) -> Array:
        """W_0 W_0^T of the first weight block of a layered net (cached).

        The low-rank spectrum of G (P1 5.6) needs only this product of the big input block.

        Returns
        -------
        ndarray(shape=[n_1, n_1])
            The Gram matrix.

        Raises
        ------
        ValueError
            The net is not layered.
        """
        if not self.is_layered:
            raise ValueError("first_layer_gram needs a layered net (from_layers)")
        if self._gram0 is None:
            w0 = self._blocks[0]
            self._gram0 = w0 @ w0.T
        return self._gram0

    @property
    def incoming_index(self) -> Array:
        """Neurons with incoming weights: the non-zero rows of w.

        For a layered net all neurons outside layer 0. Only these rows of f'w are non-zero (P1 5.6).

        Returns
        -------
        ndarray of int
            The sorted neuron indices.
        """
        if self._incoming is None:
            if self.is_layered:
                self._incoming = np.arange(self.layer_sizes[0], self.n)
            else:
                self._incoming = np.flatnonzero(np.diff(self.w.indptr) > 0)
        return self._incoming

    def projection(self, kind: str) -> sp.dia_matrix:
        """The projection P_in, P_out, P_in + P_out or P_bulk = I - P_in - P_out (P1 §2).

        Parameters
        ----------
        kind : str
            "in", "out", "boundary" or "bulk".

        Returns
        -------
        scipy.sparse.dia_matrix
            The diagonal N x N projection.

        Raises
        ------
        ValueError
            An unknown kind.
        """
        d = np.zeros(self.n)
        if kind == "in":
            d[self.input_index] = 1
        elif kind == "out":
            d[self.output_index] = 1
        elif kind == "boundary":
            d[self.input_index] = 1
            d[self.output_index] = 1
        elif kind == "bulk":
            d[self.hidden_index] = 1
        else:
            raise ValueError("kind must be one of 'in', 'out', 'boundary', 'bulk'")
        return sp.diags(d)

    def submatrix(self, rows: Array, cols: Array) -> Array:
        """The dense block w[rows][:, cols] (P1 2.5), without forming w.

        Parameters
        ----------
        rows, cols : array_like of int
            Neuron indices.

        Returns
        -------
        ndarray(shape=[len(rows), len(cols)])
            The block.
        """
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        if not self.is_layered:
            return self.w[rows][:, cols].toarray()
        out = np.zeros((rows.size, cols.size))
        offs = self.layer_offsets
        rl = np.searchsorted(offs, rows, side="right") - 1
        cl = np.searchsorted(offs, cols, side="right") - 1
        for k, blk in enumerate(self._blocks):
            ri = np.flatnonzero(rl == k + 1)
            ci = np.flatnonzero(cl == k)
            if ri.size and ci.size:
                out[np.ix_(ri, ci)] = blk[np.ix_(rows[ri] - offs[k + 1], cols[ci] - offs[k])]
        return out

    def nilpotency_index(self) -> int | None:
        """The smallest L with w^L = (w^T)^L = 0, from the connection graph (P1 2.1).

        This is the number of layers: 1 + the longest directed path.

        Returns
        -------
        int or None
            L, or None if the graph has a cycle (w is then not structurally nilpotent).
        """
        if self.is_layered:
            nonzero = [bool(np.any(blk)) for blk in self._blocks]
            longest, run = 0, 0
            for nz in nonzero:
                run = run + 1 if nz else 0
                longest = max(longest, run)
            return longest + 1
        w = self.w
        wc = w.tocsc()
        indeg = np.diff(w.indptr).astype(np.int64)
        frontier = np.flatnonzero(indeg == 0)
        done = 0
        levels = 0
        while frontier.size:
            done += frontier.size
            levels += 1
            starts, ends = wc.indptr[frontier], wc.indptr[frontier + 1]
            targets = np.concatenate([wc.indices[s:e] for s, e in zip(starts, ends, strict=True)])
            if targets.size == 0:
                break
            np.subtract.at(indeg, targets, 1)
            cand = np.unique(targets)
            frontier = cand[indeg[cand] == 0]
        if done < self.n:
            return None
        return levels

    def feedforward_conditions(self) -> dict[str, bool | int | None]:
        """Check the feed-forward conditions of P1 (2.1)-(2.3).

        Returns
        -------
        dict
            {"2.1": w nilpotent, "layers": L (or None), "2.2": P_in w = 0 (no incoming connections
            to inputs), "2.3": P_out w^T = 0 (no outgoing connections from outputs)}.
        """
        layers = self.nilpotency_index()
        if self.is_layered:
            no_in = True
            no_out = True
        else:
            w = self.w
            no_in = not np.any(np.diff(w.indptr)[self.input_index])
            no_out = not np.any(np.diff(w.tocsc().indptr)[self.output_index])
        return {
            "2.1": layers is not None,
            "layers": layers,
            "2.2": bool(no_in),
            "2.3": bool(no_out),
        }

    # ------------------------------------------------------------------ dynamics
    def _states(self, x: Array, name: str = "x") -> Array:
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.n:
            raise ValueError(f"{name} must have shape (S, {self.n}), got {x.shape}")
        return x

    def _inputs(self, x_in: Array) -> Array:
        x_in = np.asarray(x_in, dtype=float)
        if x_in.ndim == 1:
            x_in = x_in[None, :]
        n_in = self.input_index.size
        if x_in.ndim != 2 or x_in.shape[1] != n_in:
            raise ValueError(f"x_in must have shape (S, {n_in}), got {x_in.shape}")
        _finite("x_in", x_in)
        return x_in

    def preactivation(self, x: Array) -> Array:
        """y = w x + b (P1 2.5) for a batch of states.

        Parameters
        ----------
        x : ndarray(shape=[S, N]) or ndarray(shape=[N])
            States.

        Returns
        -------
        ndarray(shape=[S, N])
            The pre-activations.

        Raises
        ------
        ValueError
            x of the wrong shape.
        """
        x = self._states(x)
        if self.is_layered:
            y = np.broadcast_to(self.bias, x.shape).copy()
            offs = self.layer_offsets
            for k, blk in enumerate(self._blocks):
                y[:, offs[k + 1] : offs[k + 2]] += x[:, offs[k] : offs[k + 1]] @ blk.T
            return y
        return np.asarray(self.w @ x.T).T + self.bias

    def initial_state(self, x_in: Array) -> Array:
        """x(0) = P_in x_boundary (P1 2.4).

        Parameters
        ----------
        x_in : ndarray(shape=[S, n_in]) or ndarray(shape=[n_in])
            The input data.

        Returns
        -------
        ndarray(shape=[S, N])
            The initial states (zero outside the input neurons).

        Raises
        ------
        ValueError
            x_in of the wrong shape or not finite.
        """
        x_in = self._inputs(x_in)
        x0 = np.zeros((x_in.shape[0], self.n))
        x0[:, self.input_index] = x_in
        return x0

    def forward(self, x: Array, steps: int = 1, *, clamp_inputs: bool = True) -> Array:
        """``steps`` steps of x(t+1) = f(w x(t) + b) (P1 2.5).

        Parameters
        ----------
        x : ndarray(shape=[S, N])
            The states x(0).
        steps : int
            Number of steps, >= 0.
        clamp_inputs : bool
            Keep the input components fixed (P1 2.7), i.e. assume the input-bias condition (2.8)
            f(P_in b) = P_in x_boundary holds sample by sample; with False the step (2.5) is applied
            to every neuron literally.

        Returns
        -------
        ndarray(shape=[S, N])
            x(steps).

        Raises
        ------
        ValueError
            steps < 0 or x of the wrong shape.
        """
        if steps < 0:
            raise ValueError("steps must be >= 0")
        x = self._states(x).copy()
        f = self.activation.f
        for _ in range(steps):
            new = f(self.preactivation(x))
            if clamp_inputs:
                new[:, self.input_index] = x[:, self.input_index]
            x = new
        return x

    def fixed_point(
        self, x_in: Array, *, tol: float = 1e-12, max_steps: int | None = None
    ) -> Array:
        """The fixed state x_bar = f(w x_bar + b) (P1 2.9) reached from x(0) = P_in x_in (2.4).

        Input neurons stay at x_in (P1 2.7-2.8). A layered net is swept layer by layer (exact after
        L - 1 steps); a general net iterates (2.5) until max |x(t+1) - x(t)| <= tol.

        Parameters
        ----------
        x_in : ndarray(shape=[S, n_in]) or ndarray(shape=[n_in])
            The input data.
        tol : float
            Convergence threshold of a general net.
        max_steps : int, optional
            Step limit of a general net (default: L + 1 for a nilpotent w, else 10,000).

        Returns
        -------
        ndarray(shape=[S, N])
            x_bar.

        Raises
        ------
        ValueError
            No convergence within max_steps, max_steps < 1, or x_in of the wrong shape.
        """
        x0 = self.initial_state(x_in)
        if self.is_layered:
            x = x0
            offs = self.layer_offsets
            f = self.activation.f
            for k, blk in enumerate(self._blocks):
                y = x[:, offs[k] : offs[k + 1]] @ blk.T + self.bias[offs[k + 1] : offs[k + 2]]
                x[:, offs[k + 1] : offs[k + 2]] = f(y)
            return x
        if max_steps is None:
            layers = self.nilpotency_index()
            max_steps = layers + 1 if layers is not None else 10_000
        if max_steps < 1:
            raise ValueError("max_steps must be >= 1")
        x = x0
        for _ in range(max_steps):
            new = self.forward(x, 1)
            delta = np.max(np.abs(new - x)) if new.size else 0.0
            x = new
            if not np.isfinite(delta):
                break
            if delta <= tol:
                return x
        raise ValueError(
            f"fixed_point: the dynamics (P1 2.5) did not converge to tol={tol} within "
            f"max_steps={max_steps}; allowed: a larger max_steps or a contracting network"
        )

    def input_bias_residual(self, x_in: Array) -> Array:
        """max_i |f(b_i) - x_in,i| over the inputs: zero iff the input-bias condition (P1 2.8)
        holds.

        Parameters
        ----------
        x_in : ndarray(shape=[S, n_in])
            The input data.

        Returns
        -------
        ndarray(shape=[S])
            The residual per sample.
        """
        x_in = self._inputs(x_in)
        return np.max(np.abs(self.activation.f(self.bias[self.input_index]) - x_in), axis=1)

    def __repr__(self) -> str:
        kind = f"layers={self.layer_sizes}" if self.is_layered else f"nnz={self.w.nnz}"
        return (
            f"NeuralSeptuple(N={self.n}, n_in={self.input_index.size}, "
            f"n_out={self.output_index.size}, {kind}, f={self.activation.name})"
        )


def random_septuple(
    sizes: Sequence[int],
    rng: np.random.Generator,
    *,
    weight_scale: float = 1.0,
    bias_scale: float = 0.1,
    activation: str | Activation = "tanh",
) -> NeuralSeptuple:
    """A random layered net, the ensemble of random nets of P1 §9 (9.5-9.6, 9.11).

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes (n_0, ..., n_{L-1}); N = sum(sizes).
    rng : numpy.random.Generator
        Source of the weights (drawn first, layer by layer) and then of the biases.
    weight_scale : float
        w ~ N(0, weight_scale^2 / fan_in) (the Keras layout (n_l, n_{l+1})).
    bias_scale : float
        b ~ N(0, bias_scale^2) on every non-input neuron.
    activation : str or Activation
        f (P1 2.6).

    Returns
    -------
    NeuralSeptuple
        ``NeuralSeptuple.from_layers(weights, biases, activation)``.
    """
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * weight_scale / np.sqrt(a) for a, b in pairs]
    bias = [rng.normal(size=n) * bias_scale for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, bias, activation=activation)
