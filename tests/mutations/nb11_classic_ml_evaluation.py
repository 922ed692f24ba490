"""11_classic_ml_evaluation: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "11_classic_ml_evaluation"

_N_GT_OF_CLASS = ("n_gt = sum(len(gt) for gt in gts)", 'n_gt = sum(len(t["boxes"][t["labels"] == c]) for t in targets)')


WRONG = [
    # ------------------------------------------------------------ precision_recall_f1
    ("precision_recall_f1", "precision_and_recall_swapped", patch(ASSIGNMENT, "precision_recall_f1", [
        ("precision = tp / (tp + fp) if tp + fp else 0.0", "precision = tp / (tp + fn) if tp + fn else 0.0"),
        ("recall = tp / (tp + fn) if tp + fn else 0.0", "recall = tp / (tp + fp) if tp + fp else 0.0")])),
    ("precision_recall_f1", "f1_arithmetic_mean", patch(ASSIGNMENT, "precision_recall_f1",
        "f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0",
        "f1 = (precision + recall) / 2")),
    ("precision_recall_f1", "nan_on_zero_denominator", """
def precision_recall_f1(y_true, y_pred):
    t, p = y_true.bool(), y_pred.bool()
    tp = (t & p).sum().double()
    precision = (tp / p.sum()).item()
    recall = (tp / t.sum()).item()
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0
"""),
    ("precision_recall_f1", "returns_tensors", """
