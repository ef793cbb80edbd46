"""Report- and directive-level listings computed from the index's metadata (no Whoosh)."""

from __future__ import annotations


def display_date(date: str | None, precision: str | None) -> str | None:
    """An ISO date at the precision the report gives: ``2021``, ``2023-12``, ``2023-12-28``."""
    if not date:
        return None
    return {"year": date[:4], "month": date[:7]}.get(precision or "day", date)


def document_records(documents: dict[str, dict]) -> list[dict]:
    return [
        {
            "doc": doc,
            "title": d["title"],
            "date": display_date(d["date"], d.get("date_precision")),
            "date_precision": d.get("date_precision"),
            "organization": d["organization"],
            "directives": d["directives"],
            "passages": d["passages"],
        }
        for doc, d in sorted(documents.items())
    ]


def directive_records(documents: dict[str, dict]) -> list[dict]:
    """One record per code: type, issuer, issuing date, citing reports and passages, report span."""
    by_code: dict[str, dict] = {}
    for doc, d in documents.items():
        for code, info in d.get("directive_info", {}).items():
            r = by_code.setdefault(code, {
                "code": code, "type": info.get("type"), "issuer": info.get("issuer"),
                "date": None, "reports": 0, "passages": 0, "first_report": None,
                "last_report": None,
            })
            r["date"] = r["date"] or info.get("date")
            r["reports"] += 1
            r["passages"] += info.get("passages", 0)
            shown = display_date(d.get("date"), d.get("date_precision"))
            if shown:  # ISO strings of any precision sort chronologically
                r["first_report"] = min(filter(None, [r["first_report"], shown]))
                r["last_report"] = max(filter(None, [r["last_report"], shown]))
    return sorted(by_code.values(), key=lambda r: (-r["reports"], -r["passages"], r["code"]))
