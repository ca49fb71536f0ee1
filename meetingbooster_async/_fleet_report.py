"""What a sync fleet tells: :class:`FleetEvent` for each thing it does, and the round's
:class:`FleetReport`, counted from those events alone (one source: the report, ``on_event``
listeners and the command line's progress line all read the same events)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Literal

import attrs

__all__ = ["EventKind", "FleetEvent", "FleetReport", "Resource"]

Resource = Literal["meetings", "tasks"]

EventKind = Literal[
    "round-started",
    "skipped",
    "login",
    "oauth",
    "synced",
    "committed",
    "checkpointed",
    "resynced",
    "failed",
    "user-done",
    "round-finished",
]


@attrs.frozen(kw_only=True)
class FleetEvent:
    """One thing the fleet did. Secret-free: usernames, resources, counts and reasons only.

    ``kind`` is one of: ``round-started``, ``skipped`` (cooling down, or leased by another
    runner), ``login`` (a password grant is about to be asked for), ``oauth`` (a ``/oauth``
    grant of one of the fleet's users ended: ``grant`` and ``outcome``, as the client's
    :class:`AuthEvent`; refreshes are counted so too), ``synced`` (Sync answered,
    ``changes`` items; nothing committed yet), ``committed`` (SyncCommit succeeded; the
    checkpoint is not written yet), ``checkpointed`` (the round of one resource is durable),
    ``resynced`` (an invalid sync token: checkpoint and mirror rows cleared), ``failed``
    (``reason``; ``retry_at`` if the server asked for a wait), ``user-done`` and
    ``round-finished``.
    """

    kind: EventKind
    username: str | None = None
    resource: Resource | None = None
    changes: int = 0
    reason: str | None = None
    retry_at: float | None = None
    grant: str | None = None
    outcome: str | None = None
    at: float = 0.0


@attrs.frozen(kw_only=True)
class FleetReport:
    """What one round did, counted from its events."""

    users: int
    ok: int
    failed: Mapping[str, tuple[str, ...]]  # reason -> the users that failed so
    skipped: int
    changes: Mapping[str, int]  # resource -> changes applied
    logins: int
    seconds: float
    #: ``/oauth`` grants by grant and outcome: ``{"refresh_token": {"ok": 12}, ...}``.
    oauth: Mapping[str, Mapping[str, int]] = attrs.field(factory=dict)

    @property
    def oauth_calls(self) -> int:
        """Every ``/oauth`` grant this round made, whatever its outcome."""
        return sum(n for outcomes in self.oauth.values() for n in outcomes.values())

    @property
    def failed_users(self) -> tuple[str, ...]:
        """Every user that failed this round, by name."""
        return tuple(sorted(u for users in self.failed.values() for u in users))

    @classmethod
    def from_events(cls, events: Sequence[FleetEvent]) -> FleetReport:
        """Count a round's report from its events (the one source the runner keeps)."""
        failed: dict[str, list[str]] = {}
        changes: Counter[str] = Counter()
        oauth: dict[str, Counter[str]] = {}
        users = ok = skipped = logins = 0
        start = end = 0.0
        for event in events:
            if event.kind == "round-started":
                start = event.at
            elif event.kind == "round-finished":
                end = event.at
            elif event.kind == "user-done":
                users += 1
                ok += event.reason is None
            elif event.kind == "failed" and event.username is not None:
                failed.setdefault(event.reason or "failed", []).append(event.username)
            elif event.kind == "skipped":
                users += 1
                skipped += 1
            elif event.kind == "checkpointed" and event.resource is not None:
                changes[event.resource] += event.changes
            elif event.kind == "login":
                logins += 1
            elif event.kind == "oauth" and event.grant is not None:
                oauth.setdefault(event.grant, Counter())[event.outcome or "ok"] += 1
        return cls(
            users=users,
            ok=ok,
            failed={k: tuple(sorted(v)) for k, v in failed.items()},
            skipped=skipped,
            changes=dict(changes),
            logins=logins,
            seconds=max(0.0, end - start),
            oauth={grant: dict(outcomes) for grant, outcomes in oauth.items()},
        )
