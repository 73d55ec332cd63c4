"""MNIST experiments of P1 §10 and the framework-free analysis of any trained feed-forward net.

Modules: :mod:`~emergent.learning.data` (offline MNIST loaders), :mod:`~emergent.learning.networks`
(the paper's nets in Keras and the trainer interface), :mod:`~emergent.learning.numpy_backend`
(the same model in NumPy), :mod:`~emergent.learning.mapping` (trained net -> neural septuple),
:mod:`~emergent.learning.callback` (thermodynamics of the septuple while it learns).
TensorFlow is imported only by the Keras backends.
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
