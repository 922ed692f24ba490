"""The handbook behind the course, and the notebooks' record of it.

The handbook is five Chinese files (``../shared/seeds/`` beside the course; ``COURSE_SEEDS`` overrides). A clone of
the course does not have them: the notebooks' own question indexes (``## 手册问题索引 · Handbook questions``, format
in docs/authoring.md) are the project's record of every handbook question, its seed file and section, and where the
course answers it. This module parses those indexes and the 「手册勘误 · Handbook erratum」 boxes, parses the seed
files when they are present, and generates three pages:

* ``docs/coverage.md``: per seed file and section, each indexed question and where it is answered;
* ``docs/errata.md``: every erratum, with its notebook;
* ``docs/exercises.md``: per assignment, every exercise's name, signature and docstring (solutions stripped).

``course build`` writes them; ``course build --check`` fails when they are stale.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .notebooks import (ROOT, assignments, grade_id, is_solution_cell, is_test_cell, is_written_cell, nbgrader_meta,
                        read_notebook, source_dir)

PREFIXES = ("000", "001", "002", "003", "004")
SEED_FILES = {"000": "000_06338ec2819cbb22.txt", "001": "001_4f67d1efa5177fcf.txt", "002": "002_c0ff16563ada0e13.txt",
              "003": "003_2ce97e757d983a72.txt", "004": "004_3dd6b315896cbfed.txt"}
SEED_TITLES = {"000": "大模型面试通关手册", "001": "six areas, ten questions each, with short answers",
               "002": "an interview log (topic groups)",
               "003": "twenty questions on sustainable large-model engineering",
               "004": "thirty questions on building a large-model startup"}
CN = "一二三四五六七八九十"
INDEX_HEADING = "## 手册问题索引 · Handbook questions"
ERRATUM_TITLE = "**手册勘误 · Handbook erratum**"

# Every section of the handbook: (seed prefix, section key, title, owner, 002's lines). The owner is the notebook
# whose question index holds the section's questions (001 §6 belongs to 13_ml_applications).
# 000: chapters (their closing numbered lists) and sub-sections; 001: areas; 002: topic groups of lines; 003, 004:
# numbered questions.
SECTIONS = (
    ('000', '§一(高频)', '一、Transformer高频面试题', '01_attention', ''),
    ('000', '§一(高频).1', 'Transformer为何使用多头注意力机制？', '01_attention', ''),
    ('000', '§一(高频).2', 'Transformer为什么Q和K使用不同的权重矩阵生成，为何不能使用同一个值进行自身的点乘？', '01_attention', ''),
    ('000', '§一(高频).3', 'Transformer计算attention的时候为何选择点乘而不是加法？两者计算复杂度和效果上有什么区别？', '01_attention', ''),
    ('000', '§一(高频).4', '为什么在进行softmax之前需要对attention进行scaled（为什么除以dk的平方根），并使用公式推导进行讲解', '01_attention', ''),
    ('000', '§一(高频).5', 'Transformer为何彻底改变NLP格局？与RNN/LSTM的本质区别', '01_attention', ''),
    ('000', '§一(高频).6', '自注意力机制数学表达推导（Q/K/V矩阵计算过程）', '01_attention', ''),
    ('000', '§一(高频).7', '为什么需要缩放点积注意力？√d_k的数学证明', '01_attention', ''),
    ('000', '§一(高频).8', '多头注意力机制的超参数设计哲学（头数选择策略）', '01_attention', ''),
    ('000', '§一(高频).9', '位置编码的两种实现方式（正弦波 vs 学习式）对比分析', '02_positional_encoding', ''),
    ('000', '§一(高频).10', '为什么Transformer需要残差连接？梯度传播视角解读', '03_ffn_normalization', ''),
    ('000', '§一', '一、《自注意力机制全解析：从原理到应用的面试题大全》', '01_attention', ''),
    ('000', '§一.1', '自注意力机制基础理解', '01_attention', ''),
    ('000', '§一.2', '自注意力机制的数学原理', '01_attention', ''),
    ('000', '§一.3', 'Transformer与自注意力机制', '01_attention', ''),
    ('000', '§一.4', '实现与优化', '01_attention', ''),
    ('000', '§一.5', '自注意力机制的应用', '10_llm_training_alignment', ''),
    ('000', '§一.6', '改进与变种', '01_attention', ''),
    ('000', '§一.7', '注意力机制的拓展与发展', '01_attention', ''),
    ('000', '§一.8', '自注意力机制在深度学习中的局限性', '01_attention', ''),
    ('000', '§一.9', '实际面试中的问题及技巧', '01_attention', ''),
    ('000', '§一.10', '深入思考与挑战', '01_attention', ''),
    ('000', '§二', '二、《全面掌握位置编码：最详细的面试题与解答》', '02_positional_encoding', ''),
    ('000', '§二.1', '位置编码的基本概念', '02_positional_encoding', ''),
    ('000', '§二.2', '位置编码的数学原理与实现', '02_positional_encoding', ''),
    ('000', '§二.3', '绝对位置编码与相对位置编码', '02_positional_encoding', ''),
    ('000', '§二.4', '位置编码的应用与改进', '02_positional_encoding', ''),
    ('000', '§二.5', '位置编码的优化与创新', '02_positional_encoding', ''),
    ('000', '§二.6', '位置编码的挑战与局限性', '02_positional_encoding', ''),
    ('000', '§二.7', '最新研究与前沿发展', '02_positional_encoding', ''),
    ('000', '§二.8', '实际编码与面试技巧', '02_positional_encoding', ''),
    ('000', '§二.9', '未来发展与创新', '02_positional_encoding', ''),
    ('000', '§三', '三、《深入解析前馈网络与归一化：面试必备全网题库》', '03_ffn_normalization', ''),
    ('000', '§三.1', '前馈网络的基本概念与实现', '03_ffn_normalization', ''),
    ('000', '§三.2', '前馈网络的数学原理', '03_ffn_normalization', ''),
    ('000', '§三.3', '归一化的基本概念', '03_ffn_normalization', ''),
    ('000', '§三.4', '前馈网络与归一化的结合', '03_ffn_normalization', ''),
    ('000', '§三.5', '前馈网络的优化与改进', '03_ffn_normalization', ''),
    ('000', '§三.6', '归一化的优化与变种', '03_ffn_normalization', ''),
    ('000', '§三.7', '实际面试中的问题', '03_ffn_normalization', ''),
    ('000', '§三.8', '未来发展与研究方向', '03_ffn_normalization', ''),
    ('000', '§四', '四、《训练优化面试题大全：提升训练效率与效果的关键技巧》', '04_training_optimization', ''),
    ('000', '§四.1', '基础优化算法', '04_training_optimization', ''),
    ('000', '§四.2', '高效训练技巧', '04_training_optimization', ''),
    ('000', '§四.3', '大规模训练与分布式优化', '04_training_optimization', ''),
    ('000', '§四.4', '模型调优', '04_training_optimization', ''),
    ('000', '§四.5', '高级优化技巧与算法', '09_compression_deployment', ''),
    ('000', '§四.6', '常见的训练问题与解决方法', '04_training_optimization', ''),
    ('000', '§四.7', '最新优化方法与研究方向', '04_training_optimization', ''),
    ('000', '§五', '五、高效推理工程（15题）', '06_efficient_inference', ''),
    ('000', '§五.1', 'KV Cache 的动态内存管理算法（分代回收策略）', '06_efficient_inference', ''),
    ('000', '§五.2', '窗口注意力在推理中的增量计算技巧', '06_efficient_inference', ''),
    ('000', '§五.3', 'PagedAttention 的虚拟内存映射机制', '06_efficient_inference', ''),
    ('000', '§五.4', '动态批处理中的序列长度对齐策略', '06_efficient_inference', ''),
    ('000', '§五.5', '量化的混合精度调度（FP8+INT4 组合方案）', '06_efficient_inference', ''),
    ('000', '§六', '六、并行计算体系（12题）', '07_parallel_computing', ''),
    ('000', '§六.1', '并行计算基础', '07_parallel_computing', ''),
    ('000', '§六.2', '数据并行与任务并行', '07_parallel_computing', ''),
    ('000', '§六.3', '分布式计算', '07_parallel_computing', ''),
    ('000', '§六.4', '多GPU和多卡并行计算', '07_parallel_computing', ''),
    ('000', '§六.5', '并行计算中的硬件加速', '05_flash_attention_gpu', ''),
    ('000', '§六.6', '并行计算优化', '07_parallel_computing', ''),
    ('000', '§六.7', '并行计算中的负载均衡与调度', '06_efficient_inference', ''),
    ('000', '§六.8', '多线程与多进程编程', '07_parallel_computing', ''),
    ('000', '§六.9', '并行计算中的算法优化', '05_flash_attention_gpu', ''),
    ('000', '§十一', '十一、架构设计题（8题）', '12_multimodal_federated_privacy', ''),
    ('000', '§十一.1', '设计支持百万 token 的稀疏注意力系统', '01_attention', ''),
    ('000', '§十一.2', '实现能耗降低 10 倍的硬件友好型架构', '05_flash_attention_gpu', ''),
    ('000', '§十一.3', '构建自修复的容错训练框架', '04_training_optimization', ''),
    ('000', '§十一.4', '多模态输入的统一投影层设计方案', '12_multimodal_federated_privacy', ''),
    ('001', '§1', '深度学习与大模型的理论基础', '01_attention', ''),
    ('001', '§2', '优化与训练技巧', '04_training_optimization', ''),
    ('001', '§3', '分布式与高效计算', '07_parallel_computing', ''),
    ('001', '§4', '模型压缩与部署', '09_compression_deployment', ''),
    ('001', '§5', '多模态学习与跨领域应用', '12_multimodal_federated_privacy', ''),
    ('001', '§6', '算法应用与创新', '13_ml_applications', ''),
    ('002', 'cuda-gpu', 'CUDA memory, caches, threads/blocks/grids, warps; GPU convolution, transpose and matmul; parallel sort; profiling; Tensor Cores; performance work', '05_flash_attention_gpu', '1-8, 10-12, 15'),
    ('002', 'flash-attention', 'FlashAttention 1 and 2', '05_flash_attention_gpu', '9'),
    ('002', 'accelerators-interconnect', 'accelerator and communication figures; NVLink, RDMA', '05_flash_attention_gpu', '13-14'),
    ('002', 'compression-deployment', 'quantization, pruning, distillation; kinds of quantization; TensorRT, ONNX Runtime and TVM deployment', '09_compression_deployment', '16-22, 100'),
    ('002', 'distributed-training', 'means of distributed training; DP vs DDP and communication figures; pipeline bubbles; FSDP and ZeRO stages; collectives; multi-node communication', '07_parallel_computing', '23-28'),
    ('002', 'cot-tot', 'chain vs tree of thoughts', '10_llm_training_alignment', '29-30'),
    ('002', 'classic-ml', 'GBDT vs XGBoost; LSTM; Transformer vs CNN; ReLU', '11_classic_ml_evaluation', '31-64'),
    ('002', 'imbalance-losses', 'class imbalance; focal loss; multi-label loss', '11_classic_ml_evaluation', '65-77, 85-86'),
    ('002', 'llm-practice', 'what LLM interviewers look for: data and tuning, SFT formula, Alpaca, norm order and PE derivation, embedding init, LoRA then DPO', '10_llm_training_alignment', '78-84'),
    ('002', 'detection', "IoU and its variants; boxes that shrink after quantization; mAP and its shortcomings; YOLOv4's IoU losses", '11_classic_ml_evaluation', '87-92, 106-118'),
    ('002', 'data-strategies', 'unlabeled data; small objects; Mosaic augmentation', '12_multimodal_federated_privacy', '93-99, 101-105'),
    ('003', '§1', '大模型训练中常见的计算资源瓶颈是什么？', '08_zero_memory', ''),
    ('003', '§2', '如何优化大模型的训练过程以提高效率？', '07_parallel_computing', ''),
    ('003', '§3', '如何解决大模型训练中的数据不平衡问题？', '11_classic_ml_evaluation', ''),
    ('003', '§4', '如何评估大模型的可解释性？', '01_attention', ''),
    ('003', '§5', '大模型训练中的数据预处理步骤有哪些？', '11_classic_ml_evaluation', ''),
    ('003', '§6', '大模型训练中如何避免过拟合？', '11_classic_ml_evaluation', ''),
    ('003', '§7', '如何实现大模型的分布式训练？', '07_parallel_computing', ''),
    ('003', '§8', '大模型训练中的数据增强方法有哪些？', '10_llm_training_alignment', ''),
    ('003', '§9', '如何评估大模型在特定领域的性能？', '11_classic_ml_evaluation', ''),
    ('003', '§10', '如何优化大模型推理过程中的性能？', '09_compression_deployment', ''),
    ('003', '§11', '大模型训练中的数据预处理步骤有哪些？', '11_classic_ml_evaluation', ''),
    ('003', '§12', '大模型训练中的数据增强方法有哪些？', '10_llm_training_alignment', ''),
    ('003', '§13', '如何实现大模型的分布式训练？', '07_parallel_computing', ''),
    ('003', '§14', '如何解决大模型训练中的数据不平衡问题？', '11_classic_ml_evaluation', ''),
    ('003', '§15', '如何评估大模型的可解释性？', '01_attention', ''),
    ('003', '§16', '大模型训练中常见的计算资源瓶颈是什么？', '08_zero_memory', ''),
    ('003', '§17', '如何优化大模型的训练过程以提高效率？', '07_parallel_computing', ''),
    ('003', '§18', '如何评估大模型在特定领域的性能？', '11_classic_ml_evaluation', ''),
    ('003', '§19', '如何优化大模型推理过程中的性能？', '09_compression_deployment', ''),
    ('003', '§20', '如何处理大模型训练过程中的数据泄露问题？', '12_multimodal_federated_privacy', ''),
    ('004', '§1', '如何优化大模型的训练效率？', '04_training_optimization', ''),
    ('004', '§2', '如何实现大模型的快速推理？', '06_efficient_inference', ''),
    ('004', '§3', '如何评估大模型的质量？', '11_classic_ml_evaluation', ''),
    ('004', '§4', '如何处理大模型的过拟合问题？', '11_classic_ml_evaluation', ''),
    ('004', '§5', '如何处理大模型的存储问题？', '09_compression_deployment', ''),
    ('004', '§6', '如何实现大模型的实时推理？', '06_efficient_inference', ''),
    ('004', '§7', '如何处理大模型的可解释性问题？', '11_classic_ml_evaluation', ''),
    ('004', '§8', '如何实现大模型的迁移学习？', '09_compression_deployment', ''),
    ('004', '§9', '如何处理大模型的安全性问题？', '12_multimodal_federated_privacy', ''),
    ('004', '§10', '如何实现大模型的多人协作？', '12_multimodal_federated_privacy', ''),
    ('004', '§11', '如何处理大模型的数据预处理问题？', '11_classic_ml_evaluation', ''),
    ('004', '§12', '如何处理大模型的计算资源限制问题？', '09_compression_deployment', ''),
    ('004', '§13', '如何处理大模型的收敛速度问题？', '04_training_optimization', ''),
    ('004', '§14', '如何处理大模型的可扩展性问题？', '07_parallel_computing', ''),
    ('004', '§15', '如何处理大模型的计算精度问题？', '04_training_optimization', ''),
    ('004', '§16', '如何处理大模型的超参数优化问题？', '11_classic_ml_evaluation', ''),
    ('004', '§17', '如何处理大模型的硬件资源依赖问题？', '07_parallel_computing', ''),
    ('004', '§18', '如何处理大模型的持续更新问题？', '12_multimodal_federated_privacy', ''),
    ('004', '§19', '如何处理大模型的训练成本问题？', '04_training_optimization', ''),
    ('004', '§20', '如何处理大模型的可视化问题？', '11_classic_ml_evaluation', ''),
    ('004', '§21', '如何处理大模型的部署问题？', '09_compression_deployment', ''),
    ('004', '§22', '如何处理大模型的迁移性问题？', '09_compression_deployment', ''),
    ('004', '§23', '如何处理大模型的高效推理问题？', '06_efficient_inference', ''),
    ('004', '§24', '如何处理大模型的并行训练问题？', '07_parallel_computing', ''),
    ('004', '§25', '如何处理大模型的持续优化问题？', '10_llm_training_alignment', ''),
    ('004', '§26', '如何处理大模型的训练速度问题？', '04_training_optimization', ''),
    ('004', '§27', '如何处理大模型的收敛速度问题？', '04_training_optimization', ''),
    ('004', '§28', '如何处理大模型的存储问题？', '09_compression_deployment', ''),
    ('004', '§29', '如何处理大模型的分布式训练问题？', '07_parallel_computing', ''),
    ('004', '§30', '如何处理大模型的并行推理问题？', '07_parallel_computing', ''),
)
SECTION = {(s[0], s[1]): s for s in SECTIONS}


def owner(prefix: str, key: str) -> str:
    return SECTION[(prefix, key)][3]


def squash(text: str) -> str:
    """Text without white space or markdown stars: how quotes are compared with the seed files."""
    return re.sub(r"[\s*\u00a0\u3000]+", "", text)


# ---------------------------------------------------------------------------------------------------------------
# The seed files (present only beside the course)
# ---------------------------------------------------------------------------------------------------------------
def seeds_dir() -> Path:
    return Path(os.environ.get("COURSE_SEEDS", ROOT.parent / "shared" / "seeds"))


def have_seeds() -> bool:
    return all((seeds_dir() / name).is_file() for name in SEED_FILES.values())


@lru_cache(maxsize=None)
def read_seed(prefix: str) -> str:
    return (seeds_dir() / SEED_FILES[prefix]).read_text(encoding="utf-8")


def _numbered(hits, prefix, end):
    out = {}
    for j, (i, m) in enumerate(hits):
        stop = hits[j + 1][0] if j + 1 < len(hits) else end
        out[f"{prefix}{m.group(1)}"] = (m.group(2).strip("* "), i, stop)
    return out


_CHAPTER = re.compile(rf"^#{{1,3}}\s*(?:\*\*)?\s*([{CN}]+)、\s*(.*?)\s*$")
_SUB = re.compile(r"^#{3,}\s*(?:\*\*)?\s*(\d+)\.\s*(.*?)\s*$")
_ITEM = re.compile(r"^(\d+)\.\s+(.*?)\s*$")


def _sections_000(lines):
    """Chapters 「一、...」 at any heading level, then their `### N.` sub-sections, or their numbered questions when
    a chapter has no sub-headings. The handbook numbers two chapters 一: the 高频 list becomes §一(高频)."""
    chapters = [(i, m.group(1), m.group(2).strip("*[]() ")) for i, line in enumerate(lines) if (m := _CHAPTER.match(line))]
    numerals = [c[1] for c in chapters]
    out = {}
    for j, (start, numeral, title) in enumerate(chapters):
        end = chapters[j + 1][0] if j + 1 < len(chapters) else len(lines)
        key = f"§{numeral}"
        if numerals.count(numeral) > 1 and "高频" in title:
            key = f"§{numeral}(高频)"
        assert key not in out, f"000: two chapters {key}"
        out[key] = (title, start, end)
        body = range(start + 1, end)
        hits = [(i, m) for i in body if (m := _SUB.match(lines[i]))] \
            or [(i, m) for i in body if (m := _ITEM.match(lines[i]))]
        out.update(_numbered(hits, key + ".", end))
    return out


@lru_cache(maxsize=None)
def section_lines(prefix: str) -> dict:
    """{key: (title, first line index, end line index)} of a seed's sections, in file order (not 002)."""
    lines = read_seed(prefix).splitlines()
    if prefix == "000":
        return _sections_000(lines)
    heading = {"001": r"^###\s*(\d+)\.\s*(.*)$", "003": r"^#{3,4}\s*(\d+)\.\s*(.*)$",
               "004": r"^#{3,4}\s*(\d+)\.\s*(.*)$"}[prefix]
    return _numbered([(i, m) for i, line in enumerate(lines) if (m := re.match(heading, line))], "§", len(lines))


