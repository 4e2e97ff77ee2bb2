"""analysis.inference.fitcache: fits shared between chapters, keyed by data, code and settings."""

from __future__ import annotations

import pytest

import analysis.results.design
from analysis.inference import fitcache
from analysis.inference.fitcache import cached, fit_key


def test_key_changes_with_settings_and_code_but_is_stable():
    base = fit_key("contact", resources=["paluck2019_contact_studies"], modules=[fitcache])
    assert base == fit_key("contact", resources=["paluck2019_contact_studies"], modules=[fitcache])
    assert base != fit_key("contact", resources=["paluck2019_contact_studies"], modules=[fitcache],
                           settings={"prior_sd": 1.0})
    assert base != fit_key("contact", resources=["paluck2019_contact_studies"],
                           modules=[fitcache, analysis.results.design])


def test_unknown_resource_is_an_error():
    with pytest.raises(KeyError, match="no_such_file"):
        fit_key("x", resources=["no_such_file"], modules=[fitcache])


def test_cached_runs_once_then_loads(tmp_path):
    calls = []

    def run():
        calls.append(1)
        return {"answer": 42}

    assert cached("fit", "aaaa1111", run, fit_dir=tmp_path) == {"answer": 42}
    assert cached("fit", "aaaa1111", run, fit_dir=tmp_path) == {"answer": 42}
    assert len(calls) == 1


def test_new_key_replaces_the_stale_fit_of_that_name_only(tmp_path):
    cached("fit", "aaaa1111", lambda: 1, fit_dir=tmp_path)
    cached("fit-other", "bbbb2222", lambda: 2, fit_dir=tmp_path)
    cached("fit", "cccc3333", lambda: 3, fit_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit-cccc3333.pkl",
                                                         "fit-other-bbbb2222.pkl"]


def test_a_planted_change_in_the_shared_fit_module_gives_a_new_key(monkeypatch):
    base = fit_key("composition", resources=["paluck2019_contact_studies"], modules=[])
    original = fitcache.inspect.getsource

    def planted(module):
        source = original(module)
        planted = module.__name__ == "analysis.inference.shared_fits"
        return source + "\n# planted" if planted else source

    monkeypatch.setattr(fitcache.inspect, "getsource", planted)
    assert fit_key("composition", resources=["paluck2019_contact_studies"], modules=[]) != base


def test_cached_logs_whether_it_sampled_or_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(fitcache, "FIT_LOG", [])
    cached("fit", "aaaa1111", lambda: 1, fit_dir=tmp_path)
    cached("fit", "aaaa1111", lambda: 1, fit_dir=tmp_path)
    assert [e["source"] for e in fitcache.FIT_LOG] == ["sampled", "loaded"]
    assert fitcache.FIT_LOG[0]["key"] == "aaaa1111"
