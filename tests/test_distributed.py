"""Data-parallel runs (issue 15): 2 gloo ranks on the CPU give the 1-process report; errors and Ctrl-C
end every rank alike, with one line.

The equality tests launch 2 ranks once (torchrun, the Python API inside the group: `helpers.distributed.
DRIVER`) for an MLP with d = 903 on the stochastic paths (Lanczos, Hutch++, SLQ, 512 sampled Hessian
columns for ρ_diag, the F_mc operator with its sampled labels), a CNN on the dense paths (with the
race, whose rows every rank gathers), a model with mapping inputs (noise, fisher, preconditioning)
a selection of one sample (rank 0's shard is empty: one padding row at weight 0) and DataLoaders of 5
batches and of 1 batch (ranks hold contiguous ranges of batches; rank 0 none in the second). N = 9 is odd:
the shards hold 4 and 5 rows. Every number must equal the 1-process report's to 1e-10 relative
(float64): the ranks' sums differ from one process's only in summation order (≈ 1e-16 relative), and
the random draws (probes, start vectors, columns, MC labels) are the same. One exception, defended by
a measurement: the conjugate-gradient solve of `fisher.cos_precond_F_EF` stops at a relative residual
≤ 1e-6 and amplifies summation order (one process with --batch-size 4 instead of 9 moves its value by
2e-8 relative and its iteration count by one); it is compared within its own reported error bound.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from helpers.distributed import RUNS, build, finish, start_ranks, torchrun
from helpers.golden import report_differences
from hessdiag import api, distributed
from hessdiag.load import make_settings
from hessdiag.load.build import local_shard
from hessdiag.operators.reduction import reduce_sum

REL = 1e-10
ERROR = "hessdiag: error:"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("dp"))


@pytest.fixture(scope="module")
def two_rank_reports(workspace) -> dict[str, dict]:
    (workspace / "runs.json").write_text(json.dumps(RUNS))
    done = torchrun(["dpdriver.py", "runs.json"], 2, workspace, module=False)
    assert done.returncode == 0, failure(done.stderr)
    return {name: json.loads((workspace / f"{name}.json").read_text()) for name in RUNS}


def failure(stderr: str) -> str:
    """What a failed torchrun said: its head (a rank's own traceback comes first) and its tail (torchrun's
    summary of which rank died how)."""
    return stderr if len(stderr) <= 6000 else f"{stderr[:4000]}\n[...]\n{stderr[-2000:]}"


def one_process(workspace: Path, options: dict, monkeypatch) -> dict:
    monkeypatch.chdir(workspace)
    monkeypatch.syspath_prepend(str(workspace))
    return json.loads(api.run(make_settings(None, quiet=True, **options)).to_json())


def compare(two: dict, one: dict) -> list[str]:
    """Differences beyond REL (the CG cosine judged by its error bounds, `helpers.golden`), timing-dependent keys
    aside."""
    for doc in (two, one):
        doc["settings"].pop("cost")  # measured seconds
    assert one["settings"].pop("distributed") == {"world_size": 1, "backend": None, "devices": ["cpu"]}
    assert two["settings"].pop("distributed") == {"world_size": 2, "backend": "gloo", "devices": ["cpu", "cpu"]}
    return report_differences(two, one, rel=REL)


@pytest.mark.parametrize("name", list(RUNS))
def test_two_gloo_ranks_give_the_one_process_report(name, workspace, two_rank_reports, monkeypatch):
    one = one_process(workspace, RUNS[name], monkeypatch)
    assert compare(two_rank_reports[name], one) == []
    if name == "mlp":  # the paths the issue names: sampled ρ_diag, MC-Fisher, the noise section
        assert one["rho_diag"]["method"] != "exact" and one["fisher"]["F_mc_samples"] >= 1
        assert one["noise"]["trace_Sigma"] is not None
    if name == "single":
        assert one["problem"]["n_samples"] == 1
    if name == "ragged":
        assert one["recommendation"]["race"] is None and any("race: not run" in w for w in one["warnings"])


def test_torchrun_runs_the_command_line_with_one_voice(workspace, monkeypatch):
    """`torchrun -m hessdiag run …` needs no extra flag: one report, one terminal output, the 1-process numbers."""
    options = ["--model", "dpmodels:mlp", "--checkpoint", "mlp.pt", "--data", "mlp_data.pt", "--loss", "ce",
               "--only", "noise", "--race-steps", "0"]
    done = torchrun(["hessdiag", "run", *options, "--json", "cli.json"], 2, workspace)
    assert done.returncode == 0, failure(done.stderr)
    assert done.stdout.count("parameters · N = 9 samples") == 1, done.stdout  # rank 0's terminal output only
    two = json.loads((workspace / "cli.json").read_text())
    one = one_process(workspace, {"model": "dpmodels:mlp", "checkpoint": "mlp.pt", "data": "mlp_data.pt",
                                  "loss": "ce", "only": ["noise"], "race_steps": 0}, monkeypatch)
    for doc in (two, one):
        for key in ("json", "quiet"):
            doc["settings"].pop(key)
    assert compare(two, one) == []


SLOW_RANK_DRIVER = """import json, os, sys
from pathlib import Path
from hessdiag import api, distributed
from hessdiag.load import make_settings
from hessdiag.work.refit import BudgetClock

