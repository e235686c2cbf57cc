"""Widget views over the course's models. Each lesson's explorers live in a module named after its topic:
``from scalelab.widgets import measuring``."""
from .base import Explorer, figure, slider

__all__ = ["Explorer", "figure", "slider"]
