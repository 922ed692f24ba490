"""course.distributed.run_distributed: real gloo processes on this machine, kept to a few seconds."""
from __future__ import annotations

import multiprocessing
import tempfile
import time

import pytest
import torch
import torch.distributed as dist

from course import distributed
from course.distributed import DistributedError, run_distributed


def all_reduce_sum(rank, world_size):
    x = torch.arange(4, dtype=torch.float32) + 10 * rank
    dist.all_reduce(x)
    return x


def test_all_reduce_on_two_processes():
    results = run_distributed(all_reduce_sum, world_size=2)
    expected = torch.arange(4, dtype=torch.float32) * 2 + 10
    assert len(results) == 2 and all(torch.equal(r, expected) for r in results)


def ring_shift(rank, world_size, offset, scale=1.0):
    send = torch.full((3,), float(rank) * scale + offset)
    recv = torch.empty(3)
    right, left = (rank + 1) % world_size, (rank - 1) % world_size
    req = dist.isend(send, right)
    dist.recv(recv, left)
    req.wait()
    return {"rank": dist.get_rank(), "world": dist.get_world_size(), "got": recv}


def test_point_to_point_args_kwargs_and_rank_order():
    results = run_distributed(ring_shift, world_size=3, args=(0.5,), kwargs={"scale": 2.0})
    assert [r["rank"] for r in results] == [0, 1, 2] and all(r["world"] == 3 for r in results)
    for rank, r in enumerate(results):
        assert torch.equal(r["got"], torch.full((3,), ((rank - 1) % 3) * 2.0 + 0.5))


def test_world_size_one():
    assert run_distributed(lambda rank, world_size: (rank, world_size), world_size=1) == [(0, 1)]


def fail_on_rank_one(rank, world_size):
    if rank == 1:
        raise ZeroDivisionError("rank one divides by zero")
    x = torch.zeros(1)
    dist.recv(x, 1)  # waits for a message that never comes: the helper must not wait for the timeout
    return x


def test_a_failing_rank_is_named_with_its_traceback_and_others_are_stopped():
    start = time.monotonic()
    with pytest.raises(DistributedError) as info:
        run_distributed(fail_on_rank_one, world_size=2, timeout=30)
    assert time.monotonic() - start < 10
    err = info.value
    assert err.rank == 1
    assert str(err).startswith("rank 1 of 2 failed: ZeroDivisionError: rank one divides by zero")
    assert "fail_on_rank_one" in err.remote_traceback
    assert multiprocessing.active_children() == []


def deadlock(rank, world_size):
    if rank == 0:
        x = torch.zeros(1)
        dist.recv(x, 1)  # rank 1 never sends
    return rank


def test_a_deadlock_ends_at_the_timeout():
    start = time.monotonic()
    # 15 s: on a loaded 2-core machine starting the ranks alone can take seconds
    with pytest.raises(DistributedError, match="did not finish within 15 s") as info:
        run_distributed(deadlock, world_size=2, timeout=15)
    assert time.monotonic() - start < 45
    # where the stuck rank waits (its faulthandler stack) is best effort: under pytest-xdist the
    # forked ranks' stacks can show the worker's own frames first, so only the rank is checked
    assert info.value.rank in (0, 1)
    assert multiprocessing.active_children() == []


def dies(rank, world_size):
    import os

    if rank == 0:
        os._exit(3)
    return rank


def test_a_rank_that_dies_without_a_result():
    with pytest.raises(DistributedError, match=r"rank 0 of 2 failed: the process died \(exit code 3\)"):
        run_distributed(dies, world_size=2, timeout=20)


def unpicklable(rank, world_size):
    return lambda: rank


def test_an_unpicklable_result_is_reported():
    with pytest.raises(DistributedError, match="cannot be pickled"):
        run_distributed(unpicklable, world_size=2, timeout=20)


def chatty(rank, world_size):
    import sys

    print(f"hello from {rank}")
    print("a warning", file=sys.stderr)
    return rank


def test_rank_output_stays_out_of_the_parents_streams_unless_echoed(capfd):
    assert run_distributed(chatty, world_size=2) == [0, 1]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    run_distributed(chatty, world_size=2, echo=True)
    out, err = capfd.readouterr()
    assert out.splitlines() == ["[rank 0] hello from 0", "[rank 1] hello from 1"] and err == ""


def test_the_temporary_folder_is_removed(monkeypatch):
    made = []
    real = tempfile.mkdtemp

    def spy(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(distributed.tempfile, "mkdtemp", spy)
    run_distributed(all_reduce_sum, world_size=2)
    with pytest.raises(DistributedError):
        run_distributed(fail_on_rank_one, world_size=2)
    import os

    assert len(made) == 2 and not any(os.path.exists(m) for m in made)


def test_a_stalled_setup_is_retried(monkeypatch):
    calls = []
    real = distributed._launch

    def flaky(*args, **kwargs):
        calls.append(kwargs["last_attempt"])
        if len(calls) == 1:
            raise distributed._SetupStalled()
        return real(*args, **kwargs)

    monkeypatch.setattr(distributed, "_launch", flaky)
    assert run_distributed(all_reduce_sum, world_size=2)[0][0] == 10.0
    assert calls == [False, True]


def test_the_parent_runs_no_thread():
    import threading

    before = threading.active_count()
    run_distributed(all_reduce_sum, world_size=2)
    assert threading.active_count() == before


def test_bad_arguments():
    with pytest.raises(ValueError, match="world_size"):
        run_distributed(all_reduce_sum, world_size=0)
    with pytest.raises(TypeError, match="not callable"):
        run_distributed(3, world_size=2)
    with pytest.raises(ValueError, match="timeout"):
        run_distributed(all_reduce_sum, world_size=2, timeout=0)


def shipped(rank, world_size):
    import torch
    import torch.distributed as dist

    x = torch.ones(2) * (rank + 1)
    dist.all_reduce(x)
    return x


def test_spawn_ships_the_source():
    results = run_distributed(shipped, world_size=2, start_method="spawn", timeout=60)
    assert all(torch.equal(r, torch.full((2,), 3.0)) for r in results)


# ------------------------------------------------------------------ 07's real-process probe (course.distributed)
def _swap_halves(tensor):
    """Two ranks exchange whole tensors point to point and add: a correct all-reduce for N = 2."""
    other = torch.empty_like(tensor)
    peer = 1 - dist.get_rank()
    req = dist.isend(tensor.clone(), peer)
    dist.recv(other, peer)
    req.wait()
    return tensor + other


def _uses_all_reduce(tensor):
    out = tensor.clone()
    dist.all_reduce(out)
    return out


def test_p2p_probe_counts_point_to_point_traffic_and_forbids_collectives():
    rows = distributed.run_p2p_probe(_swap_halves, world_size=2, lengths=[6, 3], dtype=torch.float64)
    for rank in range(2):
        for i, length in enumerate([6, 3]):
            row = rows[rank][i]
            want = distributed.probe_input(length, 0, torch.float64) + distributed.probe_input(length, 1, torch.float64)
            assert torch.allclose(row["result"], want) and torch.allclose(row["expected"], want)
            assert row["unmodified"] and row["sent"] == length and row["peers"] == [1 - rank]
            assert [p for p, _ in row["payloads"]] == [1 - rank]
            assert torch.equal(row["payloads"][0][1], distributed.probe_input(length, rank, torch.float64))
    with pytest.raises(DistributedError, match="dist.all_reduce is a collective"):
        distributed.run_p2p_probe(_uses_all_reduce, world_size=2, lengths=[4])
