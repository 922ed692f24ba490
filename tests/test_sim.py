"""course.sim.Cluster on its own: counters, the alpha-beta time, errors, history, reset, drawing."""
from __future__ import annotations

import math

import pytest
import torch

from course.sim import Cluster, draw_history, format_history


def ring_shift(cluster, numel=4, dtype=torch.float32):
    n = cluster.world_size
    return cluster.exchange([(r, (r + 1) % n, torch.full((numel,), float(r), dtype=dtype)) for r in range(n)])


def test_defaults_and_attributes():
    c = Cluster(4)
    assert (c.world_size, c.alpha, c.beta) == (4, 1e-5, 1e-9)
    assert c.bytes_sent == [0, 0, 0, 0] and c.bytes_received == [0, 0, 0, 0]
    assert c.num_rounds == 0 and c.time == 0.0 and c.history == []
    c = Cluster(3, alpha=2e-6, beta=5e-10)
    assert (c.alpha, c.beta) == (2e-6, 5e-10)


def test_send_then_step_delivers_inbox_by_dst_then_src():
    c = Cluster(3)
    a, b = torch.arange(3.0), torch.ones(2, 2, dtype=torch.float64)
    c.send(0, 2, a)
    c.send(1, 2, b)
    c.send(2, 0, a)
    inbox = c.step()
    assert isinstance(inbox, list) and len(inbox) == 3 and all(isinstance(d, dict) for d in inbox)
    assert set(inbox[2]) == {0, 1} and set(inbox[0]) == {2} and inbox[1] == {}
    assert torch.equal(inbox[2][0], a) and torch.equal(inbox[2][1], b) and inbox[2][1].dtype == torch.float64


def test_messages_are_copies_both_ways():
    c = Cluster(2)
    x = torch.zeros(3)
    c.send(0, 1, x)
    x += 5  # changing the source after send does not change the message
    got = c.step()[1][0]
    assert torch.equal(got, torch.zeros(3))
    got += 1  # the receiver's copy is not the sender's tensor
    assert torch.equal(x, torch.full((3,), 5.0))
    y = torch.ones(2, requires_grad=True)
    assert not c.exchange([(1, 0, y)])[0][1].requires_grad


def test_forwarding_takes_another_round():
    c = Cluster(3)
    inbox = c.exchange([(0, 1, torch.ones(2))])
    assert 0 not in inbox[2]  # rank 2 sees nothing yet
    inbox = c.exchange([(1, 2, inbox[1][0])])
    assert torch.equal(inbox[2][1], torch.ones(2)) and c.num_rounds == 2


def test_byte_counters_use_element_size_times_numel():
    c = Cluster(4)
    c.exchange([(0, 1, torch.zeros(10)),                        # 40 B float32
                (0, 2, torch.zeros(3, 2, dtype=torch.float64)),  # 48 B
                (3, 1, torch.zeros(7, dtype=torch.int8)),        # 7 B
                (2, 0, torch.zeros(5, dtype=torch.bfloat16))])   # 10 B
    assert c.bytes_sent == [88, 0, 10, 7]
    assert c.bytes_received == [10, 47, 48, 0]
    assert all(type(v) is int for v in c.bytes_sent + c.bytes_received)
    assert sum(c.bytes_sent) == sum(c.bytes_received)


def test_time_is_alpha_plus_beta_times_busiest_rank_per_round():
    c = Cluster(4, alpha=1e-3, beta=1e-6)
    ring_shift(c, numel=25)  # every rank sends and receives 100 B
    assert math.isclose(c.time, 1e-3 + 100e-6)
    # a gather: rank 0 receives 3 x 40 B = 120 B in one round (the busiest receiver decides)
    c.exchange([(r, 0, torch.zeros(10)) for r in (1, 2, 3)])
    assert math.isclose(c.time, 2e-3 + 220e-6)
    # a broadcast: rank 0 sends 3 x 8 B
    c.exchange([(0, r, torch.zeros(2)) for r in (1, 2, 3)])
    assert math.isclose(c.time, 3e-3 + 244e-6)
    assert c.num_rounds == 3


def test_zero_byte_messages_still_make_a_round():
    c = Cluster(2, alpha=1.0, beta=1.0)
    c.exchange([(0, 1, torch.zeros(0))])
    assert c.num_rounds == 1 and c.time == 1.0 and c.history == [[(0, 1, 0)]] and c.bytes_sent == [0, 0]


def test_empty_step_is_not_a_round():
    c = Cluster(3)
    inbox = c.step()
    assert inbox == [{}, {}, {}]
    assert c.exchange([]) == [{}, {}, {}]
    assert c.num_rounds == 0 and c.time == 0.0 and c.history == []