distributed.initialise("gloo", "cpu")
if distributed.rank() == 1:  # rank 1 alone falls 10^9 times behind the plan
    BudgetClock.ratio = lambda self: 1e9
report = api.run(make_settings(None, quiet=True, **json.loads(Path(sys.argv[1]).read_text())))
if distributed.is_main():
    Path("slow.json").write_text(report.to_json())
distributed.close()
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)  # as the command line does: gloo's threads can still abort a rank in the interpreter's teardown
"""


def test_a_budget_re_fit_follows_the_slowest_rank(workspace):
    """Under --budget every rank re-fits with the slowest rank's speed (`distributed.agree_max`): rank 1's
    clock says 10⁹× behind, rank 0's does not, and both skip noise and fisher at the same checkpoint (ranks
    that re-fitted apart would wait in different collectives). Rank 0's report records rank 1's ratio."""
    (workspace / "slow_driver.py").write_text(SLOW_RANK_DRIVER)
    options = {"model": "dpmodels:wide", "checkpoint": "wide.pt", "data": "mlp_data.pt", "loss": "ce",
               "exact_max_d": 0, "race_steps": 0, "budget": 600.0, "only": ["spectrum", "geometry", "noise", "fisher"]}
    (workspace / "slow.json").unlink(missing_ok=True)
    (workspace / "slow_options.json").write_text(json.dumps(options))
    done = torchrun(["slow_driver.py", "slow_options.json"], 2, workspace, module=False, timeout=240)
    assert done.returncode == 0, failure(done.stderr)
    doc = json.loads((workspace / "slow.json").read_text())
    first = doc["settings"]["cost"]["refits"][0]
    assert first["at"] == "spectrum, after Lanczos top-k" and first["speed_ratio"] == 1e9
    assert first["skipped"] == ["fisher", "noise"] and doc["noise"] is None and doc["fisher"] is None
    assert doc["grad_density"] is not None and doc["recommendation"] is not None


@pytest.mark.parametrize("model, says", [
    ("exploding", "RuntimeError: marked sample"),  # raised on rank 1 alone, while rank 0 waits in an all-reduce
    ("poisoned", "NaN/Inf"),  # a NaN in rank 1's shard: the all-reduced gradient is NaN on both
])
def test_an_error_on_rank_1_ends_both_ranks_with_one_line(model, says, workspace):
    args = ["run", "--model", f"dpmodels:{model}", "--checkpoint", "poisoned.pt", "--data", "poisoned_data.pt",
            "--loss", "ce", "--quiet", "--json", f"{model}.json"]
    results = finish(start_ranks(args, 2, workspace))
    assert [code for code, _, _ in results] == [1, 1], results
    lines = [line for _, _, err in results for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(ERROR) and says in lines[0], results
    assert results[0][2].strip() == lines[0]  # rank 0 speaks
    assert not (workspace / f"{model}.json").exists()


def _until_phase(stream, phase: str) -> list[str]:
    seen = []
    for line in stream:
        seen.append(line)
        if line.strip() == f"hessdiag-phase: {phase}":
            return seen
    raise AssertionError(f"the run ended before phase {phase}: {''.join(seen)}")


def test_ctrl_c_ends_both_ranks_with_130_and_no_report(workspace):
    """Ctrl-C in a terminal signals the launcher's whole process group: every rank gets SIGINT. Both ranks end well
    within END_WAIT_S of it: a rank caught in a collective with the other (rank 1 often is, still short of the
    spectrum) is freed within 2·ACK_WAIT_S, where it used to hold the other for one or two END_WAIT_S (40 to 70 s)."""
    args = ["run", "--model", "dpmodels:wide", "--checkpoint", "wide.pt", "--data", "mlp_data.pt", "--loss", "ce",
            "--exact-max-d", "0", "--race-steps", "0", "--quiet", "--json", "interrupted.json"]
    procs = start_ranks(args, 2, workspace, HESSDIAG_PHASE_LOG="1")
    seen = _until_phase(procs[0].stderr, "spectrum")
    for proc in procs:
        proc.send_signal(signal.SIGINT)
    signalled = time.monotonic()
    results = [(proc.wait(timeout=120), proc.stdout.read(), proc.stderr.read()) for proc in procs]
    assert time.monotonic() - signalled < 2 * distributed.ACK_WAIT_S + 15 < distributed.END_WAIT_S, results
    assert [code for code, _, _ in results] == [130, 130], results
    errors = [line for line in "".join(seen).splitlines() + [ln for _, _, e in results for ln in e.splitlines()]
              if line.startswith("hessdiag") and not line.startswith("hessdiag-phase")]
    assert len(errors) == 1 and "interrupted" in errors[0] and "no report was written" in errors[0], errors
    assert not (workspace / "interrupted.json").exists()


def test_a_single_process_is_unchanged(monkeypatch):
    """Without torchrun's WORLD_SIZE nothing is opened, sums are not touched, the shard is everything."""
    import torch

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert distributed.initialise("auto", "cpu") is None and not distributed.active()
    assert distributed.world_size() == 1 and distributed.is_main()
    t = torch.arange(3.0)
    assert reduce_sum(t) is t and distributed.agree_max([1.0, float("nan")])[0] == 1.0
    whole = local_shard(t[:, None], t, torch.full((3,), 1 / 3))
    assert whole.size == 3 and float(whole.w.sum()) == pytest.approx(1.0)
    said = []
    assert distributed.conclude(1, "boom", said.append) == 1 and said == ["boom"]
    distributed.close()  # nothing open: nothing to close
    assert not distributed.active()


