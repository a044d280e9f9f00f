"""Milestone hooks: other apps react to a work order's milestones without this app importing them
(spare parts closes or releases its open requisitions when an order is completed or cancelled).
A hook is registered in the other app's ``AppConfig.ready`` and runs inside the milestone's
transaction: if it raises, the milestone does not happen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from logistics.common.registries import Registry

MILESTONES = frozenset({"dispatched", "accepted", "arrived", "completed", "closed", "reopened", "cancelled"})


@dataclass(frozen=True)
class MilestoneHook:
    """``handler(work_order, milestone, actor)`` called for each milestone in ``milestones``."""

    key: str
    milestones: frozenset[str]
    handler: Callable
    order: int = 100

    def __post_init__(self) -> None:
        unknown = set(self.milestones) - MILESTONES
        if unknown:
            raise ValueError(f"milestone hook {self.key}: unknown milestones {sorted(unknown)}")


milestone_hooks = Registry[MilestoneHook]("work order milestone hooks")


def run_hooks(work_order, milestone: str, actor=None) -> None:
    for hook in milestone_hooks:
        if milestone in hook.milestones:
            hook.handler(work_order, milestone, actor)