@lru_cache(maxsize=None)
def section_spans(prefix: str) -> dict:
    """{key: text of the section} (not 002)."""
    lines = read_seed(prefix).splitlines()
    return {key: "\n".join(lines[a:b]) for key, (_title, a, b) in section_lines(prefix).items()}


def line_numbers(spec: str) -> list[int]:
    """'1-8, 10, 12-15' -> [1, ..., 8, 10, 12, ..., 15]."""
    numbers = []
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", part)
        if not m:
            raise ValueError(f"lines {spec!r} should look like '1-8, 10, 12-15'")
        numbers.extend(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1))
    return numbers


@dataclass(frozen=True)
class Question:
    prefix: str
    key: str                 # section key, e.g. §一.2, §3, cuda-gpu
    number: int | None       # 001's 问题N
    text: str                # as the seed writes it, without markdown stars
    line: int                # 1-based line in the seed file

    @property
    def ref(self) -> str:
        return f"{self.prefix} {self.key}" + (f" 问题{self.number}" if self.number else "")


_002_EXTRA = ("iou是怎么计算的",)  # a sub-item that asks a question without a question mark


def _clean(text: str) -> str:
    return re.sub(r"\*\*", "", text).strip()


@lru_cache(maxsize=None)
def seed_questions() -> tuple[Question, ...]:
    """Every question of the five seed files, with its section."""
    out = []
    # 000: top-level bullets of sub-sections; numbered items of chapters without sub-headings (their
    # sub-sections); the numbered closing lists of chapters with sub-headings (the chapter's own questions)
    lines = read_seed("000").splitlines()
    sections = section_lines("000")
    chapters = {k: v for k, v in sections.items() if "." not in k}
    for ckey, (_title, start, end) in chapters.items():
        subs = sorted(((a, b, k) for k, (_t, a, b) in sections.items() if k.startswith(ckey + ".")))
        headed = bool(subs) and lines[subs[0][0]].startswith("#")
        for i in range(start + 1, end):
            line = lines[i]
            inside = [k for a, b, k in subs if a <= i < b]
            if headed and (m := _ITEM.match(line)):
                out.append(Question("000", ckey, None, _clean(m.group(2)), i + 1))
            elif headed and line.startswith("- ") and inside:
                out.append(Question("000", inside[0], None, _clean(line[2:]), i + 1))
            elif not headed and (m := _ITEM.match(line)) and inside:
                out.append(Question("000", inside[0], None, _clean(m.group(2)), i + 1))
    # 001: **问题N**: text
    lines = read_seed("001").splitlines()
    for key, (_title, start, end) in section_lines("001").items():
        for i in range(start, end):
            if m := re.match(r"^\*\*问题(\d+)\*\*\s*[:：]\s*(.*?)\s*$", lines[i]):
                out.append(Question("001", key, int(m.group(1)), _clean(m.group(2)), i + 1))
    # 002: top-level items, numbered sub-items, sub-items that ask (a question mark); by topic group
    lines = read_seed("002").splitlines()
    group = {n: s[1] for s in SECTIONS if s[0] == "002" for n in line_numbers(s[4])}
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)-\s+(.*?)\s*$", line)
        if not m or i + 1 not in group:
            continue
        text = _clean(m.group(2))
        asks = (not m.group(1) or re.match(r"^\d+\.\s", text) or re.search(r"[？?]", text)
                or text.startswith(_002_EXTRA))
        if asks and not text.startswith(("(", "建议回复", "优点", "缺点", "改进", "不足")):
            text = re.sub(r"^\d+\.\s*", "", text)  # the numbered points of "大模型方向面试官关注的点"
            out.append(Question("002", group[i + 1], None, text, i + 1))
    # 003, 004: the question headings
    for prefix in ("003", "004"):
        for key, (title, start, _end) in section_lines(prefix).items():
            out.append(Question(prefix, key, None, title, start + 1))
    return tuple(out)