def precision_recall_f1(y_true, y_pred):
    t, p = y_true.bool(), y_pred.bool()
    tp = (t & p).sum().double()
    fp = (~t & p).sum().double()
    fn = (t & ~p).sum().double()
    precision = tp / (tp + fp) if tp + fp else torch.tensor(0.0)
    recall = tp / (tp + fn) if tp + fn else torch.tensor(0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else torch.tensor(0.0)
    return precision, recall, f1
"""),
    ("precision_recall_f1", "positive_is_zero", patch(ASSIGNMENT, "precision_recall_f1",
        "t, p = y_true.bool(), y_pred.bool()", "t, p = y_true == 0, y_pred == 0")),
    # ------------------------------------------------------------ roc_auc
    ("roc_auc", "ties_count_one", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    pos, neg = scores[y].double(), scores[~y].double()
    return (pos[:, None] >= neg[None, :]).double().mean().item()
"""),
    ("roc_auc", "ties_count_zero", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    pos, neg = scores[y].double(), scores[~y].double()
    return (pos[:, None] > neg[None, :]).double().mean().item()
"""),
    ("roc_auc", "trapezoid_without_grouping_ties", """
def roc_auc(y_true, scores):
    order = scores.argsort(descending=True, stable=True)
    y = y_true.bool()[order].double()
    tpr = torch.cat([torch.zeros(1, dtype=torch.float64), y.cumsum(0) / y.sum()])
    fpr = torch.cat([torch.zeros(1, dtype=torch.float64), (1 - y).cumsum(0) / (1 - y).sum()])
    return torch.trapezoid(tpr, fpr).item()
"""),
    ("roc_auc", "step_sum_without_grouping_ties", """
def roc_auc(y_true, scores):
    order = scores.argsort(descending=True)
    y = y_true.bool()[order].double()
    tpr = y.cumsum(0) / y.sum()
    neg = 1 - y
    return (tpr * neg).sum().item() / neg.sum().item()
"""),
    ("roc_auc", "returns_tensor", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    pos, neg = scores[y].double(), scores[~y].double()
    wins = (pos[:, None] > neg[None, :]).double() + 0.5 * (pos[:, None] == neg[None, :]).double()
    return wins.mean()
"""),
    ("roc_auc", "negatives_over_positives", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    pos, neg = scores[y].double(), scores[~y].double()
    wins = (neg[None, :] > pos[:, None]).double() + 0.5 * (pos[:, None] == neg[None, :]).double()
    return wins.mean().item()
"""),
    # ------------------------------------------------------------ average_precision
    ("average_precision", "ties_not_grouped", """
def average_precision(y_true, scores):
    order = scores.argsort(descending=True)
    y = y_true.bool()[order].double()
    tp = y.cumsum(0)
    precision = tp / torch.arange(1, len(y) + 1, dtype=torch.float64)
    return (precision * y).sum().item() / y.sum().item()
"""),
    ("average_precision", "interpolated_envelope", patch(ASSIGNMENT, "average_precision",
        "precision = tp / rank", "precision = (tp / rank).flip(0).cummax(0).values.flip(0)")),
    ("average_precision", "trapezoid_pr_curve", patch(ASSIGNMENT, "average_precision",
        "    precision = tp / rank\n"
        "    recall = tp / tp[-1]\n"
        "    d_recall = torch.diff(recall, prepend=recall.new_zeros(1))\n"
        "    return (d_recall * precision).sum().item()\n",
        "    precision = torch.cat([torch.ones(1, dtype=torch.float64), tp / rank])\n"
        "    recall = torch.cat([torch.zeros(1, dtype=torch.float64), tp / tp[-1]])\n"
        "    return torch.trapezoid(precision, recall).item()\n")),
    ("average_precision", "mean_precision_over_all_ranks", """
def average_precision(y_true, scores):
    s, order = scores.double().sort(descending=True)
    y = y_true.bool()[order].double()
    precision = y.cumsum(0) / torch.arange(1, len(s) + 1, dtype=torch.float64)
    return precision.mean().item()
"""),
    ("average_precision", "ascending_sort", patch(ASSIGNMENT, "average_precision",
        "scores.double().sort(descending=True)", "scores.double().sort()")),
    # ------------------------------------------------------------ box_iou
    ("box_iou", "no_clamp", patch(ASSIGNMENT, "box_iou", "wh = (rb - lt).clamp(min=0)", "wh = rb - lt")),
    ("box_iou", "clamp_after_product", patch(ASSIGNMENT, "box_iou", [
        ("wh = (rb - lt).clamp(min=0)", "wh = rb - lt"),
        ("inter = wh[..., 0] * wh[..., 1]", "inter = (wh[..., 0] * wh[..., 1]).clamp(min=0)")])),
    ("box_iou", "union_is_sum_of_areas", patch(ASSIGNMENT, "box_iou",
        "(area_a[:, None] + area_b[None, :] - inter)", "(area_a[:, None] + area_b[None, :])")),
    ("box_iou", "plus_one_pixel", patch(ASSIGNMENT, "box_iou", [
        ("(a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])", "(a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)"),
        ("(b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])", "(b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)"),
        ("(rb - lt).clamp", "(rb - lt + 1).clamp")])),
    ("box_iou", "min_max_swapped", patch(ASSIGNMENT, "box_iou", [
        ("lt = torch.max(", "lt = torch.min("),
        ("rb = torch.min(", "rb = torch.max(")])),
    # ------------------------------------------------------------ giou
    ("giou", "penalty_over_union", patch(ASSIGNMENT, "giou", "(area_c - union) / area_c", "(area_c - union) / union")),
    ("giou", "penalty_added", patch(ASSIGNMENT, "giou",
        "return inter / union - (area_c", "return inter / union + (area_c")),
    ("giou", "penalty_uses_intersection", patch(ASSIGNMENT, "giou",
        "(area_c - union) / area_c", "(area_c - inter) / area_c")),
    ("giou", "returns_loss", patch(ASSIGNMENT, "giou",
        "return inter / union - (area_c - union) / area_c", "return 1 - (inter / union - (area_c - union) / area_c)")),
    ("giou", "enclosing_box_is_bigger_box", patch(ASSIGNMENT, "giou",
        "    return inter / union - (area_c - union) / area_c",
        "    area_c = torch.max(area_a[:, None], area_b[None, :]).expand_as(union)\n"
        "    return inter / union - (area_c - union).clamp(min=0) / area_c")),
    # ------------------------------------------------------------ diou
    # distances, not squared distances
    ("diou", "distances_not_squared", patch(ASSIGNMENT, "diou", [
        ("c2 = (wh_c ** 2).sum(-1) + 1e-7", "c2 = (wh_c ** 2).sum(-1).sqrt() + 1e-7"),
        ("rho2 = ((centre_a[:, None, :] - centre_b[None, :, :]) ** 2).sum(-1)",
         "rho2 = ((centre_a[:, None, :] - centre_b[None, :, :]) ** 2).sum(-1).sqrt()")])),
    ("diou", "diagonal_not_squared", patch(ASSIGNMENT, "diou",
        "c2 = (wh_c ** 2).sum(-1) + 1e-7", "c2 = (wh_c ** 2).sum(-1).sqrt() + 1e-7")),
    ("diou", "diagonal_of_first_box", patch(ASSIGNMENT, "diou",
        "c2 = (wh_c ** 2).sum(-1) + 1e-7", "c2 = ((a[:, 2:] - a[:, :2]) ** 2).sum(-1)[:, None] + 1e-7")),
    ("diou", "corner_distance_not_centre", patch(ASSIGNMENT, "diou",
        "rho2 = ((centre_a[:, None, :] - centre_b[None, :, :]) ** 2).sum(-1)",
        "rho2 = ((a[:, None, :2] - b[None, :, :2]) ** 2).sum(-1)")),
    ("diou", "penalty_added", patch(ASSIGNMENT, "diou", "box_iou(a, b) - rho2 / c2", "box_iou(a, b) + rho2 / c2")),
    # ------------------------------------------------------------ ciou
    ("ciou", "alpha_uses_diou", patch(ASSIGNMENT, "ciou",
        "    with torch.no_grad():\n"
        "        alpha = v / (1 - iou + v + 1e-7)\n"
        "    return diou(a, b) - alpha * v",
        "    d = diou(a, b)\n"
        "    alpha = v / (1 - d + v + 1e-7)\n"
        "    return d - alpha * v")),
    ("ciou", "v_without_4_over_pi2", patch(ASSIGNMENT, "ciou", "v = (4 / math.pi ** 2) * (", "v = (")),
    ("ciou", "no_alpha", patch(ASSIGNMENT, "ciou", "return diou(a, b) - alpha * v", "return diou(a, b) - v")),
    ("ciou", "no_eps_nan_for_identical_boxes", patch(ASSIGNMENT, "ciou",
        "alpha = v / (1 - iou + v + 1e-7)", "alpha = v / (1 - iou + v)")),
    ("ciou", "atan_difference_not_squared", patch(ASSIGNMENT, "ciou",
        "torch.atan(w_a / h_a)[:, None]) ** 2", "torch.atan(w_a / h_a)[:, None]).abs()")),
    # ------------------------------------------------------------ nms
    ("nms", "suppressed_boxes_still_suppress", """
def nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True).tolist()
    iou = box_iou(boxes, boxes)
    keep = [i for r, i in enumerate(order) if all(iou[i, j] <= iou_threshold for j in order[:r])]
    return torch.tensor(keep, dtype=torch.long)
"""),
    ("nms", "ascending_scores", patch(ASSIGNMENT, "nms", "scores.argsort(descending=True)", "scores.argsort()")),
    ("nms", "kept_sorted_by_index", patch(ASSIGNMENT, "nms",
        "torch.tensor(keep, dtype=torch.long)", "torch.tensor(sorted(keep), dtype=torch.long)")),
    ("nms", "one_pass_against_top_box", """
def nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True)
    iou = box_iou(boxes, boxes)
    top = int(order[0])
    keep = [top] + [i for i in order[1:].tolist() if iou[top, i] <= iou_threshold]
    return torch.tensor(keep, dtype=torch.long)
