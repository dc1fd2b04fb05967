"""Benchmark 5: how the roll-up and My study grow with the province, on PostgreSQL.

  .venv/bin/python bench/growth.py [--sizes 1000,10000,50000] [--repeat 9]

Runs bench/progress.py on generated provinces of each size (the tree, modules and
completions scaled with the cadres) and prints each figure as a ratio to the
smallest size, measured in the same run.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    results = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        out = subprocess.run(  # noqa: S603 - our own benchmark script
            [
                sys.executable,
                str(HERE / "progress.py"),
                "--cadres",
                str(n),
                "--json",
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[n] = json.loads(out.strip().splitlines()[-1])
    first = results[min(results)]
    print(
        f"{'cadres':>7} {'completions':>12} {'province ms':>12} {'county ms':>10} "
        f"{'my study ms':>12} {'queries':>8}  ratio to {min(results):,} cadres"
    )
    for n, r in results.items():
        print(
            f"{n:>7,} {r['completions']:>12,} {r['province']['median_ms']:>12.1f} "
            f"{r['county']['median_ms']:>10.1f} {r['my_study']['median_ms']:>12.1f} "
            f"{r['province']['queries']:>3}/{r['my_study']['queries']:<4}  "
            f"x{r['province']['median_ms'] / first['province']['median_ms']:.2f} / "
            f"x{r['county']['median_ms'] / first['county']['median_ms']:.2f} / "
            f"x{r['my_study']['median_ms'] / first['my_study']['median_ms']:.2f}"
        )


if __name__ == "__main__":
    main()
