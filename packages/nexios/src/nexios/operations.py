"""``nexios.operations``: running an app in production (``docs/operations.md``).

Request ids (``request.id``, ``current_request_id``, ``RequestIdFilter``), structured logs
(``setup_logging``, ``JSONFormatter``, ``TextFormatter``, ``ServerAccessLinesFilter``), liveness and readiness endpoints
(``HealthChecks``) and the deployment audit behind ``nexios check`` (``audit_app``, ``Audit``,
``Finding``). OpenTelemetry is in :mod:`nexios.otel` (the ``otel`` extra).
"""

from __future__ import annotations

from nexios_core.checks import Audit, DeploymentCheck, Finding, audit_app
from nexios_core.health import HealthChecks
from nexios_core.logs import JSONFormatter, ServerAccessLinesFilter, TextFormatter, logging_config, setup_logging
from nexios_core.request_ids import RequestIdFilter, current_request_id, install_request_id_records
from nexios_core.request_log import ACCESS_LOGGER

__all__ = [
    "ACCESS_LOGGER",
    "Audit",
    "DeploymentCheck",
    "Finding",
    "HealthChecks",
    "JSONFormatter",
    "RequestIdFilter",
    "ServerAccessLinesFilter",
    "TextFormatter",
    "audit_app",
    "current_request_id",
    "install_request_id_records",
    "logging_config",
    "setup_logging",
]
