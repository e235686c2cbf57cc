"""Predictions that are read back: write a guess before a measurement, then compare it with what you measured.

    sl.predict("p99_growth", None, unit="x")      # the guess cell: replace None with your guess, then run it
    ...                                            # the measurement
    sl.reveal("p99_growth", growth)                # guess, measurement, ratio, and what the gap means
    sl.calibration()                               # every guess of the course so far: how many within 2x
    sl.remember("capacity_rps", 140, unit="req/s") # a measurement a later lesson reuses (lesson 08 -> capstone)
    sl.recall("capacity_rps", 132)                 # the latest remembered value, else the default

A guess is a number, a word (``"pass"``, ``"more"``) or a ``True``/``False``; a dict of them guesses several
related figures at once (``{"20 %": 12, "80 %": 50}``). Guesses and measurements are kept in a small local log,
``.scalelab/predictions.jsonl`` in the course folder (ignored by git), or the file named by the environment
variable ``SCALELAB_PREDICTIONS``, so lesson 00 and the capstone can show your calibration across the course.
"""
import datetime as dt
import html
import json
import math
import numbers
import os
import pathlib
from dataclasses import dataclass

LOG_ENV = "SCALELAB_PREDICTIONS"
CLOSE_RATIO = 1.25   # within this factor a guess counts as close
WITHIN_RATIO = 2.0   # the calibration figure: guesses within 2x of the measurement
_guesses = {}        # name -> guess made in this Python session


def log_path():
    """Where guesses are kept: $SCALELAB_PREDICTIONS, else .scalelab/ in the course folder (the nearest folder
    above the working directory holding nbgrader_config.py), else ~/.scalelab/."""
    if os.environ.get(LOG_ENV):
        return pathlib.Path(os.environ[LOG_ENV])
    here = pathlib.Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder / ".scalelab" / "predictions.jsonl"
    return pathlib.Path.home() / ".scalelab" / "predictions.jsonl"


def _check_name(name):
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string naming the prediction, got {name!r}")
    return name


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_guess(name, guess):
    """None, a finite number, a word, True/False, or a dict of those."""
    if isinstance(guess, dict):
        if not guess:
            raise ValueError(f"guess for {name!r} is an empty dict: give one guess per key")
        return {str(k): _check_guess(f"{name}[{k}]", g) for k, g in guess.items()}
    if guess is None or isinstance(guess, (str, bool)) or _is_number(guess):
        return float(guess) if _is_number(guess) else guess
    raise ValueError(f"guess for {name!r} must be a number, a word, True/False, a dict of those, or None; "
                     f"got {guess!r}")


