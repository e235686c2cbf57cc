"""The replicated store on real replica processes: quorums, partitions, reconciliation, and cleanup."""
import numpy as np
import pytest

from scalelab.bench import ledger


def test_sqlite_transactions_keep_the_invariant_autocommit_breaks_it():
    acid = ledger.withdrawals("transaction", servers=4, requests=15, think_s=0.002, rng=np.random.default_rng(5))
    loose = ledger.withdrawals("autocommit", servers=4, requests=15, think_s=0.002, rng=np.random.default_rng(5))
    assert acid["money_created"].iloc[0] == 0 and acid["negative"].iloc[0] == 0
    # four workers pausing 2 ms between their read and their write: two of them read the same balance
    assert loose["money_created"].iloc[0] > 0
    with pytest.raises(ValueError, match="mode"):
        ledger.withdrawals("eventual")
