"""The one retry rule for Prefect tasks: only transient failures are worth another try."""

from __future__ import annotations

from typing import Any

from prefect.client.schemas.objects import State, TaskRun

from newsmill.errors import TransientError


def only_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect ``retry_condition_fn``: retry when the task failed with a TransientError."""
    try:
        state.result()
    except TransientError:
        return True
    except Exception:
        return False
    return False