def question_matches(question: Question, quote: str) -> bool:
    """Is ``quote`` this question, verbatim (white space and markdown stars aside)?"""
    q, t = squash(quote), squash(question.text)
    if q == t:
        return True
    # 002's lines may carry the interviewee's answer after the question: a quote may stop where the question does
    return question.prefix == "002" and len(q) >= 8 and t.startswith(q)


# ---------------------------------------------------------------------------------------------------------------
# The notebooks' question indexes and errata
# ---------------------------------------------------------------------------------------------------------------
KEY = re.compile(r"^(?P<prefix>00[0-4]) (?P<section>§\S+?|[a-z0-9-]+)(?: 问题(?P<number>\d+))?$")
ITEM = re.compile(r"^- `(?P<key>[^`]+)` 「(?P<quote>[^」]+)」 \((?P<gloss>.+?)\) → (?P<target>.+)$")
REF = re.compile(r"^(?:(?P<assignment>\d\d_[a-z0-9_]+):)?(?P<grade_id>[A-Za-z0-9_]+)$")


@dataclass
class Entry:
    assignment: str
    cell: int                # index of the notebook cell
    key: str                 # as written: `000 §一.2`, `001 §3 问题9`
    quote: str
    gloss: str
    kind: str                # "refs", "answer", "same", "out"
    text: str                # the answer, reason or note
    refs: list = field(default_factory=list)   # [(assignment, grade_id)]
    same: str | None = None  # the key of `same as`
    problem: str | None = None

    @property
    def prefix(self) -> str:
        return self.key[:3]

    @property
    def parsed_key(self):
        m = KEY.match(self.key)
        return (m["prefix"], m["section"], int(m["number"]) if m["number"] else None) if m else None


