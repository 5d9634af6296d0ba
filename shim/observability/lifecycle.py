"""Process lifecycle state, in one place: what `/readyz` reads and signal handlers set.

One `Lifecycle` per process is shared by every listener's app and by the admin app.
SIGTERM handling (draining) calls `begin_drain()`; a failed reload does not change
readiness (the last good table keeps serving), but a process that never loaded its
config is not ready.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Lifecycle:
    config_loaded: bool = True
    draining: bool = False
    started_at: float = field(default_factory=time.time)
    last_reload_error: list[str] = field(default_factory=list)  # empty after a good reload

    def begin_drain(self) -> None:
        """Stop being ready: the load balancer takes the process out while in-flight calls finish."""
        self.draining = True

    def not_ready_reasons(self) -> list[str]:
        """Why the process must not get traffic (empty when it may); upstream reachability is checked by /readyz."""
        reasons = []
        if not self.config_loaded:
            reasons.append("config not loaded")
        if self.draining:
            reasons.append("draining")
        return reasons
