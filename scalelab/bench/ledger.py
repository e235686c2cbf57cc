"""Cash withdrawals from a bank's accounts in a SQLite file, by several workers at once: with an ACID transaction
around each read-check-write, and without one.

Each worker has its own connection to the same database file (SQLite's locks work between connections, in one
process or many). A withdrawal reads an account's balance, waits ``think_s`` (the application deciding, a network
hop to the database), and if the balance covers the amount writes the new balance and pays the cash out:

- "transaction": ``BEGIN IMMEDIATE`` ... ``COMMIT``: the read, the check and the write happen as one, and no other
  worker can write in between (isolation), so the invariant holds: balances + cash paid out = money at the start;
- "autocommit": each statement commits on its own; two workers can read the same balance, both pay, and both
  write: one payment is lost from the books (a lost update).

Returns DataFrames; the database lives in a temporary directory removed on success, error and Ctrl-C.
"""
import os
import sqlite3
import threading
import time

from .. import _validate as v
from .harness import temporary_directory

MODES = ("transaction", "autocommit")


def _withdraw(path, mode, requests, think_s, barrier, out):
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    paid = done = 0
    try:
        barrier.wait()
        for account, amount in requests:
            if mode == "transaction":
                connection.execute("BEGIN IMMEDIATE")
            (balance,) = connection.execute("SELECT balance FROM accounts WHERE id = ?", (account,)).fetchone()
            time.sleep(think_s)
            if balance >= amount:
                connection.execute("UPDATE accounts SET balance = ? WHERE id = ?", (balance - amount, account))
                paid += amount
                done += 1
            if mode == "transaction":
                connection.execute("COMMIT")
    finally:
        connection.close()
        out.append((paid, done))


def withdrawals(mode="transaction", servers=4, requests=25, accounts=3, balance=100, think_s=0.001, rng=None):
    """``servers`` threads each make ``requests`` withdrawals (amounts 20..60 from random accounts) at once.

    Returns a one-row DataFrame: mode, servers, requests, paid (withdrawals that paid out), cash_paid,
    total_before, total_after (sum of the balances), money_created (total_after + cash_paid − total_before: 0 when
    the invariant holds), negative (accounts below 0), elapsed_s and withdrawals_per_s.
    """
    import pandas as pd

    from .. import _random

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    n = v.integer("servers", servers, low=1, high=64)
    count = v.integer("requests", requests, low=1, high=100_000)
    a = v.integer("accounts", accounts, low=1, high=10_000)
    start_balance = v.integer("balance", balance, low=0)
    pause = v.non_negative("think_s", think_s)
    g = _random.rng(rng)
    plans = [[(int(g.integers(a)), int(g.integers(20, 61))) for _ in range(count)] for _ in range(n)]
    with temporary_directory() as folder:
        path = os.path.join(folder, "bank.db")
        setup = sqlite3.connect(path, isolation_level=None)
        try:
            setup.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)")
            setup.executemany("INSERT INTO accounts VALUES (?, ?)", [(i, start_balance) for i in range(a)])
        finally:
            setup.close()
        barrier, out = threading.Barrier(n + 1), []
        threads = [threading.Thread(target=_withdraw, args=(path, mode, plan, pause, barrier, out), daemon=True)
                   for plan in plans]
        for thread in threads:
            thread.start()
        barrier.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if len(out) < n:
            raise RuntimeError("a worker failed: see the error above")
        check = sqlite3.connect(path)
        try:
            balances = [b for (b,) in check.execute("SELECT balance FROM accounts")]
        finally:
            check.close()
    cash = sum(p for p, _ in out)
    paid = sum(d for _, d in out)
    row = {"mode": mode, "servers": n, "requests": n * count, "paid": paid, "cash_paid": cash,
           "total_before": a * start_balance, "total_after": sum(balances),
           "money_created": sum(balances) + cash - a * start_balance, "negative": sum(b < 0 for b in balances),
           "elapsed_s": elapsed, "withdrawals_per_s": n * count / elapsed}
    return pd.DataFrame([row])