def parse_key(key: str):
    m = KEY.match(key.strip())
    return (m["prefix"], m["section"], int(m["number"]) if m["number"] else None) if m else None


def index_cells(nb) -> list[int]:
    """Indices of the cells that hold the question index: the heading cell and the markdown cells after it, up to
    the next cell that opens another `## ` section (the glossary) or a code cell."""
    cells = nb.cells
    start = next((i for i, c in enumerate(cells)
                  if c.cell_type == "markdown" and c.source.lstrip().startswith(INDEX_HEADING)), None)
    if start is None:
        return []
    out = [start]
    for i in range(start + 1, len(cells)):
        c = cells[i]
        if c.cell_type != "markdown" or c.source.lstrip().startswith("## ") or is_written_cell(c):
            break
        out.append(i)
    return out


def parse_target(entry: Entry, target: str, assignment: str) -> None:
    target = target.strip()
    if target.startswith("answer:"):
        entry.kind, entry.text = "answer", target[len("answer:"):].strip()
        if not entry.text:
            entry.problem = "an empty answer"
    elif target.startswith("out of scope:"):
        entry.kind, entry.text = "out", target[len("out of scope:"):].strip()
        if not entry.text:
            entry.problem = "out of scope without a reason"
    elif m := re.match(r"^same as `([^`]+)`\s*(.*)$", target):
        entry.kind, entry.same, entry.text = "same", m.group(1), m.group(2)
        if not parse_key(entry.same):
            entry.problem = f"`same as` names {entry.same!r}, not a key like `004 §13`"
    elif m := re.match(r"^`[^`]+`(?:,\s*`[^`]+`)*", target):
        entry.kind, entry.text = "refs", target[m.end():].strip()
        for ref in re.findall(r"`([^`]+)`", m.group(0)):
            r = REF.match(ref)
            if not r:
                entry.problem = f"{ref!r} is not a grade_id or ASSIGNMENT:grade_id"
                continue
            entry.refs.append((r["assignment"] or assignment, r["grade_id"]))
    else:
        entry.kind, entry.problem = "refs", ("after → write grade_ids in backticks, `answer: ...`, "
                                             "`same as `KEY``, or `out of scope: reason`")


