"""Every Explorer of the course, driven headlessly: each control changes the view, a blitted frame equals a full
redraw of the same state, and the output carries a static picture for exports."""
import base64

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scalelab import perf  # noqa: E402
from scalelab.widgets import base  # noqa: E402
from tests.pixels import decode_png  # noqa: E402

EXPLORERS = {name: (factory, kwargs) for name, factory, kwargs in perf._explorer_factories()}


def test_every_explorer_is_found():
    assert len(EXPLORERS) >= 27, sorted(EXPLORERS)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_each_control_changes_the_view_and_blits_match_a_full_redraw(name):
    factory, kwargs = EXPLORERS[name]
    explorer = factory(**kwargs)
    assert isinstance(explorer, base.Explorer)
    for param, control in explorer.controls.items():
        before = (explorer.png, explorer.text.value)
        perf._nudge(control)
        perf._nudge(control)  # two steps: a control can wrap around to where it was
        assert (explorer.png, explorer.text.value) != before, f"{name}: moving {param} changed nothing on screen"
        if explorer.figure is not None:
            shown = decode_png(explorer.png)
            full = decode_png(explorer.redraw_full())
            differ = np.mean(np.any(shown != full, axis=-1))
            assert differ == 0, f"{name}: after moving {param}, {differ:.2%} of the blitted pixels differ from a " \
                                "full redraw (an artist changed without being marked animated?)"


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_the_output_carries_a_static_view(name):
    factory, kwargs = EXPLORERS[name]
    bundle = factory(**kwargs)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "image/png" in bundle or "<table" in bundle.get("text/html", "") or "<pre>" in bundle.get("text/html", "")
    if "image/png" in bundle:
        assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_capstone_explorers_are_covered():
    assert {"capstone.tiers_explorer", "capstone.plan_explorer"} <= set(EXPLORERS)
