"""emergent: simulations and symbolic checks of Vanchurin's neural-network physics.

P1: V. Vanchurin, "Towards a theory of machine learning", arXiv:2004.09280.
P2: V. Vanchurin, "The World as a Neural Network", Entropy 22 (2020) 1210, arXiv:2008.01540.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
