"""The flows' parameters as the Prefect UI's run form shows them.

Prefect builds a deployment's form from the JSON schema of its flow's signature
(``prefect.utilities.callables.parameter_schema``). Two of its habits decide how parameters
are written here:

- A parameter typed ``X | None`` becomes ``anyOf: [X, null]``, which the form draws as a
  type switch with "Property is type 'None'" under it, and whose errors read "is not valid
  under any of the given schemas". So every optional parameter has a value of its own type
  meaning "not given": ``""`` for text (then the worker's settings decide), ``0`` for a cap,
  ``"auto"`` for a choice.
- Prefect sets each field's title to the parameter's name and its description to the
  docstring's ``Args`` entry (or nothing), whatever a pydantic ``Field`` says; only
  ``json_schema_extra`` reaches the schema untouched. :func:`form_field` puts the title and
  the description there.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic.fields import FieldInfo

from newsmill.settings import Settings

#: Where a relative path of a run from the UI resolves, said in every path's description.
RELATIVE_PATHS = ("A relative path is relative to the folder the worker runs the flow from "
                  "(the checkout prefect deploy recorded).")
#: A day as the form takes it: empty, or YYYY-MM-DD.
DAY_PATTERN = r"^(\d{4}-\d{2}-\d{2})?$"


def form_field(title: str, description: str, **constraints: Any) -> FieldInfo:
    """A pydantic ``Field`` whose ``title`` and ``description`` reach the Prefect form."""
    info: FieldInfo = Field(json_schema_extra={"title": title, "description": description},
                            **constraints)
    return info


def _source_given(value: str) -> str:
    if not value.strip():
        raise ValueError("a source cannot be empty: give a file, a folder, a URL or @list.txt")
    return value


#: One source: not empty, not only spaces (the form's "Add item" leaves an empty one). The
#: schema's rules refuse it on the server; the flow's check, which says why, catches a run
#: made without that check (pydantic would test a pattern first, with a bare message).
SourceText = Annotated[str, Field(json_schema_extra={"minLength": 1, "pattern": r"\S"}),
                       AfterValidator(_source_given)]


def day(value: str, name: str) -> date | None:
    """A day parameter (``""`` or ``YYYY-MM-DD``) as a date, None when empty."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a day (YYYY-MM-DD)") from None


def or_none(value: str) -> str | None:
    """A text parameter, None when left empty (the settings decide)."""
    return value.strip() or None


#: Largest batch a form accepts (a batch is one transaction; 100,000 documents of ~3 KB each
#: is ~300 MB of text in one task run).
MAX_BATCH_SIZE = 100_000
#: The batch size a form starts with: the settings' own default (NEWSMILL_BATCH_SIZE's).
DEFAULT_BATCH_SIZE: int = Settings().batch_size

#: The parameters the run flows share.
Warehouse = Annotated[str, form_field(
    "Warehouse file",
    "The DuckDB file. Empty: the worker's NEWSMILL_DB, else data/newsmill.duckdb. "
    + RELATIVE_PATHS)]
BatchSize = Annotated[int, form_field(
    "Batch size",
    "Documents per batch: one task run and one warehouse transaction each; a whole number "
    f"from 1 to {MAX_BATCH_SIZE:,} (the worker's NEWSMILL_BATCH_SIZE is not read: this "
    "value is the run's).", ge=1, le=MAX_BATCH_SIZE)]
SpacyModel = Annotated[str, form_field(
    "spaCy model",
    "spaCy pipeline for English: an installed package name or a model folder. Empty: the "
    "worker's NEWSMILL_SPACY_MODEL, else the best installed.")]