def _append(entry):
    """Add one line to the log; a log that cannot be written costs the learner nothing but the history."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
    except OSError:
        pass


def read_log(path=None):
    """Every entry of the log, oldest first (lines that are not valid JSON are skipped)."""
    path = pathlib.Path(path) if path else log_path()
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


@dataclass(frozen=True)
class Guess:
    """A recorded guess (``value`` None when none was written)."""

    name: str
    value: object
    unit: str = ""

    def _repr_html_(self):
        return f"<p>{html.escape(self._text())}</p>"

    def __repr__(self):
        return self._text()

    def _text(self):
        if self.value is None or (isinstance(self.value, dict) and all(g is None for g in self.value.values())):
            return (f"No guess for {self.name!r} yet: replace None with your guess and run this cell again, "
                    "before you run the measurement.")
        return f"Guess recorded: {self.name} = {_show(self.value, self.unit)}. The measurement below will tell."


def predict(name, guess, unit=""):
    """Record a guess under ``name`` before the measurement that settles it; returns the recorded ``Guess``.

    guess: a number, a word, True/False, a dict of those, or None (no guess yet); unit: how to read the number
    (``"ms"``, ``"req/s"``, ``"x"`` for a ratio ...).
    """
    name = _check_name(name)
    value = _check_guess(name, guess)
    if not isinstance(unit, str):
        raise ValueError(f"unit must be a string such as 'ms', got {unit!r}")
    _guesses[name] = Guess(name, value, unit)
    _append({"kind": "guess", "name": name, "value": value, "unit": unit, "time": _now()})
    return _guesses[name]


def _last_guess(name):
    """The guess made in this session, else the last one in the log, else None."""
    if name in _guesses:
        return _guesses[name]
    for entry in reversed(read_log()):
        if entry.get("kind") == "guess" and entry.get("name") == name:
            return Guess(name, entry.get("value"), entry.get("unit", ""))
    return None


def compare(guess, measured):
    """How a guess compares with a measurement: {"ratio": measured / guess or None, "within_2x": bool or None,
    "verdict": one line}. Words and True/False compare by equality."""
    if guess is None:
        return {"ratio": None, "within_2x": None, "verdict": "no guess was recorded"}
    if not (_is_number(guess) and _is_number(measured)):
        same = str(guess).strip().lower() == str(measured).strip().lower()
        return {"ratio": None, "within_2x": same,
                "verdict": "right" if same else f"not what happened: it was {measured!r}, you guessed {guess!r}"}
    guess, measured = float(guess), float(measured)
    if guess == measured:
        return {"ratio": 1.0, "within_2x": True, "verdict": "exactly right"}
    if guess == 0 or measured == 0 or (guess < 0) != (measured < 0):
        return {"ratio": None, "within_2x": False,
                "verdict": f"off by {measured - guess:+.3g}: the sign or the zero was the surprise"}
    ratio = measured / guess
    factor = max(ratio, 1 / ratio)
    if factor <= CLOSE_RATIO:
        verdict = "close: your picture of the system matches the measurement"
    elif factor <= WITHIN_RATIO:
        verdict = f"right order, but the measurement is {factor:.1f}x {'above' if ratio > 1 else 'below'} your guess"
    else:
        verdict = (f"off by {factor:.1f}x: the effect is {'stronger' if ratio > 1 else 'weaker'} than you expected; "
                   "find the step of the explanation that you did not expect")
    return {"ratio": ratio, "within_2x": factor <= WITHIN_RATIO, "verdict": verdict}


@dataclass(frozen=True)
class Reveal:
    """A guess next to its measurement: one row per figure."""

    name: str
    rows: tuple   # (label, guess, measured, comparison dict)
    unit: str = ""
    why: str = ""

    def __repr__(self):
        lines = []
        for label, guess, measured, cmp in self.rows:
            if guess is None:
                lines.append(f"{label}: measured {_show(measured, self.unit)}. You recorded no guess: next time, "
                             "write one down before you measure, so that the surprise teaches you something.")
            else:
                ratio = f" (measured / guess = {cmp['ratio']:.2f})" if cmp["ratio"] is not None else ""
                lines.append(f"{label}: you guessed {_show(guess, self.unit)}, measured {_show(measured, self.unit)}"
                             f"{ratio}: {cmp['verdict']}.")
        if self.why:
            lines.append(f"What drives it: {self.why}")
        return "\n".join(lines)

    def _repr_html_(self):
        return "<br>".join(html.escape(line) for line in repr(self).splitlines())


def reveal(name, measured, why=""):
    """Show the guess recorded under ``name`` beside ``measured`` (the same shape: a number, a word, or a dict with
    the guess's keys), their ratio and what the gap means; ``why`` adds one line on what drives the result.
    The measurement is logged beside the guess for ``calibration()``."""
    name = _check_name(name)
    guess = _last_guess(name)
    guessed = guess.value if guess is not None else None
    unit = guess.unit if guess is not None else ""
    if isinstance(measured, dict):
        measured = {str(k): m for k, m in measured.items()}
        guesses = guessed if isinstance(guessed, dict) else {}
        rows = tuple((f"{name}[{k}]", guesses.get(k), m, compare(guesses.get(k), m)) for k, m in measured.items())
    else:
        if isinstance(guessed, dict):
            raise ValueError(f"measured for {name!r} must be a dict with the keys {sorted(guessed)}, as the guess was")
        rows = ((name, guessed, measured, compare(guessed, measured)),)
    for label, g, m, cmp in rows:
        _append({"kind": "reveal", "name": label, "guess": g, "measured": _plain(m), "unit": unit,
                 "within_2x": cmp["within_2x"], "time": _now()})
    return Reveal(name, rows, unit, why)


def calibration(path=None):
    """Your guesses so far against what you measured, the latest per figure: a DataFrame with the columns
    prediction, guess, measured, unit and within_2x (None where no guess was written)."""
    import pandas as pd

    latest = {}
    for entry in read_log(path):
        if entry.get("kind") == "reveal":
            latest[entry["name"]] = entry
    rows = [{"prediction": name, "guess": e.get("guess"), "measured": e.get("measured"), "unit": e.get("unit", ""),
             "within_2x": e.get("within_2x")} for name, e in latest.items()]
    return pd.DataFrame(rows, columns=["prediction", "guess", "measured", "unit", "within_2x"])


def calibration_summary(path=None):
    """One line: how many of your guesses fell within 2x of what you measured."""
    table = calibration(path)
    made = table[table["guess"].notna()]
    if made.empty:
        return ("No guess compared with a measurement yet. Each lesson asks for guesses: write them down before "
                "you measure, and come back here to see how well calibrated you are.")
    hits = int(made["within_2x"].fillna(False).astype(bool).sum())
    return (f"{hits} of {len(made)} guesses fell within 2x of what you measured "
            f"({len(table) - len(made)} measurements had no guess).")


def remember(name, value, unit=""):
    """Keep a measurement under ``name`` (a finite number, a word or True/False) for a later lesson to ``recall``;
    it goes to the same log as the guesses, so it survives a kernel restart. Returns the value."""
    name = _check_name(name)
    if isinstance(value, dict) or value is None:
        raise ValueError(f"value for {name!r} must be a finite number, a word or True/False, got {value!r}")
    value = _check_guess(name, _plain(value) if not isinstance(value, (str, bool)) else value)
    if not isinstance(unit, str):
        raise ValueError(f"unit must be a string such as 'req/s', got {unit!r}")
    _append({"kind": "remember", "name": name, "value": value, "unit": unit, "time": _now()})
    return value


def recall(name, default=None):
    """The value last remembered under ``name`` (``remember``) in the log, else ``default``."""
    name = _check_name(name)
    for entry in reversed(read_log()):
        if entry.get("kind") == "remember" and entry.get("name") == name:
            return entry.get("value")
    return default


def _show(value, unit):
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(g, unit)}" for k, g in value.items()) + "}"
    if _is_number(value):
        text = f"{value:.3g}" if abs(value) < 1e3 else f"{value:,.0f}"  # no "8.5e+03"
        return f"{text} {unit}".strip() if unit not in ("", "x") else (text + ("x" if unit == "x" else ""))
    return repr(value)


def _plain(value):
    """A JSON-safe copy of a measured value (numpy numbers become floats)."""
    if _is_number(value):
        return float(value)
    if isinstance(value, (str, bool)) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _now():
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
