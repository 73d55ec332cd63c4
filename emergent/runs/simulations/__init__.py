"""Registered simulations: every module here calls :func:`emergent.runs.registry.register`.

Modules are discovered automatically; heavy optional imports (TensorFlow, torch) belong inside
their functions so that `emergent list` stays fast.
"""
