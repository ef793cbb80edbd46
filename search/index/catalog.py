"""Report- and directive-level listings, computed from the report table (no Whoosh)."""

from __future__ import annotations

from search.records import Report


def display_date(report: Report) -> str | None:
    """A report's date as a person reads it, at its precision: ``2021``, ``2023-12`` or ``2023-12-28``."""
    if report.date is None:
        return None
    iso = report.date.isoformat()
    return {"year": iso[:4], "month": iso[:7]}.get(report.date_precision or "day", iso)


def directive_records(reports: list[Report]) -> list[dict]:
    """One record per code: type, issuer, issuing date, citing reports and passages, report span.

    ``first_report`` and ``last_report`` are the earliest and latest report dates
    (``YYYY-MM-DD``, the first day of a report's period, as everywhere).
    """
    by_code: dict[str, dict] = {}
    for report in reports:
        for code, info in report.directive_info.items():
            r = by_code.setdefault(code, {
                "code": code, "type": info.get("type"), "issuer": info.get("issuer"),
                "date": None, "reports": 0, "passages": 0, "first_report": None,
                "last_report": None,
            })
            r["date"] = r["date"] or info.get("date")
            r["reports"] += 1
            r["passages"] += info.get("passages", 0)
            if report.date is not None:
                shown = report.date.isoformat()
                r["first_report"] = min(filter(None, [r["first_report"], shown]))
                r["last_report"] = max(filter(None, [r["last_report"], shown]))
    return sorted(by_code.values(), key=lambda r: (-r["reports"], -r["passages"], r["code"]))
