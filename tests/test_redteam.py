"""Red-team suite: hostile submissions of lab 01, graded in ONE batch with honest controls before and after.

Every attack (`tests/redteam/attacks.py`) is the BLANK released lab plus code that tries to neuter the tests, read
or write what it should not, escape the kernel, abuse the files it submits or put script into its feedback. The
batch grades them with `python -m scalelab.classroom autograde` (REDTEAM_GRADER=nbgrader: plain `nbgrader
autograde`, to see what it lets through), then each attack must have: a score of 0, changed no file outside its
scratch (the course tree, the grader's home and the installed package are hashed before and after), left no process
(psutil: descendants, the command's session, the batch token, the batch folder), put no hidden test and no live
script into its feedback, and no copy of a linked file into what the student fetches. The controls (the blank lab
and the solution, graded first and last) must keep 0 and full marks, and the batch must complete.

Where bubblewrap is unavailable only the attacks that need a real sandbox are skipped (and not submitted), each
with the reason; `python tests/redteam/batch.py` prints the same table outside pytest.
"""
import os

import pytest

from redteam import attacks as attack_list
from redteam import batch as redteam
from redteam import lab as labinfo

SANDBOX, NO_SANDBOX_WHY = redteam.sandbox_available()
GRADER = os.environ.get("REDTEAM_GRADER", "classroom")
ATTACKS = attack_list.ATTACKS
SUBMITTED = [a for a in ATTACKS if SANDBOX or not a.sandbox_only]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    graded = redteam.run_batch(SUBMITTED, grader=GRADER, workdir=tmp_path_factory.mktemp("redteam"))
    print("\n" + redteam.summary(graded))
    return graded


def test_the_attacks_are_built_from_the_lab():
    """The suite reads what it fakes from the lab's metadata; an empty reading would make the attacks toothless."""
    lab = labinfo.load()
    assert lab.max_auto > 0 and lab.answer_ids and lab.functions and lab.values and lab.hidden_lines
    assert len({a.name for a in ATTACKS}) == len(ATTACKS) >= 32


def test_the_live_script_finder_finds_live_script_only():
    page = ('<script>var a = "REDTEAM:one";</script><img src=x onerror="f(\'REDTEAM:two\')">'
            '<a href="javascript:g(\'REDTEAM:three\')">x</a><iframe srcdoc="&lt;script&gt;REDTEAM:four"></iframe>'
            '<pre>&lt;script&gt;REDTEAM:five&lt;/script&gt;</pre><script type="application/json">"REDTEAM:six"</script>'
            '<a href="https://example.org/REDTEAM:seven">y</a>')
    assert redteam.live_marks(page) == {"one", "two", "three", "four"}


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_held(batch, attack):
    if attack.sandbox_only and not SANDBOX:
        pytest.skip(f"not held without a sandbox ({NO_SANDBOX_WHY}): {attack.sandbox_only}")
    found = redteam.attack_violations(batch, attack)
    assert not found, f"{attack.title}: " + "; ".join(found)


def test_controls_keep_their_grades(batch):
    found = redteam.control_violations(batch)
    assert not found, "; ".join(found)


def test_batch_completes_and_leaves_nothing_behind(batch):
    found = redteam.batch_violations(batch)
    assert not found, "; ".join(found)
