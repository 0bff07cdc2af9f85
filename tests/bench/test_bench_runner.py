"""The benchmark runner: selection, rows, the report files, the second run without the
OpenBLAS variables, and the transformer benchmark's two models. No timing is asserted."""

import json
from types import SimpleNamespace

import pytest
import torch

import ember
from bench import report, suite, transformer_step
from bench.__main__ import main


def _add_one(lib):
    ones = lib.ones(3)
    return lambda: ones + 1


TINY = SimpleNamespace(KEY="tiny", NAME="tiny add", TARGET=1.5, OPS_PER_STEP=1,
                       make_step=_add_one)
WHOLE_RUN = SimpleNamespace(KEY="whole", NAME="whole run", TARGET=1.5,
                            run_once={"ember": 3.0, "torch": 2.0}.get)
SKIPPED = SimpleNamespace(KEY="skipped", NAME="not here", TARGET=1.0, OPS_PER_STEP=1,
                          make_step=_add_one, skip_reason=lambda: "skipped: no such script")


def _broken_step(lib):
    raise RuntimeError("no kernel | for this\nsecond line")


BROKEN = SimpleNamespace(KEY="broken", NAME="broken", TARGET=1.0, OPS_PER_STEP=1,
                         make_step=_broken_step)


def _report(rows, unset_rows=None):
    results = {"created": "2026-01-02T03:04:05+00:00", "machine": report.machine(),
               "repeats": 1, "seconds": 0.001, "script_repeats": 1, "load_average": [0.5, 3.25],
               "openblas_variables": {},
               "blas_kernel": "openblas 0.3 SkylakeX", "blas_kernel_unset": None, "rows": rows}
    if unset_rows is not None:
        results["openblas_variables"] = {"OPENBLAS_CORETYPE": "Haswell"}
        results["blas_kernel_unset"] = "openblas 0.3 Zen"
        suite.merge_unset_ratios(rows, unset_rows)
    return results


def test_select_by_key_prefix_in_suite_order():
    assert [b.KEY for b in suite.select(["transformer", "mlp"])] == [
        "mlp_sgd", "mlp_adam", "transformer"]
    assert suite.select([]) == suite.BENCHMARKS
    assert [b.KEY for b in suite.select(["dataloader_2"])] == ["dataloader_2"]


def test_unknown_name_is_an_error_naming_the_known_keys(capsys):
    with pytest.raises(ValueError, match="no benchmark named nope .*transformer"):
        suite.select(["nope"])
    with pytest.raises(SystemExit) as exit_info:
        main(["nope"])
    assert exit_info.value.code == 2
    assert "no benchmark named nope" in capsys.readouterr().err


def test_keys_are_unique():
    keys = [benchmark.KEY for benchmark in suite.BENCHMARKS]
    assert len(keys) == len(set(keys))


def test_rows_of_timed_whole_run_skipped_and_failed_benchmarks():
    timed = suite.run(TINY, repeats=2, seconds=0.001)
    assert timed["ember_seconds"] > 0 and timed["torch_seconds"] > 0 and timed["note"] is None
    assert timed["ratio"] == pytest.approx(timed["ember_seconds"] / timed["torch_seconds"])
    assert suite.run(WHOLE_RUN, repeats=7, seconds=0.001)["ratio"] == 1.5
    skipped = suite.run(SKIPPED, repeats=1, seconds=0.001)
    assert skipped["ratio"] is None and skipped["note"] == "skipped: no such script"
    broken = suite.run(BROKEN, repeats=1, seconds=0.001)
    assert broken["ratio"] is None
    assert broken["note"] == "failed: RuntimeError: no kernel | for this\nsecond line"


def test_paired_rounds_give_the_range_of_round_ratios():
    times = {"ember": iter([3.0, 1.0, 2.0]), "torch": iter([2.0, 2.0, 4.0])}
    varying = SimpleNamespace(KEY="varying", NAME="varying", TARGET=1.0,
                              run_once=lambda library: next(times[library]))
    row = suite.run(varying, repeats=1, seconds=0.001, script_repeats=3)
    assert row["round_ratios"] == [0.5, 1.5]  # 3/2, 1/2, 2/4
    assert row["ratio"] == 1.0  # median 2.0 over median 2.0


