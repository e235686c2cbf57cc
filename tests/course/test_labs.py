"""The grading round trip of every lab with nbgrader: in sync, full marks for the solution, zero for the blank lab."""

import pytest
from roundtrip import all_labs, roundtrip

LABS = all_labs()


@pytest.mark.parametrize("lab", LABS)
def test_lab_round_trip(lab):
    scores = roundtrip(lab)
    assert scores.in_sync, (f"labs/{lab} differs from what generate_assignment makes: "
                            f"run python tools/release_labs.py {lab}")
    assert scores.hidden_tests, f"{lab}: hidden tests missing from the source or visible in the release"
    assert scores.max_auto > 0
    assert scores.solution == scores.max_auto, f"{lab}: the solution scored {scores.solution} of {scores.max_auto}"
    assert scores.blank == 0, f"{lab}: the unmodified released lab scored {scores.blank}, want 0"
