"""MNIST experiments of P1 §10 and the framework-free analysis of any trained feed-forward net.

Modules: :mod:`~emergent.learning.data` (offline MNIST loaders), :mod:`~emergent.learning.networks`
(the paper's nets in Keras and the trainer interface), :mod:`~emergent.learning.numpy_backend`
(the same model in NumPy), :mod:`~emergent.learning.training` (training as a stepper over epochs,
:func:`train`), :mod:`~emergent.learning.mapping` (trained net -> neural septuple),
:mod:`~emergent.learning.callback` (the septuple's thermodynamics while it learns, :func:`analyse`),
:mod:`~emergent.learning.laws` (the laws of learning along a trajectory, P1 7.6, 7.11, 10.1).
TensorFlow is imported only by the Keras backends.

Example: train a NumPy net for a second and analyse it (P1 2.11, 3.2, 5.6, 7.8, 9.5-9.6, 10.5);
``analyse`` takes a Keras or PyTorch model just as well.

>>> import emergent.learning as learning
>>> x, y = learning.digits(300, seed=0)
>>> net = learning.train("shallow", x, y, epochs=3).final
>>> report = learning.analyse(net, x[:100], y[:100])
>>> abs(report["log_det"]) < 1e-9, report["eigenvalues"].shape
(True, (130,))
"""

from emergent.learning.callback import SeptupleRecorder, analyse, keras_callback
from emergent.learning.data import digits, encode_targets, load_bundled, load_mnist, training_split
from emergent.learning.mapping import to_septuple
from emergent.learning.networks import make_trainer
from emergent.learning.training import TrainingStepper, train

__all__ = [
    "SeptupleRecorder",
    "TrainingStepper",
    "analyse",
    "digits",
    "encode_targets",
    "keras_callback",
    "load_bundled",
    "load_mnist",
    "make_trainer",
    "to_septuple",
    "train",
    "training_split",
]
