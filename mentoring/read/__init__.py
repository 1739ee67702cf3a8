"""Read models: what each page shows, assembled in a fixed number of queries.

Views call one function here and render what it returns; they do not query. A read
model checks nothing itself: the view has already loaded the record through
`mentoring.services.common.scope.load_visible`, or asks for a user's own rows.
"""

from dataclasses import fields
from typing import Any


def as_context(page: Any) -> dict[str, Any]:
    """A read model's fields as template variables (shallow: rows stay as they are)."""
    return {f.name: getattr(page, f.name) for f in fields(page)}
