"""Accelerator and interconnect figures in one table: every number with its unit and its source.

Plain data for notebooks (05_flash_attention_gpu's roofline, 07/08's communication
estimates); no exercise is answered here. Each entry of ``SPECS`` is one device or
link; each of its figures is a ``Figure(value, unit, source, note)``. ``fig.si``
converts to base units (FLOP/s, B/s, B):

    from course.gpu_specs import SPECS
    h100 = SPECS["H100 SXM5"]
    h100["bf16_dense"].si        # 9.894e14 FLOP/s
    h100["hbm_bandwidth"].si     # 3.35e12 B/s

Conventions
- Compute figures are *dense* peaks (no 2:4 sparsity); the datasheets print the sparse
  figure (twice as large) with an asterisk.
- Link figures: ``bandwidth_total`` is what the datasheets print (both directions added
  up, per GPU or per x16 slot); ``bandwidth_per_direction`` is half of it, the number a
  one-way transfer or a ring all-reduce step sees.
- "KiB" follows NVIDIA's use of "KB" for on-chip memories (1 KB = 1024 bytes there);
  "GB" of HBM and "GB/s" / "TB/s" of bandwidth are decimal, as on the datasheets.
- InfiniBand is quoted per port in gigabits per second ("Gb/s").
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Figure", "Spec", "SPECS", "UNITS", "rows", "markdown_table"]

# One factor per unit, to base units: FLOP/s, bytes/s, bytes, or a plain count / watts.
UNITS: dict[str, float] = {
    "TFLOP/s": 1e12,
    "TB/s": 1e12,
    "GB/s": 1e9,
    "Gb/s": 1e9 / 8,
    "GB": 1e9,
    "MB": 1e6,
    "KiB": 1024.0,
    "count": 1.0,
    "W": 1.0,
}

H100_WHITEPAPER = "NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022), data-center GPU comparison table, H100 SXM5 column"
H100_DATASHEET = "NVIDIA H100 Tensor Core GPU datasheet (2023), 'Technical Specifications', H100 SXM column"
A100_WHITEPAPER = "NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020), data-center GPU comparison table, A100 column"
A100_DATASHEET = "NVIDIA A100 Tensor Core GPU datasheet (2021, A100 80GB SXM column), 'Technical Specifications'"


@dataclass(frozen=True)
class Figure:
    """One number with its unit and where it comes from."""

    value: float
    unit: str
    source: str
    note: str = ""

    @property
    def si(self) -> float:
        """The value in base units: FLOP/s, B/s, B (or the count / watts as is)."""
        return self.value * UNITS[self.unit]


@dataclass(frozen=True)
class Spec:
    """A device (``kind="accelerator"``) or a link (``kind="link"``) and its figures by quantity."""

    name: str
    kind: str
    figures: dict = field(default_factory=dict)

    def __getitem__(self, quantity: str) -> Figure:
        return self.figures[quantity]

    def __contains__(self, quantity: str) -> bool:
        return quantity in self.figures


def _spec(name: str, kind: str, **figures: Figure) -> Spec:
    return Spec(name, kind, dict(figures))


SPECS: dict[str, Spec] = {s.name: s for s in [
    _spec(
        "H100 SXM5", "accelerator",
        bf16_dense=Figure(989.4, "TFLOP/s", H100_WHITEPAPER + ": peak BF16 Tensor TFLOPS with FP32 accumulate "
                          "989.4 (1978.9 with sparsity); the datasheet prints 1,979* (*with sparsity)."),
        fp8_dense=Figure(1978.9, "TFLOP/s", H100_WHITEPAPER + ": peak FP8 Tensor TFLOPS 1978.9 (3957.8 with "
                         "sparsity); the datasheet prints 3,958* (*with sparsity)."),
        tf32_dense=Figure(494.7, "TFLOP/s", H100_WHITEPAPER + ": peak TF32 Tensor TFLOPS 494.7 (989.4 with "
                          "sparsity); the datasheet prints 989* (*with sparsity)."),
        fp32=Figure(66.9, "TFLOP/s", H100_WHITEPAPER + ": peak FP32 TFLOPS (non-Tensor) 66.9; the datasheet "
                    "prints 67 teraFLOPS."),
        hbm_bandwidth=Figure(3.35, "TB/s", H100_DATASHEET + ": GPU memory bandwidth 3.35TB/s (80GB HBM3)."),
        hbm_capacity=Figure(80, "GB", H100_DATASHEET + ": GPU memory 80GB."),
        l2_cache=Figure(50, "MB", H100_WHITEPAPER + ": L2 cache size 50 MB."),
        smem_per_sm=Figure(228, "KiB", H100_WHITEPAPER + ": shared memory size / SM configurable up to 228 KB "
                           "(256 KB combined L1 / shared memory per SM)."),
        sm_count=Figure(132, "count", H100_WHITEPAPER + ": 132 SMs on H100 SXM5."),
        tdp=Figure(700, "W", H100_DATASHEET + ": max thermal design power up to 700W."),
    ),
    _spec(
        "A100 SXM4 80GB", "accelerator",
        bf16_dense=Figure(312, "TFLOP/s", A100_DATASHEET + ": BFLOAT16 Tensor Core 312 TFLOPS (624 with "
                          "sparsity)."),
        tf32_dense=Figure(156, "TFLOP/s", A100_DATASHEET + ": Tensor Float 32 (TF32) 156 TFLOPS (312 with "
                          "sparsity)."),
        fp32=Figure(19.5, "TFLOP/s", A100_DATASHEET + ": FP32 19.5 TFLOPS."),
        hbm_bandwidth=Figure(2.039, "TB/s", A100_DATASHEET + ": GPU memory bandwidth 2,039GB/s (80GB HBM2e; "
                             "the 40GB HBM2 part has 1,555GB/s)."),
        hbm_capacity=Figure(80, "GB", A100_DATASHEET + ": GPU memory 80GB HBM2e."),
        l2_cache=Figure(40, "MB", A100_WHITEPAPER + ": L2 cache size 40 MB."),
        smem_per_sm=Figure(164, "KiB", A100_WHITEPAPER + ": shared memory size / SM configurable up to 164 KB "
                           "(192 KB combined L1 / shared memory per SM)."),
        sm_count=Figure(108, "count", A100_WHITEPAPER + ": 108 SMs on A100."),
        tdp=Figure(400, "W", A100_DATASHEET + ": max thermal design power 400W (SXM)."),
        sram_bandwidth=Figure(19, "TB/s", "Dao et al., 'FlashAttention' (NeurIPS 2022), Figure 1 (left): on-chip "
                              "SRAM 19 TB/s (20 MB) vs HBM 1.5 TB/s on A100",
                              note="an estimate quoted in the FlashAttention paper, not a datasheet figure"),
    ),
    _spec(
        "NVLink 4 (H100 SXM5)", "link",
        bandwidth_total=Figure(900, "GB/s", H100_DATASHEET + ": interconnect NVLink 900GB/s; " + H100_WHITEPAPER
                               + ": 18 fourth-generation NVLink links, 900 GB/sec total bandwidth.",
                               note="both directions added up, per GPU"),
        bandwidth_per_direction=Figure(450, "GB/s", "half of the 900GB/s bidirectional total on the "
                                       "NVIDIA H100 datasheet (18 links x 25 GB/s each way)"),
        links=Figure(18, "count", H100_WHITEPAPER + ": 18 NVLink links per GPU."),
    ),
    _spec(
        "NVLink 3 (A100 SXM4)", "link",
        bandwidth_total=Figure(600, "GB/s", A100_DATASHEET + ": NVLink 600GB/s; " + A100_WHITEPAPER
                               + ": 12 third-generation NVLink links, 600 GB/sec total bandwidth.",
                               note="both directions added up, per GPU"),
        bandwidth_per_direction=Figure(300, "GB/s", "half of the 600GB/s bidirectional total on the "
                                       "NVIDIA A100 datasheet (12 links x 25 GB/s each way)"),
        links=Figure(12, "count", A100_WHITEPAPER + ": 12 NVLink links per GPU."),
    ),
    _spec(
        "PCIe Gen5 x16", "link",
        bandwidth_total=Figure(128, "GB/s", H100_DATASHEET + ": interconnect PCIe Gen5 128GB/s.",
                               note="both directions added up; PCI-SIG PCIe 5.0 base specification: 32 GT/s per "
                                    "lane, 128b/130b encoding"),
        bandwidth_per_direction=Figure(64, "GB/s", "half of the 128GB/s bidirectional total on the NVIDIA H100 "
                                       "datasheet (PCI-SIG PCIe 5.0: 16 lanes x 32 GT/s = ~63 GB/s each way)"),
    ),
    _spec(
        "PCIe Gen4 x16", "link",
        bandwidth_total=Figure(64, "GB/s", A100_DATASHEET + ": interconnect PCIe Gen4 64GB/s.",
                               note="both directions added up; PCI-SIG PCIe 4.0 base specification: 16 GT/s per "
                                    "lane, 128b/130b encoding"),
        bandwidth_per_direction=Figure(32, "GB/s", "half of the 64GB/s bidirectional total on the NVIDIA A100 "
                                       "datasheet (PCI-SIG PCIe 4.0: 16 lanes x 16 GT/s = ~31.5 GB/s each way)"),
    ),
    _spec(
        "InfiniBand NDR", "link",
        port_rate=Figure(400, "Gb/s", "NVIDIA ConnectX-7 adapter datasheet and NVIDIA Quantum-2 QM9700 switch "
                         "datasheet: NDR InfiniBand 400Gb/s per port.", note="per direction, per port"),
        bandwidth_per_direction=Figure(50, "GB/s", "400Gb/s / 8 bits per byte, from the NVIDIA ConnectX-7 "
                                       "datasheet (NDR 400Gb/s per port)"),
    ),
    _spec(
        "InfiniBand HDR", "link",
        port_rate=Figure(200, "Gb/s", "NVIDIA ConnectX-6 VPI adapter datasheet and NVIDIA Quantum QM8700 switch "
                         "datasheet: HDR InfiniBand 200Gb/s per port.", note="per direction, per port"),
        bandwidth_per_direction=Figure(25, "GB/s", "200Gb/s / 8 bits per byte, from the NVIDIA ConnectX-6 "
                                       "datasheet (HDR 200Gb/s per port)"),
    ),
]}


def rows() -> list[tuple[str, str, float, str, str]]:
    """The table flattened: (device or link, quantity, value, unit, source), in table order."""
    return [(spec.name, quantity, fig.value, fig.unit, fig.source)
            for spec in SPECS.values() for quantity, fig in spec.figures.items()]


def markdown_table(with_sources: bool = False) -> str:
    """The table as markdown, for a notebook's ``display(Markdown(...))``."""
    head = "| device / link | quantity | value | unit |" + (" source |" if with_sources else "")
    rule = "| --- | --- | ---: | --- |" + (" --- |" if with_sources else "")
    lines = [head, rule]
    for name, quantity, value, unit, source in rows():
        line = f"| {name} | {quantity} | {value:g} | {unit} |"
        lines.append(line + (f" {source} |" if with_sources else ""))
    return "\n".join(lines)
