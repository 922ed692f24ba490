"""course/gpu_specs.py: one table of accelerator and link figures, each with a unit and a source."""
from __future__ import annotations

import math

from course import gpu_specs
from course.gpu_specs import SPECS, UNITS, Figure

# What each quantity measures, so a unit can be checked against it.
DIMENSION = {"TFLOP/s": "compute", "TB/s": "bandwidth", "GB/s": "bandwidth", "Gb/s": "bandwidth",
             "GB": "bytes", "MB": "bytes", "KiB": "bytes", "count": "count", "W": "power"}
QUANTITY_DIMENSION = {"bf16_dense": "compute", "fp8_dense": "compute", "tf32_dense": "compute", "fp32": "compute",
                      "hbm_bandwidth": "bandwidth", "sram_bandwidth": "bandwidth", "bandwidth_total": "bandwidth",
                      "bandwidth_per_direction": "bandwidth", "port_rate": "bandwidth", "hbm_capacity": "bytes",
                      "l2_cache": "bytes", "smem_per_sm": "bytes", "sm_count": "count", "links": "count",
                      "tdp": "power"}


def _figures():
    for spec in SPECS.values():
        for quantity, fig in spec.figures.items():
            yield spec, quantity, fig


def test_every_figure_has_a_sane_unit_and_a_source():
    assert set(UNITS) == set(DIMENSION)
    for spec, quantity, fig in _figures():
        where = f"{spec.name}.{quantity}"
        assert isinstance(fig, Figure), where
        assert isinstance(fig.value, (int, float)) and math.isfinite(fig.value) and fig.value > 0, where
        assert fig.unit in UNITS, f"{where}: unknown unit {fig.unit!r}"
        assert QUANTITY_DIMENSION[quantity] == DIMENSION[fig.unit], f"{where}: {fig.unit} does not measure {quantity}"
        assert isinstance(fig.source, str) and len(fig.source) >= 30, f"{where}: no source"
        assert any(word in fig.source for word in ("datasheet", "whitepaper", "FlashAttention", "PCI-SIG")), \
            f"{where}: the source should name a datasheet, whitepaper or paper"
        assert spec.kind in ("accelerator", "link"), where


def test_the_table_holds_the_devices_and_links_the_course_uses():
    accelerators = {name for name, s in SPECS.items() if s.kind == "accelerator"}
    links = {name for name, s in SPECS.items() if s.kind == "link"}
    assert {"H100 SXM5", "A100 SXM4 80GB"} <= accelerators
    assert any(n.startswith("NVLink") for n in links) and any(n.startswith("PCIe") for n in links)
    assert any(n.startswith("InfiniBand") for n in links)
    for name in accelerators:
        for quantity in ("bf16_dense", "hbm_bandwidth", "hbm_capacity", "smem_per_sm", "sm_count"):
            assert quantity in SPECS[name], f"{name} lacks {quantity}"
    for name in links:
        assert "bandwidth_per_direction" in SPECS[name], f"{name} lacks bandwidth_per_direction"


def test_values_are_in_the_right_ballpark_and_order():
    h100, a100 = SPECS["H100 SXM5"], SPECS["A100 SXM4 80GB"]
    assert 5e14 < h100["bf16_dense"].si < 2e15 and 2e14 < a100["bf16_dense"].si < 5e14  # dense, not sparse
    assert h100["hbm_bandwidth"].si > a100["hbm_bandwidth"].si > 1e12
    ridge = h100["bf16_dense"].si / h100["hbm_bandwidth"].si  # FLOPs per byte at the roofline's knee
    assert 100 < ridge < 1000
    per_dir = {name: s["bandwidth_per_direction"].si for name, s in SPECS.items() if s.kind == "link"}
    assert per_dir["NVLink 4 (H100 SXM5)"] > per_dir["NVLink 3 (A100 SXM4)"] > per_dir["PCIe Gen5 x16"]
    assert per_dir["PCIe Gen5 x16"] > per_dir["InfiniBand NDR"] > per_dir["InfiniBand HDR"]
    for name, spec in SPECS.items():
        if "bandwidth_total" in spec:
            assert math.isclose(spec["bandwidth_total"].si, 2 * spec["bandwidth_per_direction"].si), name
        if "port_rate" in spec:
            assert math.isclose(spec["port_rate"].si, spec["bandwidth_per_direction"].si), name
    assert h100["smem_per_sm"].si == 228 * 1024


def test_rows_and_markdown_cover_every_figure():
    rows = gpu_specs.rows()
    assert len(rows) == sum(len(s.figures) for s in SPECS.values())
    table = gpu_specs.markdown_table(with_sources=True)
    assert table.count("\n") == len(rows) + 1
    assert "H100 SXM5" in table and "datasheet" in table


def test_the_module_is_plain_data_without_solutions():
    contract = {"online_softmax", "flash_attention_forward", "attention_hbm_bytes", "tiled_matmul",
                "matmul_arithmetic_intensity", "roofline", "bank_conflicts", "coalesced_transactions",
                "bitonic_sort"}
    assert not contract & set(dir(gpu_specs))