"""),
    ("nms", "int32_indices", patch(ASSIGNMENT, "nms",
        "torch.tensor(keep, dtype=torch.long)", "torch.tensor(keep, dtype=torch.int32)")),
    # ------------------------------------------------------------ mean_average_precision
    ("mean_average_precision", "no_precision_envelope", patch(
        ASSIGNMENT, "mean_average_precision",
        "envelope = precision.flip(0).cummax(0).values.flip(0)", "envelope = precision")),
    ("mean_average_precision", "falls_back_to_next_unmatched_box", patch(ASSIGNMENT, "mean_average_precision", [(
        "j = int(ious.argmax())\n            if ious[j] > iou_threshold and not matched[i][j]:",
        "free = ious.masked_fill(matched[i], -1.0)\n            j = int(free.argmax())\n"
        "            if free[j] > iou_threshold:")])),
    ("mean_average_precision", "matches_ground_truth_of_any_class", patch(ASSIGNMENT, "mean_average_precision", [
        ('gts = [t["boxes"][t["labels"] == c] for t in targets]', 'gts = [t["boxes"][:] for t in targets]'),
        _N_GT_OF_CLASS])),
    ("mean_average_precision", "averages_classes_without_ground_truth", patch(ASSIGNMENT, "mean_average_precision", [
        ("    aps = []\n",
         '    classes = sorted(set(classes) | {c for p in preds for c in p["labels"].tolist()})\n    aps = []\n'),
        ("ctp / n_gt,", "ctp / max(n_gt, 1),")])),
    ("mean_average_precision", "threshold_fixed_at_half", patch(
        ASSIGNMENT, "mean_average_precision", "if ious[j] > iou_threshold", "if ious[j] > 0.5")),
    ("mean_average_precision", "matches_across_images", patch(ASSIGNMENT, "mean_average_precision", [
        ("        matched = [", "        gts = [torch.cat(gts)] * len(gts)\n        matched = ["), _N_GT_OF_CLASS,
        ("            if len(gts[i]) == 0:", "            i = 0\n            if len(gts[i]) == 0:")])),
    # ------------------------------------------------------------ multilabel_bce
    ("multilabel_bce", "log_of_sigmoid", patch(ASSIGNMENT, "multilabel_bce",
        "    loss = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))",
        "    p = torch.sigmoid(logits)\n"
        "    loss = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))")),
    ("multilabel_bce", "clamped_probabilities", patch(ASSIGNMENT, "multilabel_bce",
        "    loss = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))",
        "    p = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)\n"
        "    loss = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))")),
    ("multilabel_bce", "softmax_over_classes", patch(ASSIGNMENT, "multilabel_bce",
        "    loss = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))",
        "    loss = -(targets * torch.log_softmax(logits, dim=-1)).sum(-1)")),
    ("multilabel_bce", "sum_not_mean", patch(ASSIGNMENT, "multilabel_bce", "return loss.mean()", "return loss.sum()")),
    ("multilabel_bce", "sum_over_classes_mean_over_batch", patch(ASSIGNMENT, "multilabel_bce",
        "return loss.mean()", "return loss.sum(-1).mean()")),
    # ------------------------------------------------------------ focal_loss
    ("focal_loss", "alpha_on_negatives", patch(ASSIGNMENT, "focal_loss",
        "alpha * targets + (1 - alpha) * (1 - targets)", "(1 - alpha) * targets + alpha * (1 - targets)")),
    ("focal_loss", "modulates_by_p_t", patch(ASSIGNMENT, "focal_loss", "(1 - p_t) ** gamma", "p_t ** gamma")),
    ("focal_loss", "modulates_by_one_minus_p", patch(ASSIGNMENT, "focal_loss",
        "(1 - p_t) ** gamma", "(1 - p) ** gamma")),
    ("focal_loss", "log_of_p_t", patch(ASSIGNMENT, "focal_loss",
        "bce * (1 - p_t) ** gamma", "-torch.log(p_t) * (1 - p_t) ** gamma")),
    ("focal_loss", "sum_reduction", patch(ASSIGNMENT, "focal_loss", "return loss.mean()", "return loss.sum()")),
    ("focal_loss", "negative_alpha_not_special", patch(ASSIGNMENT, "focal_loss",
        "    if alpha >= 0:\n"
        "        loss = (alpha",
        "    loss = (alpha")),
    # ------------------------------------------------------------ class_balanced_weights
    ("class_balanced_weights", "inverse_frequency", """
def class_balanced_weights(class_counts, beta=0.9999):
    n = torch.as_tensor(class_counts).to(torch.float64)
    w = 1 / n
    return (w * len(w) / w.sum()).to(torch.float32)
"""),
    ("class_balanced_weights", "normalised_to_one", patch(ASSIGNMENT, "class_balanced_weights",
        "(w * len(w) / w.sum())", "(w / w.sum())")),
    ("class_balanced_weights", "effective_number_not_inverted", patch(ASSIGNMENT, "class_balanced_weights",
        "w = (1 - beta) / (1 - beta ** n)", "w = (1 - beta ** n) / (1 - beta)")),
    ("class_balanced_weights", "not_normalised", patch(ASSIGNMENT, "class_balanced_weights",
        "return (w * len(w) / w.sum()).to(dtype)", "return w.to(dtype)")),
    ("class_balanced_weights", "float64_for_integer_counts", """
def class_balanced_weights(class_counts, beta=0.9999):
    n = torch.as_tensor(class_counts).to(torch.float64)
    w = (1 - beta) / (1 - beta ** n)
    return w * len(w) / w.sum()
