"""A city-size configuration (issue 16 item 5): a generated 10,000-grid city loads and validates
(gridbot's `load_config`: TOML, pydantic models, cross-references) against plain `tomllib.loads`
of the same file in the same run, at a few sizes to show the growth is linear.

    .venv/bin/python bench/bench_city.py [--grids 10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.config.city import city_config_text  # noqa: E402

REPEATS = 3
AIM_SECONDS = 5.0


def _median(run, repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def config_figures(grids: int) -> None:
    print(f"configuration: generated city, load + validate against tomllib.loads ({REPEATS} runs)")
    print(
        f"{'grids':>7} {'MB':>6} {'tomllib s':>10} {'load_config s':>14} {'ratio':>6} {'s/1k grids':>11}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in sorted({grids // 4, grids // 2, grids}):
            path = Path(folder) / f"city-{size}.toml"
            path.write_text(city_config_text(size), encoding="utf-8")
            toml_s = _median(lambda p=path: tomllib.loads(p.read_text(encoding="utf-8")))
            load_s = _median(lambda p=path: load_config(p))
            config = load_config(path)
            assert len(config.grids()) == size
            print(
                f"{size:>7} {path.stat().st_size / 1e6:>6.1f} {toml_s:>10.2f} {load_s:>14.2f}"
                f" {load_s / toml_s:>6.2f} {load_s / size * 1000:>11.3f}"
            )
    verdict = "within" if load_s < AIM_SECONDS else "MISSES"
    print(
        f"  {grids} grids load + validate in {load_s:.2f} s: {verdict} the {AIM_SECONDS:.0f} s aim"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=10_000)
    args = parser.parse_args()
    config_figures(args.grids)


if __name__ == "__main__":
    main()
