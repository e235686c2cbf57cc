"""Performance vs cost and monolith vs services in numbers (hand-computed), and the architecture benchmark."""
import pytest

from scalelab.bench import architecture
from scalelab.models import tradeoffs as t


def test_architectures_measured():
    requests, setups = architecture.compare(calls=5)
    model = {arch: t.footprint(architecture.SHOP, arch) for arch in ("monolith", "services")}
    for row in requests.itertuples():
        assert row.network_calls == model[row.architecture].calls_per_request[row.request]
        assert row.ok_share == 1.0
    after = requests.set_index(["architecture", "request"])["ok_share_after_crash"]
    assert (after.loc["monolith"] == 0).all()
    radius = model["services"].blast_radius["recommendations"]
    assert 1 - after.loc["services"].mean() == pytest.approx(radius)
    assert list(setups["deployables"]) == list(setups["model_deployables"]) == [1, 5]
    with pytest.raises(ValueError, match="crash"):
        architecture.compare(calls=1, crash="search")
