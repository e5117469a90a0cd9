"""PNG charts of evaluation reports (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from agent.evaluation.configs import HEADLINE
from agent.evaluation.report import EvalReport


def headline_bars(report: EvalReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width = 0.8 / max(1, len(report.results))
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(HEADLINE)), 4.5))
    for i, result in enumerate(report.results):
        positions = [j + i * width for j in range(len(HEADLINE))]
        ax.bar(positions, [result.means[m] for m in HEADLINE], width, label=result.name)
    ax.set_xticks([j + width * (len(report.results) - 1) / 2 for j in range(len(HEADLINE))], HEADLINE)
    ax.set_ylabel("mean over queries")
    ax.set_title(f"{report.queries} queries · {report.holdout} · match by {report.match_by}", fontsize=10)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