"""),
    # ------------------------------------------------------------ lstm_cell
    ("lstm_cell", "gate_order_ifog", """
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        gates = gates + b_ih + b_hh
    i, f, o, g = gates.chunk(4, dim=-1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
"""),
    ("lstm_cell", "candidate_without_tanh", """
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        gates = gates + b_ih + b_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * g
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
"""),
    ("lstm_cell", "h_without_tanh", patch(ASSIGNMENT, "lstm_cell",
        "h_new = torch.sigmoid(o) * torch.tanh(c_new)", "h_new = torch.sigmoid(o) * c_new")),
    ("lstm_cell", "missing_hidden_bias", patch(ASSIGNMENT, "lstm_cell",
        "    if b_hh is not None:\n"
        "        gates = gates + b_hh\n",
        "")),
    ("lstm_cell", "weights_not_transposed", """
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = (w_ih @ x.unsqueeze(-1)).squeeze(-1) + (w_hh @ h.unsqueeze(-1)).squeeze(-1)
    if b_ih is not None:
        gates = gates + b_ih + b_hh
    i, f, g, o = gates.chunk(4, dim=0)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
"""),
    ("lstm_cell", "forget_gate_on_new_memory", """
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        gates = gates + b_ih + b_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    c_new = torch.sigmoid(i) * c + torch.sigmoid(f) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
"""),
    # ------------------------------------------------------------ xgboost_leaf_weight
    ("xgboost_leaf_weight", "missing_minus_sign", patch(ASSIGNMENT, "xgboost_leaf_weight",
        "return -G / (H + lam)", "return G / (H + lam)")),
    ("xgboost_leaf_weight", "lambda_ignored", patch(ASSIGNMENT, "xgboost_leaf_weight",
        "return -G / (H + lam)", "return -G / H")),
    ("xgboost_leaf_weight", "objective_value_not_weight", patch(ASSIGNMENT, "xgboost_leaf_weight",
        "return -G / (H + lam)", "return -0.5 * G ** 2 / (H + lam)")),
    ("xgboost_leaf_weight", "returns_tensor", patch(ASSIGNMENT, "xgboost_leaf_weight",
        "return -G / (H + lam)", "return torch.tensor(-G / (H + lam))")),
    ("xgboost_leaf_weight", "integer_division", patch(ASSIGNMENT, "xgboost_leaf_weight",
        "return -G / (H + lam)", "return -G // (H + lam) if isinstance(G, int) else -G / (H + lam)")),
    # ------------------------------------------------------------ xgboost_split_gain
    ("xgboost_split_gain", "missing_half", """
def xgboost_split_gain(G_L, H_L, G_R, H_R, lam, gamma):
    return G_L ** 2 / (H_L + lam) + G_R ** 2 / (H_R + lam) - (G_L + G_R) ** 2 / (H_L + H_R + lam) - gamma
"""),
    ("xgboost_split_gain", "gamma_inside_half", """
def xgboost_split_gain(G_L, H_L, G_R, H_R, lam, gamma):
    return 0.5 * (G_L ** 2 / (H_L + lam) + G_R ** 2 / (H_R + lam) - (G_L + G_R) ** 2 / (H_L + H_R + lam) - gamma)
"""),
    ("xgboost_split_gain", "parent_with_two_lambdas", """
def xgboost_split_gain(G_L, H_L, G_R, H_R, lam, gamma):
    return 0.5 * (G_L ** 2 / (H_L + lam) + G_R ** 2 / (H_R + lam) - (G_L + G_R) ** 2 / (H_L + H_R + 2 * lam)) - gamma
"""),
    ("xgboost_split_gain", "parent_term_missing", """
def xgboost_split_gain(G_L, H_L, G_R, H_R, lam, gamma):
    return 0.5 * (G_L ** 2 / (H_L + lam) + G_R ** 2 / (H_R + lam)) - gamma
"""),
    ("xgboost_split_gain", "gamma_added", """
def xgboost_split_gain(G_L, H_L, G_R, H_R, lam, gamma):
    return 0.5 * (G_L ** 2 / (H_L + lam) + G_R ** 2 / (H_R + lam) - (G_L + G_R) ** 2 / (H_L + H_R + lam)) + gamma
"""),
    # ------------------------------------------------------------ fit_gradient_boosting
    ("fit_gradient_boosting", "starts_from_zero", patch(
        ASSIGNMENT, "fit_gradient_boosting", "base = yd.mean().item()", "base = 0.0")),
    ("fit_gradient_boosting", "no_shrinkage", patch(ASSIGNMENT, "fit_gradient_boosting", [
        ("w = learning_rate * -G", "w = -G"), ("w_left = learning_rate * -g_left", "w_left = -g_left"),
        ("w_right = learning_rate * -g_right", "w_right = -g_right")])),
    ("fit_gradient_boosting", "lambda_ignored", patch(ASSIGNMENT, "fit_gradient_boosting", [
        ("gain = g_left ** 2 / (h_left + lam) + g_right ** 2 / (n - h_left + lam) - G ** 2 / (n + lam)",
         "gain = g_left ** 2 / (h_left + 0.0) + g_right ** 2 / (n - h_left + 0.0) - G ** 2 / (n + 0.0)"),
        ("(k + 1 + lam)", "(k + 1 + 0.0)"), ("(n - k - 1 + lam)", "(n - k - 1 + 0.0)")])),
    ("fit_gradient_boosting", "lambda_only_in_gain", patch(
        ASSIGNMENT, "fit_gradient_boosting",
        [("(k + 1 + lam)", "(k + 1 + 0.0)"), ("(n - k - 1 + lam)", "(n - k - 1 + 0.0)")])),
    ("fit_gradient_boosting", "only_first_feature", patch(
        ASSIGNMENT, "fit_gradient_boosting",
        "    h_left = torch.arange", "    valid[:, 1:] = False\n    h_left = torch.arange")),
    ("fit_gradient_boosting", "steps_along_the_gradient", patch(ASSIGNMENT, "fit_gradient_boosting", [
        ("learning_rate * -g_left", "learning_rate * g_left"),
        ("learning_rate * -g_right", "learning_rate * g_right")])),
    ("fit_gradient_boosting", "predict_forgets_learning_rate", patch(
        ASSIGNMENT, "fit_gradient_boosting", [  # the fit shrinks each step, the stored leaves do not
        ("w_left = learning_rate * -g_left", "w_left = -g_left"),
        ("w_right = learning_rate * -g_right", "w_right = -g_right"),
        ("pred = pred + torch.where(", "pred = pred + learning_rate * torch.where(")])),
    # ------------------------------------------------------------ k_fold_indices
    ("k_fold_indices", "remainder_in_last_fold", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle else torch.arange(n)
    size = n // k
    folds = []
    for i in range(k):
        val = perm[i * size:(i + 1) * size] if i < k - 1 else perm[i * size:]
        train = torch.tensor(sorted(set(range(n)) - set(val.tolist())), dtype=torch.long)
        folds.append((train, val))
    return folds
"""),
    ("k_fold_indices", "shuffle_ignored", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    folds, start = [], 0
    for i in range(k):
        size = n // k + (1 if i < n % k else 0)
        val = torch.arange(start, start + size)
        train = torch.cat([torch.arange(0, start), torch.arange(start + size, n)])
        folds.append((train, val))
        start += size
    return folds
"""),
    ("k_fold_indices", "global_rng", patch(ASSIGNMENT, "k_fold_indices",
        "torch.randperm(n, generator=torch.Generator().manual_seed(seed))", "torch.randperm(n)")),
    ("k_fold_indices", "reseeds_global_rng", patch(ASSIGNMENT, "k_fold_indices",
        "torch.randperm(n, generator=torch.Generator().manual_seed(seed))",
        "(torch.manual_seed(seed), torch.randperm(n))[1]")),
    ("k_fold_indices", "numpy_global_seed", patch(ASSIGNMENT, "k_fold_indices",
        "torch.randperm(n, generator=torch.Generator().manual_seed(seed))",
        "(__import__('numpy').random.seed(seed), torch.from_numpy(__import__('numpy').random.permutation(n)))[1]")),
    ("k_fold_indices", "train_in_permuted_order", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle else torch.arange(n)
    folds, start = [], 0
    for i in range(k):
        size = n // k + (1 if i < n % k else 0)
        folds.append((torch.cat([perm[:start], perm[start + size:]]), perm[start:start + size]))
        start += size
    return folds
"""),
    ("k_fold_indices", "ceil_sized_folds", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle else torch.arange(n)
    size = -(-n // k)
    folds = []
    for i in range(k):
        val = perm[i * size:(i + 1) * size]
        keep = torch.ones(n, dtype=torch.bool)
        keep[val] = False
        folds.append((torch.arange(n)[keep], val))
    return folds
"""),
    # ------------------------------------------------------------ EarlyStopping
    ("early_stopping", "stops_one_step_late", patch(
        ASSIGNMENT, "early_stopping", "return self.counter >= self.patience", "return self.counter > self.patience")),
    ("early_stopping", "plateau_counts_as_improvement", patch(
        ASSIGNMENT, "early_stopping", "value < self.best - self.min_delta", "value <= self.best - self.min_delta")),
    ("early_stopping", "min_delta_ignored", patch(
        ASSIGNMENT, "early_stopping", "value < self.best - self.min_delta", "value < self.best")),
    ("early_stopping", "best_tracks_every_value", patch(ASSIGNMENT, "early_stopping", 
        "        return self.counter >= self.patience",
        "        self.best = min(self.best, value) if self.mode == 'min' else max(self.best, value)\n"
        "        return self.counter >= self.patience")),
    ("early_stopping", "mode_ignored", patch(ASSIGNMENT, "early_stopping", 'if self.mode == "min":', "if True:")),
    ("early_stopping", "counter_never_reset", patch(
        ASSIGNMENT, "early_stopping",
        "            self.best = value\n            self.counter = 0\n", "            self.best = value\n")),
    ("early_stopping", "state_on_the_class", """
class EarlyStopping:
    best = None
    counter = 0

    def __init__(self, patience, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        EarlyStopping.best = math.inf if mode == "min" else -math.inf
        EarlyStopping.counter = 0

    def step(self, value):
        value = float(value)
        if self.mode == "min":
            improved = value < EarlyStopping.best - self.min_delta
        else:
            improved = value > EarlyStopping.best + self.min_delta
        if improved:
            EarlyStopping.best, EarlyStopping.counter = value, 0
        else:
            EarlyStopping.counter += 1
        return EarlyStopping.counter >= self.patience
"""),
    ("early_stopping", "returns_int", patch(
        ASSIGNMENT, "early_stopping",
        "return self.counter >= self.patience", "return int(self.counter >= self.patience)")),
]

RIGHT = [
    ("precision_recall_f1", "counts_formula_for_f1", """
def precision_recall_f1(y_true, y_pred):
    t, p = y_true != 0, y_pred != 0
    tp = torch.logical_and(t, p).sum().item()
    fp = torch.logical_and(~t, p).sum().item()
    fn = torch.logical_and(t, ~p).sum().item()
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0.0
    return float(precision), float(recall), float(f1)
"""),
    ("roc_auc", "pairwise_broadcast", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    pos, neg = scores[y].double(), scores[~y].double()
    wins = (pos[:, None] > neg[None, :]).double() + 0.5 * (pos[:, None] == neg[None, :]).double()
    return wins.mean().item()
"""),
    ("roc_auc", "average_ranks", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    s = scores.double()
    order = s.argsort()
    values, inverse, counts = torch.unique(s, return_inverse=True, return_counts=True)
    ends = counts.cumsum(0).double()
    avg_rank = ends - (counts.double() - 1) / 2
    ranks = avg_rank[inverse]
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    return (ranks[y].sum().item() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
"""),
    ("roc_auc", "trapezoid_over_distinct_thresholds", """
def roc_auc(y_true, scores):
    y = y_true.bool()
    s = scores.double()
    thresholds = torch.unique(s).flip(0)
    tpr = [0.0] + [((s >= t) & y).sum().item() / y.sum().item() for t in thresholds]
    fpr = [0.0] + [((s >= t) & ~y).sum().item() / (~y).sum().item() for t in thresholds]
    return torch.trapezoid(torch.tensor(tpr, dtype=torch.float64), torch.tensor(fpr, dtype=torch.float64)).item()
"""),
    ("average_precision", "loop_over_unique_scores", """
def average_precision(y_true, scores):
    y = y_true.bool()
    s = scores.double()
    n_pos = y.sum().item()
    ap, prev = 0.0, 0.0
    for t in torch.unique(s).flip(0):
        flagged = s >= t
        tp = (flagged & y).sum().item()
        recall = tp / n_pos
        ap += (recall - prev) * tp / flagged.sum().item()
        prev = recall
    return ap
"""),
    ("average_precision", "unique_consecutive_groups", """
def average_precision(y_true, scores):
    s, order = scores.double().sort(descending=True)
    y = y_true.bool()[order].double()
    _, counts = torch.unique_consecutive(s, return_counts=True)
    ends = counts.cumsum(0) - 1
    tp = y.cumsum(0)[ends]
    precision = tp / (ends + 1).double()
    recall = tp / y.sum()
    recall_prev = torch.cat([torch.zeros(1, dtype=torch.float64), recall[:-1]])
    return float(((recall - recall_prev) * precision).sum())
"""),
    ("box_iou", "float64_inside_clamp_each_side", """
def box_iou(a, b):
    a64, b64 = a.double(), b.double()
    w = (torch.minimum(a64[:, None, 2], b64[None, :, 2]) - torch.maximum(a64[:, None, 0], b64[None, :, 0])).clamp(min=0)
    h = (torch.minimum(a64[:, None, 3], b64[None, :, 3]) - torch.maximum(a64[:, None, 1], b64[None, :, 1])).clamp(min=0)
    inter = w * h
    area_a = ((a64[:, 2] - a64[:, 0]) * (a64[:, 3] - a64[:, 1]))[:, None]
    area_b = ((b64[:, 2] - b64[:, 0]) * (b64[:, 3] - b64[:, 1]))[None, :]
    return (inter / (area_a + area_b - inter)).to(a.dtype)
"""),
    ("giou", "via_box_iou_and_union", """
def giou(a, b):
    iou = box_iou(a, b)
    wh = (torch.min(a[:, None, 2:], b[None, :, 2:]) - torch.max(a[:, None, :2], b[None, :, :2])).clamp(min=0)
    inter = wh.prod(-1)
    union = ((a[:, 2:] - a[:, :2]).prod(-1))[:, None] + ((b[:, 2:] - b[:, :2]).prod(-1))[None, :] - inter
    enclosing = (torch.max(a[:, None, 2:], b[None, :, 2:]) - torch.min(a[:, None, :2], b[None, :, :2])).prod(-1)
    return iou - (enclosing - union) / enclosing
"""),
    ("diou", "no_eps_explicit_coordinates", """
def diou(a, b):
    cx_a, cy_a = (a[:, 0] + a[:, 2]) / 2, (a[:, 1] + a[:, 3]) / 2
    cx_b, cy_b = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    rho2 = (cx_a[:, None] - cx_b[None, :]) ** 2 + (cy_a[:, None] - cy_b[None, :]) ** 2
    cw = torch.max(a[:, None, 2], b[None, :, 2]) - torch.min(a[:, None, 0], b[None, :, 0])
    ch = torch.max(a[:, None, 3], b[None, :, 3]) - torch.min(a[:, None, 1], b[None, :, 1])
    return box_iou(a, b) - rho2 / (cw ** 2 + ch ** 2)
"""),
    ("ciou", "where_instead_of_eps", patch(ASSIGNMENT, "ciou",
        "alpha = v / (1 - iou + v + 1e-7)", "alpha = torch.where(v > 0, v / (1 - iou + v), torch.zeros_like(v))")),
    ("nms", "vectorised_remaining_set", """
def nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        i = order[0]
        keep.append(int(i))
        if order.numel() == 1:
            break
        ious = box_iou(boxes[i][None], boxes[order[1:]])[0]
        order = order[1:][ious <= iou_threshold]
    return torch.tensor(keep, dtype=torch.int64)
"""),
    ("mean_average_precision", "python_lists_and_envelope_loop", """
def mean_average_precision(preds, targets, iou_threshold=0.5):
    labels = set()
    for t in targets:
        labels.update(int(c) for c in t["labels"])
    aps = []
    for c in sorted(labels):
        gt = [t["boxes"][t["labels"] == c] for t in targets]
        taken = [[False] * len(g) for g in gt]
        total = sum(len(g) for g in gt)
        dets = []
        for i, p in enumerate(preds):
            for box, score, label in zip(p["boxes"], p["scores"], p["labels"]):
                if int(label) == c:
                    dets.append((float(score), i, box))
        dets.sort(key=lambda d: d[0], reverse=True)
        tp, fp, prec, rec = 0, 0, [], []
        for _, i, box in dets:
            hit = False
            if len(gt[i]):
                ious = box_iou(box[None].double(), gt[i].double())[0]
                j = int(torch.argmax(ious))
                if float(ious[j]) > iou_threshold and not taken[i][j]:
                    taken[i][j] = hit = True
            tp, fp = tp + hit, fp + (not hit)
            prec.append(tp / (tp + fp))
            rec.append(tp / total)
        mrec, mpre = [0.0] + rec + [1.0], [0.0] + prec + [0.0]
        for k in range(len(mpre) - 2, -1, -1):
            mpre[k] = max(mpre[k], mpre[k + 1])
        aps.append(sum((mrec[k] - mrec[k - 1]) * mpre[k] for k in range(1, len(mrec)) if mrec[k] != mrec[k - 1]))
    return float(sum(aps) / len(aps))
"""),
    ("multilabel_bce", "logsigmoid", """
def multilabel_bce(logits, targets):
    return -(targets * F.logsigmoid(logits) + (1 - targets) * F.logsigmoid(-logits)).mean()
"""),
    ("multilabel_bce", "softplus", """
def multilabel_bce(logits, targets):
    return (F.softplus(logits) - logits * targets).mean()
"""),
    ("focal_loss", "torchvision_verbatim", """
def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss.mean()
"""),
    ("focal_loss", "logsigmoid_form", """
def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    log_p, log_not_p = F.logsigmoid(logits), F.logsigmoid(-logits)
    bce = -(targets * log_p + (1 - targets) * log_not_p)
    p_t = targets * log_p.exp() + (1 - targets) * log_not_p.exp()
    weight = (1 - p_t).pow(gamma)
    if alpha >= 0:
        weight = weight * (alpha * targets + (1 - alpha) * (1 - targets))
    return (weight * bce).mean()
"""),
    ("class_balanced_weights", "python_floats", """
def class_balanced_weights(class_counts, beta=0.9999):
    counts = torch.as_tensor(class_counts)
    raw = [(1.0 - beta) / (1.0 - beta ** float(n)) for n in counts.tolist()]
    total = sum(raw)
    dtype = counts.dtype if counts.is_floating_point() else torch.float32
    return torch.tensor([len(raw) * r / total for r in raw], dtype=dtype)
"""),
    ("class_balanced_weights", "expm1_log1p_stable", """
def class_balanced_weights(class_counts, beta=0.9999):
    counts = torch.as_tensor(class_counts)
    dtype = counts.dtype if counts.is_floating_point() else torch.float32
    n = counts.double()
    effective = -torch.expm1(n * math.log(beta)) / (1 - beta) if beta > 0 else torch.ones_like(n)
    w = 1 / effective
    return (w / w.mean()).to(dtype)
"""),
    ("lstm_cell", "f_linear", """
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    H = h.shape[-1]
    i = torch.sigmoid(gates[..., :H])
    f = torch.sigmoid(gates[..., H:2 * H])
    g = torch.tanh(gates[..., 2 * H:3 * H])
    o = torch.sigmoid(gates[..., 3 * H:])
    c_new = f * c + i * g
    return o * torch.tanh(c_new), c_new
"""),
    ("lstm_cell", "concatenated_weights", """
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    w = torch.cat([w_ih, w_hh], dim=1)
    gates = torch.cat([x, h], dim=-1) @ w.T
    for b in (b_ih, b_hh):
        if b is not None:
            gates = gates + b
    i, f, g, o = gates.chunk(4, dim=-1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new
"""),
    ("xgboost_leaf_weight", "explicit_floats", patch(ASSIGNMENT, "xgboost_leaf_weight",
        "return -G / (H + lam)", "return -float(G) / float(H + lam)")),
    ("xgboost_split_gain", "via_leaf_objective", """
def xgboost_split_gain(G_L, H_L, G_R, H_R, lam, gamma):
    def score(G, H):
        return G * G / (H + lam)
    return float(0.5 * (score(G_L, H_L) + score(G_R, H_R) - score(G_L + G_R, H_L + H_R)) - gamma)
"""),
    ("fit_gradient_boosting", "python_loops_left_value_threshold", """
def fit_gradient_boosting(x, y, n_trees=100, learning_rate=0.1, lam=1.0):
    rows, target = x.tolist(), y.tolist()
    n, n_feat = len(rows), len(rows[0])
    base = sum(target) / n
    f = [base] * n
    orders = [sorted(range(n), key=lambda i: rows[i][j]) for j in range(n_feat)]
    stumps = []
    for _ in range(n_trees):
        grad = [f[i] - target[i] for i in range(n)]
        G = sum(grad)
        best = None
        for j in range(n_feat):
            order, GL = orders[j], 0.0
            for k in range(n - 1):
                GL += grad[order[k]]
                if rows[order[k]][j] == rows[order[k + 1]][j]:
                    continue
                HL, GR = k + 1, G - GL
                gain = GL * GL / (HL + lam) + GR * GR / (n - HL + lam) - G * G / (n + lam)
                if best is None or gain > best[0]:
                    best = (gain, j, rows[order[k]][j], -GL / (HL + lam), -GR / (n - HL + lam))
        _, j, thr, wl, wr = best
        stumps.append((j, thr, learning_rate * wl, learning_rate * wr))
        f = [f[i] + (learning_rate * wl if rows[i][j] <= thr else learning_rate * wr) for i in range(n)]

    def predict(x_new):
        out = []
        for row in x_new.tolist():
            out.append(base + sum(wl if row[j] <= thr else wr for j, thr, wl, wr in stumps))
        return torch.tensor(out, dtype=y.dtype)

    return predict
"""),
    ("k_fold_indices", "tensor_split", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    idx = torch.randperm(n, generator=g) if shuffle else torch.arange(n)
    chunks = list(torch.tensor_split(idx, k))
    out = []
    for i, val in enumerate(chunks):
        train = torch.cat([chunks[j] for j in range(k) if j != i]).sort().values
        out.append((train, val.clone()))
    return out
"""),
    ("early_stopping", "sign_trick_for_max", """
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        self.patience, self.min_delta = patience, min_delta
        self.sign = 1.0 if mode == "min" else -1.0
        self.best = math.inf
        self.wait = 0

    def step(self, value):
        v = self.sign * float(value)
        if v < self.best - self.min_delta:
            self.best, self.wait = v, 0
        else:
            self.wait += 1
        return bool(self.wait >= self.patience)
"""),
]


# Further variants from a probe of the hidden tests' freedom and plausible mistakes.
WRONG += [
    ("roc_auc", "ties_broken_by_order_ranks", """
def roc_auc(y_true, scores):
    s = scores.double()
    y = y_true == 1
    ranks = torch.empty(len(s), dtype=torch.float64)
    ranks[s.argsort(stable=True)] = torch.arange(1, len(s) + 1, dtype=torch.float64)
    n_pos = int(y.sum()); n_neg = len(s) - n_pos
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
"""),
    ("average_precision", "mean_precision_at_positives", """
def average_precision(y_true, scores):
    order = scores.argsort(descending=True)
    y = (y_true[order] == 1).double()
    prec = y.cumsum(0) / torch.arange(1, len(y) + 1)
    return float((prec * y).sum() / y.sum())
"""),
    ("early_stopping", "best_updated_on_small_improvement", """
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best = math.inf if mode == "min" else -math.inf
        self.counter = 0
    def step(self, value):
        v = float(value)
        better = v < self.best if self.mode == "min" else v > self.best
        if better and abs(v - self.best) > self.min_delta:
            self.counter = 0
        else:
            self.counter += 1
        if better:
            self.best = v
        return self.counter >= self.patience
"""),
    ("focal_loss", "alpha_on_all_elements", """
def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p = torch.sigmoid(logits)
    pt = p * targets + (1 - p) * (1 - targets)
    return (alpha * (1 - pt) ** gamma * ce).mean()
"""),
]
RIGHT += [
    ("precision_recall_f1", "float_compare_eq1", """
def precision_recall_f1(y_true, y_pred):
    t = y_true == 1
    p = y_pred == 1
    tp = (t & p).sum().item(); fp = (~t & p).sum().item(); fn = (t & ~p).sum().item()
    pr = tp / (tp + fp) if tp + fp > 0 else 0.0
    rc = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0
    return float(pr), float(rc), float(f1)
"""),
    ("roc_auc", "mann_whitney_rank_sum_argsort", """
def roc_auc(y_true, scores):
    s = scores.double()
    y = y_true == 1
    uniq, inv, counts = torch.unique(s, return_inverse=True, return_counts=True)
    ends = counts.cumsum(0).double()
    avg = ends - (counts.double() - 1) / 2
    ranks = avg[inv]
    n_pos = int(y.sum()); n_neg = len(s) - n_pos
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
"""),
    ("average_precision", "loop_sklearn_style", """
def average_precision(y_true, scores):
    ys = [int(v) for v in y_true.tolist()]; ss = scores.tolist()
    n_pos = sum(ys)
    ap, prev_r = 0.0, 0.0
    for thr in sorted(set(ss), reverse=True):
        tp = sum(1 for y, s in zip(ys, ss) if s >= thr and y == 1)
        k = sum(1 for s in ss if s >= thr)
        r = tp / n_pos
        ap += (r - prev_r) * (tp / k)
        prev_r = r
    return ap
"""),
    ("class_balanced_weights", "list_input_python", """
def class_balanced_weights(class_counts, beta=0.9999):
    c = torch.as_tensor(class_counts)
    dt = c.dtype if c.is_floating_point() else torch.float32
    eff = [(1 - beta ** float(n)) / (1 - beta) for n in c.tolist()]
    w = [1.0 / e for e in eff]
    s = sum(w)
    return torch.tensor([x * len(w) / s for x in w], dtype=dt)
"""),
    ("k_fold_indices", "numpy_rng_sorted_train", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    import numpy as np
    idx = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, start = [], 0
    for s in sizes:
        val = idx[start:start + s]
        train = np.setdiff1d(np.arange(n), val)
        out.append((torch.from_numpy(train).long(), torch.from_numpy(val.copy()).long()))
        start += s
    return out
"""),
    ("k_fold_indices", "val_sorted_within_fold", """
def k_fold_indices(n, k, shuffle=True, seed=0):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if shuffle else torch.arange(n)
    out = []
    for val in torch.tensor_split(perm, k):
        val = val.sort().values
        mask = torch.ones(n, dtype=torch.bool); mask[val] = False
        out.append((torch.nonzero(mask).flatten(), val))
    return out
"""),
    ("early_stopping", "best_none_first_value", """
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best = None
        self.wait = 0
    def step(self, value):
        v = float(value)
        if self.best is None:
            self.best = v
            self.wait = 0
        elif (self.mode == "min" and v < self.best - self.min_delta) or (self.mode == "max" and v > self.best + self.min_delta):
            self.best = v
            self.wait = 0
        else:
            self.wait += 1
        return bool(self.wait >= self.patience)
"""),
    ("focal_loss", "bce_with_logits_float64", """
def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    x = logits.double(); t = targets.double()
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p = torch.sigmoid(x)
    pt = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - pt) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss.mean().to(logits.dtype)
"""),
    # SYLLABUS: binary 0/1 tensors; bool inputs are outside the contract, so 1 - y_true is a correct way to count.
    ("precision_recall_f1", "arithmetic_on_0_1_labels", """
def precision_recall_f1(y_true, y_pred):
    tp = float((y_true * y_pred).sum())
    fp = float(((1 - y_true) * y_pred).sum())
    fn = float((y_true * (1 - y_pred)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
"""),
]

# Issue 13: the rules the text states are enforced (no F.binary_cross_entropy*, alpha without gradient in CIoU).
WRONG += [
    ("multilabel_bce", "calls_the_oracle", """
def multilabel_bce(logits, targets):
    return F.binary_cross_entropy_with_logits(logits, targets)
"""),
    ("multilabel_bce", "sigmoid_then_bce", """
def multilabel_bce(logits, targets):
    return F.binary_cross_entropy(torch.sigmoid(logits.double()), targets.double()).to(logits.dtype)
"""),
    # right values, but alpha gets a gradient
    ("ciou", "alpha_not_detached", patch(ASSIGNMENT, "ciou",
        "    with torch.no_grad():\n"
        "        alpha = v / (1 - iou + v + 1e-7)\n",
        "    alpha = v / (1 - iou + v + 1e-7)\n")),
]

RIGHT += [
    ("ciou", "alpha_from_detached_terms", patch(ASSIGNMENT, "ciou",
        "    with torch.no_grad():\n"
        "        alpha = v / (1 - iou + v + 1e-7)\n",
        "    alpha = v.detach() / (1 - iou.detach() + v.detach() + 1e-7)\n")),
]
