"""The graph viewer's layout on the course lessons: time, picture size, page size.

For the backprop lesson and one training batch of lessons 10 (CNN), 11 (ResNet,
Inception) and 13 (GRU), at each level of detail the page offers (modules
collapsed first, then opened): the boxes and edges drawn, the time to label and
lay out the drawing (svg.Drawing, which runs viz/layout.py; the median of --repeat
runs), the picture's size in px, and the size of the HTML page and of the SVG.
Run from the repository root:

    python benchmarks/viz_layout.py
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "viz")]

from lesson_graphs import EXAMPLES, LESSONS, gru_lesson, mnist_lesson  # noqa: E402

import chainrule as torch  # noqa: E402
from chainrule.viz.page import levels_of  # noqa: E402
from chainrule.viz.svg import Drawing  # noqa: E402


def backprop():
    """The backprop lesson's graph, as `chainrule explain examples/backprop.py` traces it."""
    sys.path.insert(0, str(EXAMPLES))
    w = torch.tensor([1.0], requires_grad=True)

    def loss(x, y):
        y_pred = x * w
        return (y_pred - y) ** 2

    with torch.viz.record():
        l = loss(1.0, 2.0)
    graph = torch.viz.trace(l)
    l.backward()
    return graph


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5, help="layouts timed per level (5)")
    args = p.parse_args()
    graphs = {"backprop": backprop()}
    for name in LESSONS:
        graphs[name] = gru_lesson() if name == "13_name_classifier" else mnist_lesson(name)
    print(f"{'lesson':<20} {'level':<8} {'boxes':>5} {'edges':>5} {'layout ms':>9} "
          f"{'picture px':>12} {'page KB':>8} {'svg KB':>7}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for name, graph in graphs.items():
            page = graph.save(Path(tmp) / f"{name}.html").stat().st_size / 1000
            for k, expand in enumerate(levels_of(graph, 0)):
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    d = Drawing(graph, expand=expand)
                    times.append(time.perf_counter() - t)
                svg = len(graph.to_svg(expand=expand).encode("utf-8")) / 1000
                level = "all" if expand is None or k == len(levels_of(graph, 0)) - 1 else str(k)
                size = f"{d.width:.0f} x {d.height:.0f}"
                print(f"{name:<20} {level:<8} {len(d.view.nodes):>5} {len(d.view.edges):>5} "
                      f"{statistics.median(times) * 1000:>9.1f} {size:>12} "
                      f"{page if k == 0 else '':>8} {svg:>7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
