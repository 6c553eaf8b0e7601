"""``nexios check``: audit an app's settings before it goes live (see :mod:`nexios_core.checks`)."""

from __future__ import annotations

import json

import click

from nexios_core.checks import SEVERITIES, Audit, Finding, audit_app

from ._options import APP_HELP, app_arguments, load_or_fail

FAILED_STATUS = 1
"""Exit status when an error-level finding is reported (``--strict``: any warning too)."""


def _line(finding: Finding) -> str:
    where = "" if finding.where == "app" else f" ({finding.where})"
    return f"{finding.severity.upper():<8}{finding.rule}{where}: {finding.message}\n        fix: {finding.fix}"


def _summary(audit: Audit) -> str:
    counts = {severity: sum(1 for f in audit.findings if f.severity == severity) for severity in SEVERITIES}
    return ", ".join(f"{count} {severity}{'s' if count != 1 else ''}" for severity, count in counts.items())


@click.command(epilog=APP_HELP)
@app_arguments
@click.option("--https/--http", "https", default=None,
              help="Say whether the app is served over https (rules about Secure cookies depend on it).")
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as one JSON document.")
def check(app: str | None, app_dir: str, factory: bool, https: bool | None, strict: bool, as_json: bool) -> None:
    """Audit APP's settings for production: each finding with its fix.

    Exit status 1 when an error is found (with --strict, a warning too), so it can gate CI.
    """
    loaded = load_or_fail(app, app_dir, factory)
    audit = audit_app(loaded.app, https=https)
    order = {severity: rank for rank, severity in enumerate(SEVERITIES)}
    findings = sorted(audit.findings, key=lambda f: order[f.severity])
    if as_json:
        click.echo(json.dumps({"app": loaded.label, "findings": [vars(f) for f in findings]}, indent=2))
    else:
        click.echo(f"Checked {loaded.label}")
        for finding in findings:
            click.echo(_line(finding))
        click.echo(_summary(audit) if findings else "No findings.")
    if audit.failed or (strict and any(f.severity == "warning" for f in findings)):
        raise SystemExit(FAILED_STATUS)


__all__ = ["FAILED_STATUS", "check"]
