"""How long the briefing exports take and how large they are, on any snapshot folder.

    python -m benchmarks.exports                                  # the committed sample
    python -m benchmarks.exports --root /tmp/bench_data/100000 --runs 5

Measures, for the selection "everyone": the briefing pack (HTML) cold (first in the process, the
Vega bundle included) and warm, and the PNG (2x) and SVG of every slide's chart.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from briefing.pack import html_pack
from briefing.slides import slides
from charts import export
from data_access import Filters, describe, find_snapshots, load_snapshot, snapshot_root


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=snapshot_root())
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    infos = [info for info in find_snapshots(args.root) if info.usable]
    latest = load_snapshot(infos[0])
    previous = load_snapshot(infos[1]) if len(infos) > 1 else None
    everyone = Filters()
    n = len(latest.people)

    def pack() -> str:
        deck = slides(latest, previous, everyone)
        return html_pack(deck, selection=describe(everyone, latest), as_of=latest.as_of, base_n=n)

    cold, text = timed(pack, 1)
    warm, _ = timed(pack, args.runs)
    size = len(text.encode("utf-8"))
    print(f"{n:,} people, snapshot {latest.id}")
    print(f"briefing pack: {size / 1e6:.2f} MB; build {cold:.2f} s cold (bundle included), {warm:.2f} s warm")
    print(f"  of which Vega bundle {len(export.javascript_bundle().encode('utf-8')) / 1e6:.2f} MB")
    deck = slides(latest, previous, everyone)
    slides_time, _ = timed(lambda: slides(latest, previous, everyone), args.runs)
    print(f"slides (queries + chart builders): {slides_time * 1000:.0f} ms")
    for slide in deck:
        png_time, png = timed(lambda slide=slide: export.png(slide.figure, caption="caption"), args.runs)
        svg_time, svg = timed(lambda slide=slide: export.svg(slide.figure, caption="caption"), args.runs)
        print(
            f"  {slide.key:<20} PNG {png_time * 1000:5.0f} ms {len(png) / 1e3:6.0f} kB · "
            f"SVG {svg_time * 1000:5.0f} ms {len(svg.encode('utf-8')) / 1e3:6.0f} kB"
        )


if __name__ == "__main__":
    main()
