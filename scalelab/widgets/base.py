"""The widget pattern of the course: a pure ``compute(**params) -> result`` and a view that shows the result.

Every view module in ``scalelab.widgets`` names its parts after the view ``<view>``:

- ``<view>_compute(**params)``: pure and validated (``ValueError`` naming the argument), unit-tested on its own;
- ``<view>_setup(fig, params) -> artists``: builds the axes, fixed limits, labels and the artists that move, once;
- ``<view>_draw(artists, result, params)``: updates those artists (``set_data``, ``set_text``, ``set_height`` ...);
- ``<view>_explorer(...) -> Explorer``: the controls wired to the three.

A table or text view has no ``setup``: its ``<view>_draw(result, params)`` returns a DataFrame or a string.

``Explorer`` keeps one matplotlib figure per view and, on every control move, recomputes, updates the artists and
re-renders only what moved: artists marked ``animated=True`` are drawn on a saved background (blitting) while the
axes' limits, labels and texts stay as they were; otherwise the figure is drawn again, and its layout is solved again
only when labels or the magnitude of the limits changed. The picture goes to an ``Image`` widget as PNG (Pillow,
``compress_level=1``), never through an ``Output`` widget: that capture can leave a headless notebook run waiting
forever for the cell to end.

Displayed in a notebook, an Explorer's output carries its widget view *and* a static ``image/png`` of its view at
that moment, so an HTML export, a notebook viewer or a reader without a kernel still sees the figure.

Tests drive it without a browser by setting ``explorer.controls[name].value`` and reading ``explorer.result``,
``explorer.renders`` and ``explorer.png``.
"""
import base64
import html
import io
import math
import statistics
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

FRAME_S = 1 / 60          # one frame at 60 Hz: updates faster than this follow a slider while it is dragged
_RECENT_UPDATES = 5       # how many recent updates decide whether sliders update while dragged


