"""Predictions read back: a guess is recorded, compared with the measurement, logged, and summed up across lessons."""
import json

import numpy as np
import pytest

import scalelab as sl
from scalelab import predictions


@pytest.fixture(autouse=True)
def log(tmp_path, monkeypatch):
    path = tmp_path / "predictions.jsonl"
    monkeypatch.setenv(predictions.LOG_ENV, str(path))
    monkeypatch.setattr(predictions, "_guesses", {})
    return path


def test_a_guess_is_revealed_with_its_ratio_and_logged(log):
    recorded = sl.predict("p99_growth", 2, unit="x")
    assert "Guess recorded" in repr(recorded)
    shown = sl.reveal("p99_growth", np.float64(5.0))
    label, guess, measured, cmp = shown.rows[0]
    assert (guess, measured) == (2.0, 5.0) and cmp["ratio"] == pytest.approx(2.5) and cmp["within_2x"] is False
    assert "off by 2.5x" in repr(shown) and "stronger" in repr(shown)
    kinds = [json.loads(line)["kind"] for line in log.read_text().splitlines()]
    assert kinds == ["guess", "reveal"]


@pytest.mark.parametrize("guess, measured, within, words", [
    (10.0, 11.0, True, "close"),
    (10.0, 17.0, True, "1.7x above"),
    (10.0, 6.0, True, "1.7x below"),
    (10.0, 2.0, False, "weaker"),
    (0.0, 3.0, False, "sign or the zero"),
    ("pass", "Pass", True, "right"),
    ("more", "fewer", False, "not what happened"),
    (True, False, False, "not what happened"),
])
def test_compare_says_what_the_gap_means(guess, measured, within, words):
    cmp = predictions.compare(guess, measured)
    assert cmp["within_2x"] is within and words in cmp["verdict"]


def test_no_guess_says_so_and_asks_for_one_next_time():
    assert "No guess" in repr(sl.predict("capacity_rps", None, unit="req/s"))
    shown = repr(sl.reveal("capacity_rps", 95.0))
    assert "no guess" in shown and "next time" in shown and "95 req/s" in shown
    assert "no guess" in repr(sl.reveal("never_predicted", 3.0))


def test_numbers_show_without_exponents():
    assert predictions._show(8500.0, "$") == "8,500 $"
    assert predictions._show(1234.4, "ms") == "1,234 ms"
    assert predictions._show(0.448, "") == "0.448" and predictions._show(4.32, "x") == "4.32x"


def test_a_dict_guesses_several_figures(log):
    sl.predict("knee_ms", {"50 %": 20, "90 %": 40}, unit="ms")
    shown = sl.reveal("knee_ms", {"50 %": 21.0, "90 %": 100.0})
    verdicts = {label: cmp["within_2x"] for label, _, _, cmp in shown.rows}
    assert verdicts == {"knee_ms[50 %]": True, "knee_ms[90 %]": False}
    with pytest.raises(ValueError, match="measured"):
        sl.reveal("knee_ms", 3.0)


def test_a_guess_survives_a_restart_through_the_log(monkeypatch):
    sl.predict("failures", 4)
    monkeypatch.setattr(predictions, "_guesses", {})  # a new kernel: only the log remembers
    assert sl.reveal("failures", 5).rows[0][1] == 4.0


def test_calibration_counts_guesses_within_2x():
    assert "No guess" in sl.calibration_summary()
    for name, guess, measured in (("a", 1, 1.5), ("b", 10, 50), ("c", None, 3), ("d", "pass", "pass")):
        sl.predict(name, guess)
        sl.reveal(name, measured)
    sl.predict("b", 40)
    sl.reveal("b", 50)  # the latest reveal of a figure counts
    table = sl.calibration()
    assert list(table["prediction"]) == ["a", "b", "c", "d"]
    assert sl.calibration_summary().startswith("3 of 3 guesses fell within 2x")


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="name"):
        sl.predict("", 3)
    with pytest.raises(ValueError, match="guess"):
        sl.predict("x", [1, 2])
    with pytest.raises(ValueError, match="guess"):
        sl.predict("x", float("nan"))
    with pytest.raises(ValueError, match="unit"):
        sl.predict("x", 1, unit=3)


def test_the_log_defaults_to_the_course_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(predictions.LOG_ENV)
    (tmp_path / "nbgrader_config.py").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert predictions.log_path() == tmp_path / ".scalelab" / "predictions.jsonl"


def test_a_remembered_measurement_is_recalled_from_the_log_and_the_latest_wins(log):
    assert sl.recall("capacity_rps", 132.0) == 132.0            # nothing remembered: the default
    assert sl.remember("capacity_rps", np.float64(140.0), unit="req/s") == 140.0
    sl.remember("capacity_rps", 160, unit="req/s")
    predictions._guesses.clear()                                  # a new kernel: only the log remains
    assert sl.recall("capacity_rps", 132.0) == 160.0
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["kind"] for e in entries] == ["remember", "remember"] and entries[-1]["unit"] == "req/s"
    assert sl.calibration().empty                                 # remembered values are not guesses


@pytest.mark.parametrize("name, value, unit, words", [("", 1.0, "", "name"), ("x", None, "", "value"),
                                                      ("x", {"a": 1}, "", "value"), ("x", float("nan"), "", "x"),
                                                      ("x", 1.0, 3, "unit")])
def test_remember_refuses_what_cannot_be_recalled(name, value, unit, words):
    with pytest.raises(ValueError, match=words):
        sl.remember(name, value, unit=unit)