def test_history_records_each_round_in_send_order():
    c = Cluster(3)
    ring_shift(c, numel=2)
    c.exchange([(2, 1, torch.zeros(1, dtype=torch.float64)), (0, 1, torch.zeros(3))])
    assert c.history == [[(0, 1, 8), (1, 2, 8), (2, 0, 8)], [(2, 1, 8), (0, 1, 12)]]
    text = format_history(c)
    assert text.splitlines()[0] == "round 0: 0->1 8 B, 1->2 8 B, 2->0 8 B" and "round 1" in text
    assert format_history([]) == "(no rounds)"


def test_reset_zeroes_everything_and_drops_the_queue():
    c = Cluster(3, alpha=2.0, beta=3.0)
    ring_shift(c)
    c.send(0, 1, torch.zeros(2))
    assert c.pending == [(0, 1, 8)]
    c.reset()
    assert c.bytes_sent == [0, 0, 0] and c.bytes_received == [0, 0, 0]
    assert c.num_rounds == 0 and c.time == 0.0 and c.history == [] and c.pending == []
    assert (c.world_size, c.alpha, c.beta) == (3, 2.0, 3.0)
    assert c.step() == [{}, {}, {}]  # the dropped message is not delivered


def test_world_size_one_has_nothing_to_send():
    c = Cluster(1)
    with pytest.raises(ValueError, match="rank"):
        c.send(0, 0, torch.zeros(1))
    assert c.step() == [{}] and c.num_rounds == 0


@pytest.mark.parametrize("src,dst", [(1.0, 2), ("0", 1), (0, None), (True, 1), (torch.tensor(0), 1)])
def test_non_int_rank_is_a_type_error_naming_it(src, dst):
    c = Cluster(3)
    with pytest.raises(TypeError, match="src" if not isinstance(src, int) or isinstance(src, bool) else "dst"):
        c.send(src, dst, torch.zeros(1))


@pytest.mark.parametrize("payload", [[1.0, 2.0], 3.0, None, "x"])
def test_non_tensor_message_is_a_type_error_naming_the_message(payload):
    c = Cluster(3)
    with pytest.raises(TypeError, match=r"0->2"):
        c.send(0, 2, payload)


@pytest.mark.parametrize("src,dst", [(-1, 0), (0, 3), (5, 1)])
def test_rank_out_of_range_is_a_value_error_naming_it(src, dst):
    c = Cluster(3)
    bad = str(src) if not 0 <= src < 3 else str(dst)
    with pytest.raises(ValueError, match=rf"={bad} is not a rank") as info:
        c.send(src, dst, torch.zeros(1))
    assert "0..2" in str(info.value)


def test_self_send_and_duplicate_pair_are_value_errors():
    c = Cluster(3)
    with pytest.raises(ValueError, match="rank 1 sends a message to itself"):
        c.send(1, 1, torch.zeros(1))
    c.send(0, 1, torch.zeros(1))
    c.send(1, 0, torch.zeros(1))  # the other direction is a different link
    with pytest.raises(ValueError, match="rank 0 already sends a message to rank 1"):
        c.send(0, 1, torch.zeros(1))
    c.step()
    c.send(0, 1, torch.zeros(1))  # a new round: fine again
    with pytest.raises(ValueError, match="rank 2 already sends a message to rank 0"):
        c.exchange([(2, 0, torch.zeros(1)), (2, 0, torch.zeros(1))])


def test_error_messages_are_one_sentence():
    c = Cluster(2)
    for call in (lambda: c.send(0, 0, torch.zeros(1)), lambda: c.send(0, 2, torch.zeros(1)),
                 lambda: c.send(0.5, 1, torch.zeros(1)), lambda: c.send(0, 1, 1.0)):
        with pytest.raises((TypeError, ValueError)) as info:
            call()
        text = str(info.value)
        assert "\n" not in text and text.endswith(".") and text.count(". ") == 0, text


def test_a_bad_exchange_changes_nothing():
    c = Cluster(3)
    with pytest.raises(ValueError):
        c.exchange([(0, 1, torch.zeros(1)), (2, 2, torch.zeros(1))])
    with pytest.raises(TypeError, match="message 1"):
        c.exchange([(0, 1, torch.zeros(1)), (2, 0)])
    assert c.pending == [] and c.num_rounds == 0 and c.bytes_sent == [0, 0, 0]


@pytest.mark.parametrize("args,err", [((0,), ValueError), ((2.0,), TypeError), ((True,), TypeError),
                                      ((2, -1.0), ValueError), ((2, 1e-5, "x"), TypeError)])
def test_bad_constructor_arguments(args, err):
    with pytest.raises(err):
        Cluster(*args)