def parse_index(nb, assignment: str) -> tuple[list[Entry], list[str]]:
    """The entries of a notebook's question index, and the lines of it that are not entries."""
    entries, bad = [], []
    for i in index_cells(nb):
        item = None
        for line in nb.cells[i].source.splitlines():
            if line.startswith("- "):
                item = [line]
                bad_or = _entry(item[0], i, assignment)
                if isinstance(bad_or, Entry):
                    entries.append(bad_or)
                else:
                    bad.append(f"cell {i}: {line[:80]!r}: {bad_or}")
            elif line.startswith("  ") and line.strip() and entries and item:
                entries[-1].text = (entries[-1].text + " " + line.strip()).strip()  # a continued answer
    return entries, bad


def _entry(line: str, cell: int, assignment: str):
    m = ITEM.match(line)
    if not m:
        return "not of the form - `KEY` 「question」 (gloss) → target"
    key = m["key"].strip()
    parsed = parse_key(key)
    if not parsed:
        return f"key {key!r} is not like `000 §一.2`, `001 §3 问题9`, `002 cuda-gpu`, `004 §13`"
    if (parsed[0], parsed[1]) not in SECTION:
        return f"there is no section {parsed[0]} {parsed[1]} (see course/handbook.py SECTIONS)"
    if (parsed[0] == "001") != (parsed[2] is not None):
        return "001 keys name the question (`001 §3 问题9`); other keys do not"
    entry = Entry(assignment, cell, key, m["quote"], m["gloss"], "refs", "")
    parse_target(entry, m["target"], assignment)
    return entry