def test_report_files_from_one_run(tmp_path):
    rows = [suite.run(benchmark, 1, 0.001) for benchmark in (TINY, WHOLE_RUN, SKIPPED, BROKEN)]
    results = _report(rows)
    json_path, markdown_path, png_path = report.write(results, tmp_path)

    assert json.loads(json_path.read_text()) == results
    text = markdown_path.read_text()
    assert ("| benchmark | ember median | torch median | ratio | paired rounds | target |\n"
            in text)
    assert "| whole run | 3.00 s | 2.00 s | 1.50 | 1.50\u20131.50 | 1.50 |" in text
    assert "| not here (skipped: no such script) | - | - | - | - | 1.00 |" in text
    assert ("| broken (failed: RuntimeError: no kernel \\| for this second line) | - | - | - "
            "| - | 1.00 |") in text
    assert "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are not set, so the suite ran once" in text
    assert results["machine"]["cpu"] in text and f"NumPy {results['machine']['numpy']}" in text
    assert "Load average 0.5 at the start, 3.2 at the end" in text
    assert png_path.read_bytes().startswith(b"\x89PNG")

    terminal = report.text_table(results)
    assert terminal.splitlines()[0].split() == ["benchmark", "ember", "median", "torch",
                                                "median", "ratio", "paired", "rounds",
                                                "target"]


def test_report_with_a_second_run_without_the_openblas_variables(tmp_path):
    rows = [suite.run(benchmark, 1, 0.001) for benchmark in (WHOLE_RUN, SKIPPED)]
    unset_rows = [dict(rows[0], ratio=0.9), dict(rows[1])]
    results = _report(rows, unset_rows)
    _, markdown_path, png_path = report.write(results, tmp_path)

    text = markdown_path.read_text()
    assert "| ratio | paired rounds | target | ratio, OpenBLAS vars unset |\n" in text
    assert "| whole run | 3.00 s | 2.00 s | 1.50 | 1.50\u20131.50 | 1.50 | 0.90 |" in text
    assert "OPENBLAS_CORETYPE=Haswell" in text and "openblas 0.3 Zen" in text
    assert png_path.read_bytes().startswith(b"\x89PNG")


def test_missed_targets_are_listed():
    results = _report([suite.run(WHOLE_RUN, 1, 0.001)], [dict(suite.run(WHOLE_RUN, 1, 0.001),
                                                          ratio=2.0)])
    assert "Targets missed: whole run: 1.50 / 2.00 > 1.50." in report.markdown(results)


@pytest.mark.parametrize(("seconds", "shown"), [
    (2.1e-6, "2.10 us"), (7.27e-3, "7.27 ms"), (0.0727, "72.7 ms"), (612.4, "612 s"),
    (None, "-")])
def test_durations_in_the_unit_that_reads_best(seconds, shown):
    assert report.format_duration(seconds) == shown


def test_the_cli_reruns_without_the_openblas_variables(tmp_path, monkeypatch, capsys):
    """With the variables set, ``python -m bench`` runs the suite again in a child whose
    environment lacks them (so its OpenBLAS loads its own choice of kernel, not the one
    named here), and the report holds both runs' kernels and ratios."""
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Prescott")
    monkeypatch.setenv("OPENBLAS_L2_SIZE", "1048576")
    assert main(["per_op", "--repeats", "1", "--seconds", "0.001", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["openblas_variables"] == {"OPENBLAS_CORETYPE": "Prescott",
                                             "OPENBLAS_L2_SIZE": "1048576"}
    assert results["blas_kernel_unset"] and "Prescott" not in results["blas_kernel_unset"]
    [row] = results["rows"]
    assert row["key"] == "per_op" and row["ratio"] > 0 and row["ratio_openblas_unset"] > 0
    assert "Again without OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE" in capsys.readouterr().out


def test_transformer_models_start_from_the_same_loss():
    losses = []
    for lib in (ember, torch):
        model, tokens = transformer_step.build(lib)
        assert model.token_embedding.weight.shape == (256, 128)
        assert len(model.blocks.layers) == 2
        losses.append(transformer_step.loss_of(lib, model, tokens).item())
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)

