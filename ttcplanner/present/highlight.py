"""What to highlight: decided once here, drawn the same by the window's plots and the PDF's figures.

The recommendation first, then the best option of each other deployment kind, then the option the user
selected (the window only); the PDF's key-figures table lists the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ttcplanner.model.options import KINDS
from ttcplanner.present.labels import KIND_SHORT
from ttcplanner.present.palette import role_color


@dataclass(frozen=True)
class Highlight:
    index: int  # option row in plan.options
    role: str  # 'recommended' | 'best' | 'selected'
    kind: str  # the option's deployment kind

    @property
    def label(self) -> str:
        """'recommended', 'best GPU', 'selected': the legend's words in the window and in the PDF."""
        return f"best {KIND_SHORT.get(self.kind, self.kind)}" if self.role == "best" else self.role

    @property
    def title(self) -> str:
        """The label capitalised, for a table cell or a caption."""
        return self.label[:1].upper() + self.label[1:]

    @property
    def color(self) -> str:
        return role_color(self.role, self.kind)


def highlighted(plan, selected: int | None = None, limit: int | None = None) -> tuple[Highlight, ...]:
    """The options drawn in colour, most important first, each once; at most ``limit`` of them."""
    kinds = plan.options.kind
    out: list[Highlight] = []
    if plan.recommended is not None:
        out.append(Highlight(int(plan.recommended), "recommended", str(kinds[plan.recommended])))
    for k in KINDS:
        i = plan.best_per_kind.get(k)
        if i is not None and all(i != h.index for h in out):
            out.append(Highlight(int(i), "best", k))
    if selected is not None and all(selected != h.index for h in out):
        out.append(Highlight(int(selected), "selected", str(kinds[selected])))
    return tuple(out[:limit] if limit is not None else out)
