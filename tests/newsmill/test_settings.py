"""Settings from NEWSMILL_* variables: newsmill.settings.Settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsmill.settings import AUTO_MODEL, ENV_PREFIX, Settings

FIELD_NAMES = [f.name for f in dataclasses.fields(Settings)]


def test_defaults_with_an_empty_environment():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.db == Path("data/newsmill.duckdb")
    assert isinstance(settings.db, Path)
    assert settings.spacy_model == AUTO_MODEL == "auto"
    assert settings.batch_size == 200
    assert settings.fetch_timeout == 20.0


def test_explicit_env_ignores_the_process_environment(monkeypatch):
    monkeypatch.setenv("NEWSMILL_BATCH_SIZE", "7")
    assert Settings.from_env({}).batch_size == 200
    assert Settings.from_env().batch_size == 7  # None means os.environ


def test_values_are_parsed_to_the_field_types():
    settings = Settings.from_env({
        "NEWSMILL_BATCH_SIZE": "50",
        "NEWSMILL_DB": "/tmp/warehouse/news.duckdb",
        "NEWSMILL_FETCH_TIMEOUT": "2.5",
        "NEWSMILL_SPACY_MODEL": "en_core_web_sm",
        "NEWSMILL_NLP_BATCH_SIZE": " 16 ",
    })
    assert settings.batch_size == 50 and isinstance(settings.batch_size, int)
    assert settings.db == Path("/tmp/warehouse/news.duckdb")
    assert isinstance(settings.db, Path)
    assert settings.fetch_timeout == 2.5 and isinstance(settings.fetch_timeout, float)
    assert settings.spacy_model == "en_core_web_sm"
    assert settings.nlp_batch_size == 16


def test_empty_values_and_unrelated_variables_are_ignored():
    settings = Settings.from_env({"NEWSMILL_BATCH_SIZE": "", "BATCH_SIZE": "3",
                                  "newsmill_batch_size": "4", "NEWSMILL_UNKNOWN": "x"})
    assert settings.batch_size == 200


def test_overrides_win_and_none_overrides_are_ignored():
    env = {"NEWSMILL_BATCH_SIZE": "50", "NEWSMILL_SPACY_MODEL": "en_core_web_sm",
           "NEWSMILL_DB": "env.duckdb"}
    settings = Settings.from_env(env, batch_size=10, spacy_model=None, db=None)
    assert settings.batch_size == 10
    assert settings.spacy_model == "en_core_web_sm"
    assert settings.db == Path("env.duckdb")


def test_unknown_override_is_refused():
    with pytest.raises(TypeError, match="no_such_setting"):
        Settings.from_env({}, no_such_setting=1)


def test_str_override_for_db_becomes_a_path():
    assert isinstance(Settings.from_env({}, db="x.duckdb").db, Path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BATCH_SIZE", "abc"),
        ("BATCH_SIZE", "2.5"),
        ("BATCH_SIZE", "0"),
        ("NLP_BATCH_SIZE", "-1"),
        ("MAX_INPUT_BYTES", "0"),
        ("MAX_TEXT_CHARS", "-10"),
        ("FETCH_TIMEOUT", "soon"),
        ("FETCH_TIMEOUT", "0"),
    ],
)
def test_invalid_values_raise_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=ENV_PREFIX + name):
        Settings.from_env({ENV_PREFIX + name: value})


@pytest.mark.parametrize("name", ["FETCH_RETRIES", "MIN_TEXT_CHARS"])
def test_negative_counts_raise_naming_the_variable(name):
    with pytest.raises(ValueError, match=ENV_PREFIX + name):
        Settings.from_env({ENV_PREFIX + name: "-1"})


def test_minimum_longer_than_maximum_is_refused():
    with pytest.raises(ValueError):
        Settings.from_env({"NEWSMILL_MIN_TEXT_CHARS": "5000", "NEWSMILL_MAX_TEXT_CHARS": "1000"})


def test_invalid_override_is_refused_too():
    with pytest.raises(ValueError, match="NEWSMILL_BATCH_SIZE"):
        Settings.from_env({}, batch_size=0)


def test_settings_are_frozen():
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.batch_size = 1  # type: ignore[misc]


def test_replace_makes_a_validated_copy():
    settings = Settings.from_env({})
    smaller = settings.replace(batch_size=5)
    assert (smaller.batch_size, settings.batch_size) == (5, 200)
    with pytest.raises(ValueError, match="NEWSMILL_BATCH_SIZE"):
        settings.replace(batch_size=-5)


def test_as_record_is_json_ready():
    record = Settings.from_env({"NEWSMILL_DB": "a/b.duckdb"}).as_record()
    assert set(record) == set(FIELD_NAMES)
    assert record["db"] == "a/b.duckdb"
    assert record["batch_size"] == 200


def test_describe_lists_every_field_with_a_doc():
    rows = Settings.describe()
    assert [name for name, _, _ in rows] == [ENV_PREFIX + n.upper() for n in FIELD_NAMES]
    defaults = Settings()
    for (_, default, doc), name in zip(rows, FIELD_NAMES, strict=True):
        assert doc.strip(), name
        assert default == str(getattr(defaults, name))
