"""The widget pattern of the course: a pure ``compute(**params) -> result`` plus a ``draw(result, params)`` view.

``Explorer`` wires sliders to them: moving a control recomputes and redraws. Tests drive it without a browser by
setting ``explorer.controls[name].value`` and reading ``explorer.result`` / ``explorer.renders``.

The view is shown in an ``Image`` widget (figures, as PNG) or an ``HTML`` widget (tables, text), never by capturing
output in an ``Output`` widget: that capture can leave a headless notebook run waiting forever for the cell to end.
"""
import html
import io
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display


class Explorer:
    """Controls + an output area bound to a pure compute function and a drawing function.

    compute: ``compute(**params)`` returning any result (pure, no I/O);
    draw: ``draw(result, params)`` returning a matplotlib Figure, a DataFrame or a string;
    controls: {parameter name: ipywidget with a ``value``}; css_class: added to each control (for browser tests).
    """

    def __init__(self, compute, draw, controls, css_class="scalelab-explorer", fixed=None):
        self.compute, self.draw = compute, draw
        self.controls = dict(controls)
        self.fixed = dict(fixed or {})
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.text = widgets.HTML()
        self.output = widgets.Box([self.image, self.text])
        self.output.add_class(f"{css_class}-output")
        for name, control in self.controls.items():
            control.add_class(css_class)
            control.add_class(f"{css_class}-{name}")
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values()),
                                                 layout=widgets.Layout(flex_flow="row wrap")), self.output])
        self.result, self.renders, self.last_update_s = None, 0, 0.0
        self._layout = (None, [])  # (layout key, axes positions) of the last laid-out figure
        self.update()

    def params(self):
        """Current parameter values: the controls' values plus the fixed ones."""
        return {**self.fixed, **{name: control.value for name, control in self.controls.items()}}

    def update(self):
        """Recompute and redraw; records the time taken in ``last_update_s`` (seconds)."""
        start = time.perf_counter()
        params = self.params()
        self.result = self.compute(**params)
        view = self.draw(self.result, params)
        self._show(view)
        if isinstance(view, plt.Figure):
            plt.close(view)
        self.renders += 1
        self.last_update_s = time.perf_counter() - start
        return self.result

    def _show(self, view):
        """Put the view in the output area: a figure as one PNG image, a DataFrame as a table, anything else as text."""
        if isinstance(view, plt.Figure):
            self.image.value = self._png(view)
            self.image.layout.display, self.text.layout.display = None, "none"
            return
        if isinstance(view, pd.DataFrame):
            self.text.value = view.to_html()
        else:
            self.text.value = f"<pre>{html.escape(str(view))}</pre>"
        self.image.layout.display, self.text.layout.display = "none", None

    def _png(self, fig):
        """Render a figure to PNG bytes. The constrained layout is solved once and reused while the figure keeps the
        same size, axes, labels and order of magnitude of its limits: solving it costs a second full draw."""
        key = _layout_key(fig)
        if key == self._layout[0]:
            fig.set_layout_engine("none")
            for ax, position in zip(fig.axes, self._layout[1]):
                ax.set_position(position)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        if key != self._layout[0]:
            self._layout = (key, [ax.get_position() for ax in fig.axes])
        return buffer.getvalue()

    def _on_change(self, _change):
        self.update()

    def _ipython_display_(self):
        display(self.widget)


def _layout_key(fig):
    """What decides a figure's layout: size, and per axes its labels, title and the magnitude of its limits."""
    import math

    def magnitude(limits):
        return tuple(int(math.floor(math.log10(abs(x)))) if x and math.isfinite(x) else 0 for x in limits)

    return (tuple(fig.get_size_inches()), tuple(
        (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), magnitude(ax.get_xlim()), magnitude(ax.get_ylim()),
         ax.get_legend() is not None) for ax in fig.axes))


def slider(value, low, high, step, description, integer=False, readout_format=None):
    """A float (or int) slider wide enough for its description."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    kwargs = dict(value=value, min=low, max=high, step=step, description=description, continuous_update=False,
                  style={"description_width": "initial"}, layout=widgets.Layout(width="360px"))
    if readout_format and not integer:
        kwargs["readout_format"] = readout_format
    return cls(**kwargs)


def figure(width=7.0, height=3.2):
    """A small figure and axes sized for a widget view."""
    return plt.subplots(figsize=(width, height), dpi=90, layout="constrained")