@dataclass
class Erratum:
    assignment: str
    cell: int
    key: str
    claim: str
    right: str
    source: str
    problem: str | None = None


ERRATUM = re.compile(r"^>\s*\*\*手册勘误 · Handbook erratum\*\*\s*\(`(?P<key>[^`]+)`\)\s*$")


def parse_errata(nb, assignment: str) -> list[Erratum]:
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or "手册勘误" not in cell.source:
            continue
        lines = cell.source.splitlines()
        for j, line in enumerate(lines):
            if "手册勘误" not in line or not line.lstrip().startswith(">"):
                continue
            m = ERRATUM.match(line.strip())
            block = []
            for follow in lines[j + 1:]:
                if not follow.startswith(">") or "手册勘误" in follow:
                    break
                block.append(follow[1:].strip())
            e = Erratum(assignment, i, m["key"] if m else "", "", "", "")
            field_ = None
            for b in block:
                for name, tag in (("claim", "手册："), ("right", "Right:"), ("source", "Source:")):
                    if b.startswith(tag):
                        field_ = name
                        setattr(e, name, b[len(tag):].strip())
                        break
                else:
                    if field_ and b:
                        setattr(e, field_, (getattr(e, field_) + " " + b).strip())
            if not m:
                e.problem = "the title line should be > **手册勘误 · Handbook erratum** (`KEY`)"
            elif not parse_key(e.key) or parse_key(e.key)[:2] not in SECTION:
                e.problem = f"{e.key!r} is not a handbook section key"
            elif not (e.claim.startswith("「") and e.right and e.source):
                e.problem = "an erratum needs the lines 手册：「...」, Right: ... and Source: ..."
            out.append(e)
    return out


