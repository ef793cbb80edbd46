"""What is read from a report's article: title, date, organization, directives.

One module per field: ``title``, ``date``, ``organization`` and ``directives``
(which also finds the code mentions of any text, ``code_mentions``).
"""

from search.ingest.metadata.date import extract_date
from search.ingest.metadata.directives import extract_directives
from search.ingest.metadata.organization import extract_organization
from search.ingest.metadata.title import extract_title

__all__ = ["extract_date", "extract_directives", "extract_organization", "extract_title"]
