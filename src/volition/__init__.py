"""volition: the economics of AI alignment as working software.

Layers (see docs/design.md): ``volition.core`` (the exact value-of-information kernel), and on
top of it mechanisms, games, agents, the bazaar platform and experiments.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