def test_draw_history_draws_one_arrow_per_message():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    c = Cluster(4)
    ring_shift(c)
    c.exchange([(r, 0, torch.zeros(3)) for r in (1, 2, 3)])
    ax = draw_history(c, label=lambda t, s, d, n: f"c{s}")
    from matplotlib.text import Annotation

    arrows = [a for a in ax.texts if isinstance(a, Annotation)]
    assert len(arrows) == 7  # 4 ring messages + 3 gather messages
    assert sorted(t.get_text() for t in ax.texts if not isinstance(t, Annotation)) == sorted(
        ["c0", "c1", "c2", "c3", "c1", "c2", "c3"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["rank 0", "rank 1", "rank 2", "rank 3"]
    assert "2 rounds" in ax.get_title()
    ax2 = draw_history(c.history)  # a bare history works too; lanes from the ranks seen
    assert len(ax2.get_yticks()) == 4
    plt.close("all")


# ------------------------------------------------------------------ TamperingCluster / check_rank_locality
from course.sim import TamperingCluster, check_rank_locality  # noqa: E402


def _reduce_scatter(tensors, cluster, step=+1):
    """An honest ring reduce-scatter sending to r + step (either direction)."""
    n = cluster.world_size
    chunks = [[c.clone() for c in torch.tensor_split(t, n)] for t in tensors]
    for k in range(n - 1):
        inbox = cluster.exchange([(r, (r + step) % n, chunks[r][(r - step * (k + 1)) % n]) for r in range(n)])
        for r in range(n):
            c = (r - step * (k + 2)) % n
            chunks[r][c] = chunks[r][c] + inbox[r][(r - step) % n]
    return [chunks[r][r] for r in range(n)]


def _central(tensors, cluster):
    """Right rounds, bytes and answers; the sums are computed centrally and zeros travel."""
    n = cluster.world_size
    total = torch.tensor_split(torch.stack(tensors).sum(0), n)
    for k in range(n - 1):
        cluster.exchange([(r, (r + 1) % n, torch.zeros_like(total[(r - k - 1) % n])) for r in range(n)])
    return list(total)


def _central_messages(tensors, cluster):
    """Returns what it received, but the messages carry sums computed from every rank's input."""
    n = cluster.world_size
    total = torch.tensor_split(torch.stack(tensors).sum(0), n)
    out = None
    for k in range(n - 1):
        inbox = cluster.exchange([(r, (r + 1) % n, total[(r + 1) % n] - tensors[(r + 1) % n].tensor_split(n)[(r + 1) % n])
                                  for r in range(n)])
        out = [inbox[r][(r - 1) % n] + tensors[r].tensor_split(n)[r] for r in range(n)]
    return out


def _inputs(n=4, length=10):
    g = torch.Generator().manual_seed(0)
    return [torch.randn(length, generator=g) for _ in range(n)]


def _vary(inputs, r):
    g = torch.Generator().manual_seed(100 + r)
    return [x if i == r else torch.randn(x.shape, generator=g) for i, x in enumerate(inputs)]


def test_tampering_cluster_records_and_behaves_like_a_cluster():
    c = TamperingCluster(3)
    inbox = ring_shift(c)
    assert torch.equal(inbox[1][0], torch.zeros(4)) and c.num_rounds == 1 and c.bytes_sent == [16, 16, 16]
    assert len(c.deliveries) == 1 and set(c.deliveries[0]) == {(0, 1), (1, 2), (2, 0)}
    assert c.violations == []
    with pytest.raises(ValueError):
        TamperingCluster(3, replay=c.deliveries)


def test_tampering_cluster_replays_what_a_rank_received():
    first = TamperingCluster(3)
    ring_shift(first)
    second = TamperingCluster(3, replay=first.deliveries, rank=1)
    inbox = second.exchange([(r, (r + 1) % 3, torch.full((4,), 10.0 + r)) for r in range(3)])
    assert torch.equal(inbox[1][0], torch.zeros(4))           # rank 1 gets the first run's payload
    assert torch.equal(inbox[2][1], torch.full((4,), 11.0))   # rank 1's own message differs from before...
    assert any("rank 1 sent rank 2" in v for v in second.violations)   # ...which is reported


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_honest_rings_in_either_direction_are_local(n):
    xs = _inputs(n, 11)
    for step in (+1, -1):
        assert check_rank_locality(lambda t, c: _reduce_scatter(t, c, step), xs, _vary, n) == []


@pytest.mark.parametrize("cheat", [_central, _central_messages])
def test_central_computation_is_caught(cheat):
    xs = _inputs(4, 12)
    out = cheat(xs, Cluster(4))
    for r in range(4):                                         # the numbers are right...
        assert torch.allclose(out[r], torch.tensor_split(torch.stack(xs).sum(0), 4)[r], atol=1e-6)
    assert check_rank_locality(cheat, xs, _vary, 4)            # ...the provenance is not
