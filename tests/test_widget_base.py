"""The Explorer pattern: moving a control recomputes the pure model and redraws, without a browser."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab.models import queueing  # noqa: E402
from scalelab.widgets import base  # noqa: E402


def _draw(result, params):
    fig, ax = base.figure()
    ax.bar(["W"], [result])
    return fig


def test_moving_a_slider_recomputes_and_redraws():
    explorer = base.Explorer(lambda rate, service_rate: queueing.mm1(rate, service_rate).mean_time_in_system,
                             _draw, {"rate": base.slider(5.0, 0.0, 9.0, 0.5, "arrival rate (1/s)")},
                             fixed={"service_rate": 10.0})
    assert explorer.renders == 1 and explorer.result == pytest.approx(0.2)
    explorer.controls["rate"].value = 8.0
    assert explorer.renders == 2 and explorer.result == pytest.approx(0.5)
    assert explorer.params() == {"service_rate": 10.0, "rate": 8.0}
    assert explorer.last_update_s > 0


def test_controls_carry_css_classes_for_the_browser():
    control = base.slider(3, 1, 10, 1, "servers", integer=True)
    explorer = base.Explorer(lambda c: c * 2, lambda r, p: f"{r}", {"c": control}, css_class="lesson-x")
    assert {"lesson-x", "lesson-x-c"} <= set(control._dom_classes)
    control.value = 4
    assert explorer.result == 8


def test_figures_show_as_png_and_tables_as_html():
    explorer = base.Explorer(lambda rate: rate * 2, _draw, {"rate": base.slider(1.0, 0.0, 5.0, 1.0, "rate")})
    first = explorer.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and explorer.text.layout.display == "none"
    explorer.controls["rate"].value = 4.0
    assert explorer.image.value != first

    import pandas as pd

    table = base.Explorer(lambda n: pd.DataFrame({"n": [n]}), lambda r, p: r, {"n": base.slider(1, 1, 5, 1, "n", integer=True)})
    assert "<table" in table.text.value and table.image.layout.display == "none"
    text = base.Explorer(lambda n: n, lambda r, p: f"n < {r}", {"n": base.slider(1, 1, 5, 1, "n", integer=True)})
    assert text.text.value == "<pre>n &lt; 1</pre>"