def test_an_unknown_backend_is_refused():
    from hessdiag.errors import ConfigError

    with pytest.raises(ConfigError, match="dist_backend must be auto, gloo or nccl"):
        make_settings(dist_backend="mpi")
    with pytest.raises(ConfigError, match="--dist-backend must be auto, gloo or nccl"):
        distributed.initialise("mpi", "cpu")


CUDA = pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA device")


@CUDA
@pytest.mark.parametrize("run", sorted(RUNS))
def test_cuda_a_float64_gpu_run_gives_the_cpu_report(workspace, monkeypatch, run):
    """The same computation on another device: float64 products, the float64 Lanczos on the GPU, for every
    run of the data-parallel tests (stochastic and dense paths, mapping inputs, DataLoaders, one sample)."""
    import torch

    options = dict(RUNS[run], dtype="float64")
    cpu = one_process(workspace, options, monkeypatch)
    gpu = one_process(workspace, dict(options, device="cuda"), monkeypatch)
    assert not torch.backends.cuda.matmul.allow_tf32 and gpu["settings"]["allow_tf32"] is False
    for doc in (cpu, gpu):
        doc["problem"].pop("device"), doc["settings"].pop("device"), doc["settings"].pop("distributed")
    assert [d for d in report_differences(gpu, cpu, rel=1e-8) if not d.startswith("settings.cost")] == []


@CUDA
def test_cuda_tf32_only_when_allowed_and_the_callers_switches_return(workspace, monkeypatch):
    import torch

    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", True)  # PyTorch's defaults
    report = one_process(workspace, dict(RUNS["single"], device="cuda", dtype="float32", allow_tf32=True),
                         monkeypatch)
    assert report["settings"]["allow_tf32"] is True and any("allow-tf32" in w for w in report["warnings"])
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == (False, True)
    report = one_process(workspace, dict(RUNS["single"], device="cuda"), monkeypatch)
    assert report["settings"]["allow_tf32"] is False and not any("allow-tf32" in w for w in report["warnings"])
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == (False, True)


@pytest.mark.skipif(__import__("torch").cuda.device_count() < 2, reason="needs 2 CUDA devices")
def test_cuda_two_nccl_ranks_give_the_one_gpu_report(workspace, monkeypatch):
    options = ["--model", "dpmodels:cnn", "--checkpoint", "cnn.pt", "--data", "cnn_data.pt", "--loss", "ce",
               "--device", "cuda", "--dtype", "float64", "--only", "spectrum,noise", "--race-steps", "0"]
    done = torchrun(["hessdiag", "run", *options, "--json", "nccl.json", "--quiet"], 2, workspace)
    assert done.returncode == 0, failure(done.stderr)
    two = json.loads((workspace / "nccl.json").read_text())
    assert two["settings"]["distributed"] == {"world_size": 2, "backend": "nccl", "devices": ["cuda:0", "cuda:1"]}
    one = one_process(workspace, {"model": "dpmodels:cnn", "checkpoint": "cnn.pt", "data": "cnn_data.pt", "loss": "ce",
                                  "device": "cuda", "dtype": "float64", "only": ["spectrum", "noise"],
                                  "race_steps": 0}, monkeypatch)
    two["settings"]["distributed"] = {"world_size": 1, "backend": None, "devices": [one["problem"]["device"]]}
    two["problem"]["device"] = one["problem"]["device"]
    for key in ("json", "quiet", "cost"):
        two["settings"].pop(key), one["settings"].pop(key)
    assert report_differences(two, one, rel=1e-10) == []
