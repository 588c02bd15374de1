"""Prints `make bench`'s table from lines `name|total req/s over the rounds|budget` on stdin.

The first line is the baseline (GET /health); every ratio is against it, from the same run.
Extra lines `name|value|unit` with a non-numeric budget are printed as they are.
"""
import sys

rounds = int(sys.argv[1])
rows = [line.rstrip("\n").split("|") for line in sys.stdin if line.strip()]
base = float(rows[0][1]) / rounds
print(f"{'route':52} {'req/s':>7} {'ratio':>6}  budget")
for name, total, budget in rows:
    rps = float(total) / rounds
    ratio = rps / base
    mark = "" if budget == "-" else f">= {budget} " + ("ok" if ratio >= float(budget) else "MISSED")
    print(f"{name:52} {rps:7.0f} {ratio:6.2f}  {mark}")