class Explorer:
    """Controls bound to a pure compute function and a view that is updated, not rebuilt.

    compute: ``compute(**params)`` returning any result (pure, no I/O);
    draw: with ``setup``, ``draw(artists, result, params)`` updating the artists ``setup`` made (it may return a
    string or DataFrame shown below the figure); without ``setup``, ``draw(result, params)`` returning a DataFrame
    or a string (a table or text view);
    setup: ``setup(fig, params)`` building the view once on a fresh matplotlib ``Figure``; returns the artists
    ``draw`` updates (any object). Mark the artists that move with ``animated=True``;
    controls: {parameter name: ipywidget with a ``value``}; fixed: parameters that no control moves;
    css_class: added to each control (for browser tests); size_in: figure size in inches; dpi: pixels per inch.
    """

    def __init__(self, compute, draw, controls, setup=None, css_class="scalelab-explorer", fixed=None,
                 size_in=(7.0, 3.2), dpi=90):
        self.compute, self.draw, self.setup = compute, draw, setup
        self.controls = dict(controls)
        self.fixed = dict(fixed or {})
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.text = widgets.HTML()
        self.output = widgets.Box([self.image, self.text], layout=widgets.Layout(flex_flow="column"))
        self.output.add_class(f"{css_class}-output")
        self.output.add_class("sl-explorer-output")
        for name, control in self.controls.items():
            control.add_class("sl-explorer-control")
            control.add_class(css_class)
            control.add_class(f"{css_class}-{name}")
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values()),
                                                 layout=widgets.Layout(flex_flow="row wrap")), self.output])
        self.widget.add_class("sl-explorer")
        self.result, self.renders, self.last_update_s, self.update_times_s = None, 0, 0.0, []
        self.png, self.full_draws, self.blits = b"", 0, 0
        self.figure = self.artists = None
        self._static, self._layout, self._background = None, None, None
        if setup is not None:
            self.figure = Figure(figsize=size_in, dpi=dpi, layout="constrained")
            FigureCanvasAgg(self.figure)
            self.artists = setup(self.figure, self.params())
        self.update()

    def params(self):
        """Current parameter values: the controls' values plus the fixed ones."""
        return {**self.fixed, **{name: control.value for name, control in self.controls.items()}}

    def update(self):
        """Recompute and redraw; records the time taken in ``last_update_s`` (seconds)."""
        start = time.perf_counter()
        params = self.params()
        self.result = self.compute(**params)
        if self.figure is None:
            self._show_text(self.draw(self.result, params))  # a table view: a DataFrame or text, no figure
            self.image.layout.display = "none"
        else:
            caption = self.draw(self.artists, self.result, params)
            self.png = self._render()
            self.image.value = self.png
            self._show_text(caption)
        self.renders += 1
        self.last_update_s = time.perf_counter() - start
        self.update_times_s = (self.update_times_s + [self.last_update_s])[-50:]
        self._follow_drags()
        return self.result

    def redraw_full(self):
        """Draw the whole figure again, as without blitting, and return its PNG bytes (to check a blitted frame)."""
        self._static = None
        return self._render()

    def _render(self):
        """Draw what changed and return the figure as PNG bytes."""
        fig = self.figure
        canvas = fig.canvas
        moving = _animated_artists(fig)
        static = _static_key(fig)
        if static == self._static and self._background is not None:
            canvas.restore_region(self._background)
            self.blits += 1
        else:
            layout = _layout_key(fig)
            if layout != self._layout:
                fig.set_layout_engine("constrained")
            canvas.draw()  # draws every artist but the animated ones
            fig.set_layout_engine("none")
            self._layout, self._static = layout, static
            self._background = canvas.copy_from_bbox(fig.bbox)
            self.full_draws += 1
        for artist in sorted(moving, key=lambda a: a.get_zorder()):
            fig.draw_artist(artist)
        return _encode_png(canvas)

    def _show_text(self, view):
        """Show a DataFrame as a table or anything else as escaped text below the figure (nothing for None)."""
        if view is None:
            self.text.value, self.text.layout.display = "", "none"
            return
        self.text.value = view.to_html() if isinstance(view, pd.DataFrame) else f"<pre>{html.escape(str(view))}</pre>"
        self.text.layout.display = None

    def _follow_drags(self):
        """Let sliders update while dragged when recent updates each fit in one frame; else only on release."""
        recent = statistics.median(self.update_times_s[-_RECENT_UPDATES:])
        follow = recent <= FRAME_S and self.renders > 1
        for control in self.controls.values():
            if hasattr(control, "continuous_update") and control.continuous_update != follow:
                control.continuous_update = follow

    def _on_change(self, _change):
        self.update()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget view for Jupyter, plus a static picture of the current view for everything else."""
        data = dict(self.widget._repr_mimebundle_())
        data["text/plain"] = "Explorer (run the notebook in Jupyter to move its controls)"
        if self.png:
            data["image/png"] = base64.b64encode(self.png).decode("ascii")
        if self.text.value:
            picture = (f'<img src="data:image/png;base64,{data["image/png"]}" alt="explorer view"/>'
                       if self.png else "")
            data["text/html"] = f"<div>{picture}{self.text.value}</div>"
        return data


def _animated_artists(fig):
    """The artists that move: children of the figure's axes (and the figure's own texts) marked animated."""
    children = [child for ax in fig.axes for child in ax.get_children()] + list(fig.texts)
    return [artist for artist in children if artist.get_animated() and artist.get_visible()]


def _texts(ax):
    """Every static text of one axes: labels, titles, legend entries and free texts (with their positions)."""
    titles = (ax.title, ax._left_title, ax._right_title)
    texts = [t.get_text() for t in titles if not t.get_animated()]
    texts += [(t.get_text(), t.get_position()) for t in ax.texts if not t.get_animated()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [t.get_text() for t in legend.get_texts()]
    return tuple(texts)


def _static_key(fig):
    """What the saved background depends on: per axes its limits, scales, labels and static texts."""
    return (tuple(fig.get_size_inches()), tuple(t.get_text() for t in fig.texts if not t.get_animated()), tuple(
        (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(),
         ax.get_visible(), _texts(ax)) for ax in fig.axes))


def _layout_key(fig):
    """What decides a figure's layout: size, and per axes its labels, titles, legend and the magnitude of its
    limits (the width of the tick labels)."""

    def magnitude(limits):
        return tuple(int(math.floor(math.log10(abs(x)))) if x and math.isfinite(x) else 0 for x in limits)

    return (tuple(fig.get_size_inches()), tuple(
        (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), magnitude(ax.get_xlim()), magnitude(ax.get_ylim()),
         ax.get_xscale(), ax.get_yscale(), ax.get_legend() is not None) for ax in fig.axes))


def _encode_png(canvas):
    """The canvas's pixels as PNG bytes, compressed lightly: encoding time matters more than size here."""
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def slider(value, low, high, step, description, integer=False, readout_format=None):
    """A float (or int) slider wide enough for its description. The Explorer decides whether it follows drags."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    kwargs = dict(value=value, min=low, max=high, step=step, description=description, continuous_update=False,
                  style={"description_width": "initial"}, layout=widgets.Layout(width="360px"))
    if readout_format and not integer:
        kwargs["readout_format"] = readout_format
    return cls(**kwargs)


def figure(width=7.0, height=3.2):
    """A small pyplot figure and axes sized like a widget view, for the lessons' static pictures."""
    return plt.subplots(figsize=(width, height), dpi=90, layout="constrained")
