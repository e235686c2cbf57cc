"""Lesson 12's simulators, models and benchmarks: known results, an independent cache implementation, small runs."""
import math

import numpy as np
import pytest

from scalelab.models import monitoring


# ----------------------------------------------------------------------------------------------------- models
def test_histogram_quantile_like_promql():
    bounds, cumulative = [0.1, 0.2, 0.5, 1.0], [1, 3, 4, 5, 6]
    assert monitoring.histogram_quantile(0.5, bounds, cumulative) == pytest.approx(0.2)  # rank 3: top of (0.1, 0.2]
    assert monitoring.histogram_quantile(0.25, bounds, cumulative) == pytest.approx(0.125)    # rank 1.5 in (0.1, 0.2]
    assert monitoring.histogram_quantile(0.1, bounds, cumulative) == pytest.approx(0.06)      # first bucket from 0
    assert monitoring.histogram_quantile(0.99, bounds, cumulative) == pytest.approx(1.0)      # +Inf: highest bound
    assert math.isnan(monitoring.histogram_quantile(0.5, bounds, [0, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="cumulative"):
        monitoring.histogram_quantile(0.5, bounds, [1, 2, 3])


def test_burn_rate_and_alert():
    assert monitoring.burn_rate(144, 10_000, 0.999) == pytest.approx(14.4)
    assert monitoring.budget_spent(14.4, 60) == pytest.approx(0.02)
    requests = np.full(600, 1000.0)
    errors = np.zeros(600)
    errors[300:] = 20.0  # 2 % errors against a 99.9 % SLO: burn 20
    fired = monitoring.alert_minutes(errors, requests, 0.999)
    first = int(np.argmax(fired["page"]))
    # the hour's window passes 14.4 once 14.4/20 of it has the incident: 43.2 minutes in
    assert fired["page"][:300].sum() == 0 and 300 + 43 <= first <= 300 + 44
    assert not fired["ticket"].any() or int(np.argmax(fired["ticket"])) > first