@lru_cache(maxsize=None)
def _notebook(assignment: str):
    return read_notebook(source_dir() / assignment / f"{assignment}.ipynb")


def clear_cache() -> None:
    _notebook.cache_clear()


def all_entries() -> list[Entry]:
    return [e for a in assignments() for e in parse_index(_notebook(a), a)[0]]


def all_errata() -> list[Erratum]:
    return [e for a in assignments() for e in parse_errata(_notebook(a), a)]


def graded_ids() -> dict:
    """{assignment: grade_ids of its exercises (solution cells), tests and written answers}."""
    return {a: {grade_id(c) for c in _notebook(a).cells if is_solution_cell(c) or is_test_cell(c) or is_written_cell(c)}
            for a in assignments()}


# ---------------------------------------------------------------------------------------------------------------
# The exercises' contract
# ---------------------------------------------------------------------------------------------------------------
_SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*$", re.S | re.M)


def _stub(source: str) -> str:
    return _SOLUTION.sub(lambda m: f"{m.group(1)}raise NotImplementedError()", source)


def _signature(node) -> str:
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"def {node.name}({ast.unparse(node.args)}){returns}:"


def _docstring(node, indent: str) -> list[str]:
    doc = ast.get_docstring(node)
    if not doc:
        return [indent + "..."]
    lines = [indent + '"""' + doc.splitlines()[0]] + [(indent + line).rstrip() for line in doc.splitlines()[1:]]
    lines[-1] += '"""'
    return lines


def exercise_contract(source: str) -> str:
    """The top-level functions and classes of a solution cell as Python stubs (signature and docstring; a class
    with its __init__ and public methods), the solutions stripped. Empty when the cell defines none."""
    try:
        tree = ast.parse(_stub(source))
    except SyntaxError:
        return ""
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += [_signature(node)] + _docstring(node, "    ") + [""]
        elif isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            out.append(f"class {node.name}({bases}):" if bases else f"class {node.name}:")
            out += _docstring(node, "    ")
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef) and (sub.name == "__init__" or not sub.name.startswith("_")):
                    out += ["", "    " + _signature(sub)] + _docstring(sub, "        ")
            out.append("")
    return "\n".join(out).strip()


# ---------------------------------------------------------------------------------------------------------------
# The generated pages
# ---------------------------------------------------------------------------------------------------------------
DOCS = ("coverage.md", "errata.md", "exercises.md")
GENERATED = "<!-- generated by `course build` from the notebooks; edit the notebooks, not this page -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _where(e: Entry) -> str:
    if e.kind == "refs":
        return ", ".join(f"`{a}:{g}`" for a, g in e.refs) + (f" {e.text}" if e.text else "")
    if e.kind == "answer":
        return f"answered in the index of `{e.assignment}`"
    if e.kind == "same":
        return f"same as `{e.same}`"
    return f"out of scope: {e.text}"


