"""The run form: the JSON schema Prefect builds from each flow's signature (what the UI draws
and what the server validates a run's parameters against), and the flows' own validation."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from prefect import Flow
from prefect.exceptions import ParameterTypeError
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import validate

from newsmill.cli.ingest import ingest_parameters, reextract_parameters, reprocess_parameters
from newsmill.cli.main import build_parser
from newsmill.flows.ingest import ingest, reextract, reprocess
from newsmill.flows.parameters import day
from newsmill.flows.report import report
from newsmill.settings import Settings

FLOWS: dict[str, Flow[Any, Any]] = {"ingest": ingest, "reextract": reextract,
                                    "reprocess": reprocess, "report": report}
PATH_PARAMETERS = {"ingest": ["sources", "db"], "reextract": ["db"], "reprocess": ["db"],
                   "report": ["out", "db"]}


def _schema(name: str) -> dict[str, Any]:
    return parameter_schema(FLOWS[name].fn).model_dump_for_openapi()


def _errors(name: str, parameters: dict[str, Any]) -> dict[str, str]:
    """The server's refusals of ``parameters`` (as for a run created from the form): the
    parameter's name -> its messages."""
    found = validate(parameters, _schema(name), raise_on_error=False, preprocess=True,
                     ignore_required=False, allow_none_with_default=False)
    out: dict[str, str] = {}
    for error in found:
        key = str(error.path[0]) if error.path else ""
        out[key] = (out.get(key, "") + " " + error.message).strip()
    return out


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_field_is_one_input_with_a_title_and_a_description(name: str) -> None:
    properties = _schema(name)["properties"]
    assert properties
    for field, spec in properties.items():
        # No `X | None`: the form draws anyOf [X, null] as a type switch ("Property is type
        # 'None'").
        assert "anyOf" not in spec and spec.get("type") not in (None, "null"), (field, spec)
        assert spec["title"] != field and "_" not in spec["title"], spec["title"]
        assert len(spec.get("description", "")) > 20, field
        if field != "sources":
            assert "default" in spec and spec["default"] is not None, field


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_path_fields_say_where_relative_paths_resolve(name: str) -> None:
    properties = _schema(name)["properties"]
    for field in PATH_PARAMETERS[name]:
        assert "relative to the folder the worker runs the flow from" in \
            properties[field]["description"], field


def test_the_form_defaults_are_valid_parameters() -> None:
    for name in FLOWS:
        required = {"sources": ["samples/corpus"]} if name == "ingest" else {}
        assert _errors(name, required) == {}, name


def test_refusals_name_the_rule() -> None:
    errors = _errors("ingest", {"sources": ["x.html"], "batch_size": 0, "max_articles": -1,
                                "captured_since": "2024-3-1", "urls_are": "rss"})
    assert errors["batch_size"] == "0 is less than the minimum of 1"
    assert errors["max_articles"] == "-1 is less than the minimum of 0"
    assert "does not match" in errors["captured_since"]
    assert "is not one of ['auto', 'feed', 'sitemap', 'homepage']" in errors["urls_are"]
    assert _errors("ingest", {"sources": []}) == {"sources": "[] should be non-empty"}
    assert "should be non-empty" in _errors("ingest", {"sources": [""]})["sources"]
    assert "does not match" in _errors("ingest", {"sources": ["  "]})["sources"]
    assert "is less than the minimum of 1" in _errors("reprocess", {"batch_size": 0})[
        "batch_size"]
    assert "does not match" in _errors("report", {"since": "yesterday"})["since"]


def test_the_flow_itself_refuses_an_empty_source_with_a_reason() -> None:
    # A run made past the server's check (an API client that skips it) fails at its start.
    with pytest.raises(ParameterTypeError, match="a source cannot be empty"):
        ingest.validate_parameters({"sources": ["samples/corpus", "   "]})
    with pytest.raises(ParameterTypeError, match="batch_size"):
        ingest.validate_parameters({"sources": ["x"], "batch_size": 0})


def test_days_are_parsed_or_refused_by_name() -> None:
    assert day("", "since") is None
    assert str(day("2024-03-01", "since")) == "2024-03-01"
    with pytest.raises(ValueError, match=r"captured_until: '2024-02-30' is not a day"):
        day("2024-02-30", "captured_until")


@pytest.mark.parametrize(("argv", "flow", "build"), [
    (["ingest", "--feed", "--max-articles", "3", "--since", "2024-03-01", "--site", "bbc.co.uk",
      "a.html", ""], ingest, ingest_parameters),
    (["ingest", "x.txt"], ingest, ingest_parameters),
    (["reextract", "--run", "r1", "--db", "w.duckdb"], reextract, reextract_parameters),
    (["reprocess", "--language", "fr", "--model", "m"], reprocess, reprocess_parameters),
])
def test_the_cli_passes_parameters_the_flow_accepts(argv: list[str], flow: Flow[Any, Any],
                                                     build: Any) -> None:
    args: argparse.Namespace = build_parser().parse_args(argv)
    parameters = build(args, Settings.from_env({}))
    flow.validate_parameters(parameters)  # raises what a flow run would refuse
    assert _errors(flow.name, parameters) == {}
    if argv[:2] == ["ingest", "--feed"]:
        assert parameters["sources"] == ["a.html"]  # the empty one skipped, as a direct run does
        assert (parameters["urls_are"], parameters["max_articles"],
                parameters["captured_since"], parameters["sites"]) == (
            "feed", 3, "2024-03-01", ["bbc.co.uk"])
