"""The Explorer pattern: moving a control recomputes the pure model and updates one kept figure, without a browser."""
import base64

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalelab.models import queueing  # noqa: E402
from scalelab.widgets import base  # noqa: E402
from tests.pixels import decode_png  # noqa: E402


def _setup(fig, params):
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 1)
    ax.set_xlabel("rate (1/s)")
    return {"ax": ax, "point": ax.plot([], [], "o", animated=True)[0]}


def _draw(artists, result, params):
    artists["point"].set_data([params["rate"]], [result])
    if result > 1:  # off the fixed axes: the view widens them
        artists["ax"].set_ylim(0, 2 * result)


def _time_in_system(rate, service_rate=10.0):
    return queueing.mm1(rate, service_rate).mean_time_in_system


def _explorer(**kwargs):
    return base.Explorer(_time_in_system, _draw, {"rate": base.slider(5.0, 0.0, 9.9, 0.1, "arrival rate (1/s)")},
                         setup=_setup, fixed={"service_rate": 10.0}, **kwargs)


def test_moving_a_slider_recomputes_and_redraws():
    explorer = _explorer()
    assert explorer.renders == 1 and explorer.result == pytest.approx(0.2)
    explorer.controls["rate"].value = 8.0
    assert explorer.renders == 2 and explorer.result == pytest.approx(0.5)
    assert explorer.params() == {"service_rate": 10.0, "rate": 8.0}
    assert explorer.last_update_s > 0 and len(explorer.update_times_s) == 2


def test_fixed_axes_blit_and_the_blitted_frame_equals_a_full_redraw():
    explorer = _explorer()
    first = explorer.png
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and explorer.full_draws == 1
    explorer.controls["rate"].value = 7.0
    assert explorer.blits == 1 and explorer.full_draws == 1, "the axes did not change: only the point is redrawn"
    assert explorer.png != first and bytes(explorer.image.value) == explorer.png
    assert np.array_equal(decode_png(explorer.png), decode_png(explorer.redraw_full()))


def test_changed_limits_draw_the_whole_figure_again():
    explorer = _explorer()
    explorer.controls["rate"].value = 9.9  # W = 1 s: still inside the axes
    draws = explorer.full_draws
    explorer.fixed["service_rate"] = 10.5
    explorer.controls["rate"].value = 9.8  # W = 1.43 s: the view widens the y-axis
    assert explorer.full_draws == draws + 1 and explorer.artists["ax"].get_ylim()[1] > 2
    assert np.array_equal(decode_png(explorer.png), decode_png(explorer.redraw_full()))


def test_the_output_carries_a_static_picture_beside_the_widget_view():
    explorer = _explorer()
    explorer.controls["rate"].value = 3.0
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == explorer.png
    assert "VBox" not in bundle["text/plain"]


def test_controls_carry_css_classes_for_the_browser():
    control = base.slider(3, 1, 10, 1, "servers", integer=True)
    explorer = base.Explorer(lambda c: c * 2, lambda r, p: f"{r}", {"c": control}, css_class="lesson-x")
    assert {"lesson-x", "lesson-x-c"} <= set(control._dom_classes)
    control.value = 4
    assert explorer.result == 8


def test_tables_and_text_show_as_escaped_html_and_export_as_html():
    table = base.Explorer(lambda n: pd.DataFrame({"n": [n]}), lambda r, p: r,
                          {"n": base.slider(1, 1, 5, 1, "n", integer=True)})
    assert "<table" in table.text.value and table.image.layout.display == "none"
    assert "<table" in table._repr_mimebundle_()["text/html"] and "image/png" not in table._repr_mimebundle_()
    text = base.Explorer(lambda n: n, lambda r, p: f"n < {r}", {"n": base.slider(1, 1, 5, 1, "n", integer=True)})
    assert text.text.value == "<pre>n &lt; 1</pre>"


def test_a_caption_below_a_figure_exports_with_the_picture():
    def draw(artists, result, params):
        _draw(artists, result, params)
        return f"W = {result:.2f} s <b>"

    explorer = base.Explorer(_time_in_system, draw, {"rate": base.slider(5.0, 0.0, 9.9, 0.1, "rate")}, setup=_setup)
    assert explorer.text.value == "<pre>W = 0.20 s &lt;b&gt;</pre>"
    exported = explorer._repr_mimebundle_()["text/html"]
    assert exported.startswith('<div><img src="data:image/png;base64,') and "W = 0.20 s &lt;b&gt;" in exported


def test_sliders_follow_drags_only_when_an_update_fits_in_a_frame(monkeypatch):
    import time

    slow = base.Explorer(lambda rate: time.sleep(0.03) or rate, lambda r, p: f"{r}",
                         {"rate": base.slider(1.0, 0.0, 5.0, 1.0, "rate")})
    for value in (2.0, 3.0, 4.0):
        slow.controls["rate"].value = value
    assert slow.controls["rate"].continuous_update is False, "a 30 ms update cannot follow a drag at 60 Hz"
    monkeypatch.setattr(base, "FRAME_S", 10.0)  # any update now fits in a "frame"
    fast = _explorer()
    fast.controls["rate"].value = 6.0
    assert fast.controls["rate"].continuous_update is True
