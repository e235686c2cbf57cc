"""Lab tests reject plausible wrong answers with a message that names the idea (cases in tests/wrong_answers/)."""
import pytest
from wrong_answers import CASES_DIR, check, load_cases

LABS = sorted(p.stem for p in CASES_DIR.glob("lab*.py"))


@pytest.mark.parametrize("lab", LABS)
def test_wrong_answers_are_rejected(lab):
    cases = load_cases(lab)
    assert cases, f"tests/wrong_answers/{lab}.py declares no CASES"
    failures = [f"{o.case.test}: {o.case.why or o.case.code[:60]!r} -> {o.message[:200]} (want {o.case.says!r})"
                for o in check(lab, cases) if not o.ok]
    assert not failures, f"{lab}: wrong answers not rejected as they should be:\n" + "\n".join(failures)