def render_coverage(entries: list[Entry]) -> str:
    by_section = {}
    for e in entries:
        p = e.parsed_key
        if p:
            by_section.setdefault((p[0], p[1]), []).append(e)
    out = ["# Handbook coverage", "", GENERATED, "",
           "Every question of the handbook in `../shared/seeds/`, by seed file and section, and where the course "
           "answers it: an exercise or written answer (`NN_assignment:grade_id`), a short answer in a notebook's "
           "question index (「手册问题索引 · Handbook questions」, at the end of each notebook), the same answer as "
           "another question, or out of scope with a reason. Each section belongs to one notebook (its owner), "
           "whose index quotes every question of it. Errata of the handbook: [errata.md](errata.md).", "",
           "Keys: 000's chapters and their `### N.` sub-sections (`§一.2`); the handbook numbers two chapters 一, "
           "the opening 「Transformer高频面试题」 is `§一(高频)`; a chapter's own key holds its closing numbered list; "
           "chapters 高频, 五 and 十一 have no sub-headings, so their numbered questions are the sub-sections "
           "(`§五.3`). 001: six areas of ten questions (`001 §3 问题9`). 002 has no sections: topic groups of "
           "its lines. 003 and 004: their numbered questions (003 §11-19 and 004 §27-28 repeat earlier ones).", "",
           "`tests/test_coverage.py` checks the indexes: every question of the seed files is indexed by its "
           "section's owner (where the seeds are present, quoted verbatim), every grade_id named exists and "
           "quotes the question, every `same as` names an indexed question.", "",
           "## Summary", "",
           "| seed file | sections | questions indexed | answered by an exercise | answered in an index | "
           "same as another | out of scope |",
           "|---|---|---|---|---|---|---|"]
    for prefix in PREFIXES:
        es = [e for s in SECTIONS if s[0] == prefix for e in by_section.get((prefix, s[1]), [])]
        n = {k: sum(e.kind == k for e in es) for k in ("refs", "answer", "same", "out")}
        out.append(f"| `{SEED_FILES[prefix]}` | {sum(s[0] == prefix for s in SECTIONS)} | {len(es)} | {n['refs']} | "
                   f"{n['answer']} | {n['same']} | {n['out']} |")
    for prefix in PREFIXES:
        out += ["", f"## {SEED_FILES[prefix]}: {SEED_TITLES[prefix]}", ""]
        for _p, key, title, own, lines in (s for s in SECTIONS if s[0] == prefix):
            es = by_section.get((prefix, key), [])
            answered = sum(e.kind != "out" for e in es)
            scope = sum(e.kind == "out" for e in es)
            extra = f", lines {lines}" if lines else ""
            out.append(f"### `{prefix} {key}` {title}")
            out.append("")
            subsections = any(t[0] == prefix and t[1].startswith(key + ".") for t in SECTIONS)
            if es:
                status = f"{answered} answered, {scope} out of scope."
            elif subsections:
                status = "no questions of its own; they are in its sub-sections below."
            else:
                status = "not indexed yet."
            out.append(f"Owner `{own}`{extra}: {status}")
            if es:
                out += ["", "| key | question | answered where |", "|---|---|---|"]
                for e in es:
                    out.append(f"| `{e.key}` | 「{_cell(e.quote)}」 {_cell(e.gloss)} | {_cell(_where(e))} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_errata(errata: list[Erratum]) -> str:
    out = ["# Handbook errata", "", GENERATED, "",
           "Where the handbook's answer or premise is wrong or misleading, the notebook that answers the question "
           "says so next to the quote, in a 「手册勘误 · Handbook erratum」 box (format in docs/authoring.md). "
           "All of them, by notebook:", ""]
    if not errata:
        out.append("None yet.")
    for a in assignments():
        es = [e for e in errata if e.assignment == a]
        if not es:
            continue
        out += [f"## {a}", ""]
        for e in es:
            out += [f"- `{e.key}` 手册：{_cell(e.claim)}", f"  - Right: {_cell(e.right)}",
                    f"  - Source: {_cell(e.source)}"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_exercises() -> str:
    out = ["# Exercises", "", GENERATED, "",
           "Every exercise of every assignment: its name (the `grade_id` of its solution cell), signature and "
           "docstring, from the notebooks in `source/` with the solutions stripped; then the autograded tests "
           "(`test_<name>_*`) and written answers with their points. This is the contract an outside grader "
           "implements against: the hidden tests call exactly these names.", ""]
    for a in assignments():
        nb = _notebook(a)
        title = nb.cells[0].source.splitlines()[0].lstrip("# ").strip() if nb.cells else a
        out += [f"## {a}", "", title, ""]
        tests = [(grade_id(c), float(nbgrader_meta(c).get("points") or 0)) for c in nb.cells if is_test_cell(c)]
        for c in nb.cells:
            if not (is_solution_cell(c) and c.cell_type == "code"):
                continue
            contract = exercise_contract(c.source)
            if not contract:
                continue
            gid = grade_id(c)
            own = [f"`{t}` ({p:g})" for t, p in tests if t.startswith(f"test_{gid}_")]
            out.append(f"### `{gid}`" + (f": tests {', '.join(own)}" if own else ""))
            out.append("")
            out += ["```python", contract, "```", ""]
        written = [(grade_id(c), float(nbgrader_meta(c).get("points") or 0)) for c in nb.cells if is_written_cell(c)]
        if written:
            out += ["Written answers (graded by hand): " + ", ".join(f"`{g}` ({p:g})" for g, p in written), ""]
    return "\n".join(out).rstrip() + "\n"


def render_all() -> dict:
    clear_cache()
    return {"coverage.md": render_coverage(all_entries()), "errata.md": render_errata(all_errata()),
            "exercises.md": render_exercises()}


def docs_dir() -> Path:
    return ROOT / "docs"


def write_docs() -> list[str]:
    written = []
    for name, text in render_all().items():
        path = docs_dir() / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(f"docs/{name}")
    return written


def stale_docs() -> list[str]:
    return [f"docs/{name} (out of date)" for name, text in render_all().items()
            if not (docs_dir() / name).is_file() or (docs_dir() / name).read_text(encoding="utf-8") != text]
