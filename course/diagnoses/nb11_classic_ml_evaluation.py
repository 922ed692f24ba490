"""11_classic_ml_evaluation: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "11_classic_ml_evaluation"

DIAGNOSES = {
    "return_type": (
        "Returns the wrong type: check what the docstring promises (Python floats or bools, int64 indices, "
        "the input's dtype).",
        "返回类型不对：请核对文档字符串的约定（Python float 或 bool、int64 下标、与输入相同的 dtype）。"),
    "sum_not_mean": (
        "Reduces the loss wrongly: it is the mean over every element.",
        "损失的归约方式不对：应对所有元素取平均。"),
    "unstable_log": (
        "Takes the log of a sigmoid (or clamps probabilities): it loses precision or saturates for large logits. "
        "Compute the loss from the logits stably.",
        "对 sigmoid 取对数（或截断概率）：logits 很大时会丢失精度或饱和。应直接从 logits 稳定地计算损失。"),
    # precision_recall_f1
    "prf_definitions": (
        "Mixes up the definitions: precision = TP / (TP + FP), recall = TP / (TP + FN), and positives are the "
        "label 1.",
        "定义混淆了：precision = TP / (TP + FP)，recall = TP / (TP + FN)，正类是标签 1。"),
    "prf_f1": (
        "Uses the arithmetic mean: F1 is the harmonic mean of precision and recall.",
        "用了算术平均：F1 是精确率与召回率的调和平均。"),
    "prf_zero_division": (
        "Returns NaN when a denominator is 0: such a metric is 0.0.",
        "分母为 0 时返回 NaN：此时该指标为 0.0。"),
    # roc_auc
    "auc_ties": (
        "Handles tied scores wrongly: a positive tied with a negative counts one half (the probability that a "
        "random positive outscores a random negative).",
        "并列分数处理错误：正样本与负样本分数相同时计 1/2（随机正样本得分高于随机负样本的概率）。"),
    "auc_denominator": (
        "Normalises by the wrong count: divide the wins by (number of positives) x (number of negatives).",
        "归一化的计数不对：胜出次数应除以（正样本数）x（负样本数）。"),
    # average_precision
    "ap_ties": (
        "Does not treat tied scores as one threshold: a group of equal scores adds one point to the curve.",
        "没有把并列分数当作同一个阈值：一组相同的分数只在曲线上增加一个点。"),
    "ap_definition": (
        "Uses another AP definition: AP sums precision times the recall increment at each threshold (no "
        "interpolation, no trapezoid).",
        "用了另一种 AP 定义：AP 是每个阈值处精确率乘以召回率增量之和（不插值、不用梯形）。"),
    "ap_order": (
        "Ranks the scores ascending: the highest scores come first.",
        "分数按升序排名了：最高分应排在最前。"),
    # box_iou / giou / diou / ciou
    "iou_overlap": (
        "Computes the overlap wrongly: the intersection is from the larger top-left to the smaller bottom-right "
        "corner, with width and height clamped at 0 before multiplying.",
        "重叠区域计算错误：交集从较大的左上角到较小的右下角，宽和高在相乘之前截断到不小于 0。"),
    "iou_union": (
        "The union is wrong: area A + area B - intersection.",
        "并集错了：面积 A + 面积 B - 交集。"),
    "iou_pixels": (
        "Adds 1 to widths and heights (the old pixel convention): boxes are continuous coordinates.",
        "宽和高加了 1（旧的像素约定）：这里的框是连续坐标。"),
    "giou_penalty": (
        "The GIoU penalty is wrong: subtract (area of the enclosing box - union) / area of the enclosing box.",
        "GIoU 惩罚项错了：应减去（最小外接框面积 - 并集）/ 最小外接框面积。"),
    "giou_loss": (
        "Returns the loss 1 - GIoU instead of GIoU.",
        "返回的是损失 1 - GIoU 而不是 GIoU。"),
    "giou_enclosing": (
        "Uses the wrong enclosing box: the smallest box containing both boxes.",
        "外接框用错了：应是同时包含两个框的最小框。"),
    "diou_penalty": (
        "The DIoU penalty is wrong: subtract the squared distance between the box centres over the squared "
        "diagonal of the enclosing box.",
        "DIoU 惩罚项错了：应减去两框中心距离的平方除以外接框对角线长度的平方。"),
    "ciou_term": (
        "The CIoU aspect term is wrong: v = 4/pi^2 (atan(w_b/h_b) - atan(w_a/h_a))^2, weighted by "
        "alpha = v / (1 - IoU + v), with a small eps.",
        "CIoU 的长宽比项错了：v = 4/pi^2 (atan(w_b/h_b) - atan(w_a/h_a))^2，权重 alpha = v / (1 - IoU + v)，并加小 eps。"),
    # nms
    "nms_suppression": (
        "Suppresses wrongly: visit boxes by decreasing score, and only a box that is kept suppresses the "
        "lower-scored boxes overlapping it.",
        "抑制方式不对：按分数从高到低访问框，只有被保留的框才会抑制与其重叠的低分框。"),
    "nms_order": (
        "Returns the kept indices in the wrong order: by decreasing score.",
        "保留下标的顺序不对：应按分数从高到低。"),
    # mean_average_precision
    "map_envelope": (
        "Uses the raw precision: VOC/COCO-style AP uses the precision envelope (the maximum precision at this or "
        "any higher recall).",
        "用了原始精确率：VOC/COCO 风格的 AP 使用精确率包络（该召回率及更高召回率下的最大精确率）。"),
    "map_matching": (
        "Matches detections wrongly: a detection is a true positive only if its best-overlapping ground truth of "
        "the same class in the same image is above the threshold and not yet matched.",
        "检测匹配错误：只有当检测与同图同类中重叠最大的真值框超过阈值且尚未被匹配时，才算真正例。"),
    "map_classes": (
        "Averages over the wrong classes: only classes that have ground truth count.",
        "平均的类别不对：只统计有真值框的类别。"),
    "map_threshold": (
        "Ignores `iou_threshold`.",
        "忽略了 `iou_threshold`。"),
    # multilabel_bce / focal_loss
    "bce_softmax": (
        "Uses a softmax over classes: multi-label classification treats each class as an independent sigmoid.",
        "在类别上用了 softmax：多标签分类把每个类别视为独立的 sigmoid。"),
    "focal_alpha": (
        "Applies alpha wrongly: alpha weighs the positives, 1 - alpha the negatives, and a negative alpha turns "
        "the weighting off.",
        "alpha 用法不对：alpha 加权正样本，1 - alpha 加权负样本，alpha 为负时不加权。"),
    "focal_modulation": (
        "The modulating factor is wrong: (1 - p_t)^gamma, with p_t the probability of the true label.",
        "调制因子错了：应为 (1 - p_t)^gamma，p_t 是真实标签的概率。"),
    # class_balanced_weights
    "cb_formula": (
        "The weights are wrong: inversely proportional to the effective number (1 - beta^n) / (1 - beta), "
        "normalised to sum to the number of classes.",
        "权重错了：应与有效样本数 (1 - beta^n) / (1 - beta) 成反比，并归一化使其和等于类别数。"),
    # lstm_cell
    "lstm_gates": (
        "Gets a gate wrong: PyTorch's order is input, forget, cell candidate (tanh), output; the forget gate "
        "scales the old cell, the input gate the candidate.",
        "某个门写错了：PyTorch 的顺序是输入门、遗忘门、候选记忆（tanh）、输出门；遗忘门作用于旧记忆，输入门作用于候选值。"),
    "lstm_hidden": (
        "The hidden state is o * tanh(c_new): the tanh is missing.",
        "隐藏状态应为 o * tanh(c_new)：漏掉了 tanh。"),
    "lstm_bias": (
        "Mishandles the biases: each of b_ih and b_hh is added when given, and either may be None.",
        "偏置处理有误：b_ih 和 b_hh 给定时各自相加，且任一都可能为 None。"),
    "lstm_weights": (
        "Uses the weights in the wrong orientation: w_ih is (4H, I), so the gates are x W_ih^T.",
        "权重方向用错了：w_ih 形状为 (4H, I)，门的计算是 x W_ih^T。"),
    # xgboost
    "xgb_leaf": (
        "The leaf weight is wrong: w* = -G / (H + lambda).",
        "叶子权重错了：w* = -G / (H + lambda)。"),
    "xgb_gain": (
        "The split gain is wrong: 1/2 [G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) - (G_L+G_R)^2/(H_L+H_R+lambda)] "
        "- gamma.",
        "分裂增益错了：1/2 [G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) - (G_L+G_R)^2/(H_L+H_R+lambda)] - gamma。"),
    # fit_gradient_boosting
    "gb_fit": (
        "The boosting loop is wrong: start from the mean of y, fit each stump to the negative gradient with "
        "leaf weights -G / (H + lambda), shrink them by the learning rate, and use lambda in both gain and weights.",
        "提升循环有误：从 y 的均值出发，每棵树桩拟合负梯度，叶子权重为 -G / (H + lambda)，乘以学习率收缩，并且增益和权重中都要用 "
        "lambda。"),
    "gb_features": (
        "Searches splits on the first feature only: every feature is a candidate.",
        "只在第一个特征上搜索分裂：每个特征都是候选。"),
    "gb_predict": (
        "Predicts differently from training: apply the same shrunken leaf values the fit used.",
        "预测与训练不一致：应使用训练时相同的、乘过学习率的叶子值。"),
    # k_fold_indices
    "kfold_sizes": (
        "Sizes the folds wrongly: the first n % k folds get one extra sample.",
        "折的大小不对：前 n % k 折各多一个样本。"),
    "kfold_shuffle": (
        "Shuffles wrongly: with shuffle, permute with a generator seeded by `seed`; without, keep 0..n-1.",
        "打乱方式不对：shuffle 时用以 `seed` 为种子的生成器打乱；否则保持 0..n-1。"),
    "kfold_global_rng": (
        "Seeds or draws from a global random generator (torch's, numpy's or Python's): that changes the caller's "
        "random stream. Draw the permutation from a generator of your own, seeded with `seed`.",
        "对全局随机数生成器（torch、numpy 或 Python 的）设了种子或从中抽样：这会改变调用者的随机数流。"
        "应使用自己的、以 `seed` 为种子的生成器来生成排列。"),
    "kfold_train_order": (
        "Returns the training indices in permuted order: they are sorted.",
        "训练下标是打乱后的顺序：应为升序。"),
    # EarlyStopping
    "es_patience": (
        "Stops one step late: stop as soon as `patience` steps in a row did not improve.",
        "晚一步停止：连续 `patience` 步没有改进时就应停止。"),
    "es_improvement": (
        "Counts an improvement wrongly: it must beat the best value by more than min_delta, in the direction "
        "`mode` gives; only then the best value and the counter change.",
        "改进的判定有误：必须在 `mode` 指定的方向上比最佳值好过 min_delta；只有这时才更新最佳值并重置计数。"),
    "es_counter": (
        "Never resets the counter after an improvement.",
        "改进之后没有重置计数器。"),
    "es_state": (
        "Keeps the state on the class: every instance shares it.",
        "状态存放在类上：所有实例共享了它。"),
    "bce_builtin": (
        "Calls the library's binary cross-entropy with logits: the exercise asks you to write the stable formula "
        "yourself.",
        "调用了库里的带 logits 的二元交叉熵：题目要求自己写出数值稳定的公式。"),
    "ciou_alpha_grad": (
        "Lets gradients flow through alpha: in CIoU the trade-off weight alpha is treated as a constant (no "
        "gradient), only v carries one.",
        "让梯度流过了 alpha：CIoU 中权衡系数 alpha 视为常数（不传梯度），只有 v 带梯度。"),
}

VARIANTS = {
    ("precision_recall_f1", "precision_and_recall_swapped"): "prf_definitions",
    ("precision_recall_f1", "positive_is_zero"): "prf_definitions",
    ("precision_recall_f1", "f1_arithmetic_mean"): "prf_f1",
    ("precision_recall_f1", "nan_on_zero_denominator"): "prf_zero_division",
    ("precision_recall_f1", "returns_tensors"): "return_type",
    ("roc_auc", "ties_count_one"): "auc_ties",
    ("roc_auc", "ties_count_zero"): "auc_ties",
    ("roc_auc", "trapezoid_without_grouping_ties"): "auc_ties",
    ("roc_auc", "step_sum_without_grouping_ties"): "auc_ties",
    ("roc_auc", "ties_broken_by_order_ranks"): "auc_ties",
    ("roc_auc", "negatives_over_positives"): "auc_denominator",
    ("roc_auc", "returns_tensor"): "return_type",
    ("average_precision", "ties_not_grouped"): "ap_ties",
    ("average_precision", "mean_precision_at_positives"): "ap_ties",
    ("average_precision", "interpolated_envelope"): "ap_definition",
    ("average_precision", "trapezoid_pr_curve"): "ap_definition",
    ("average_precision", "mean_precision_over_all_ranks"): "ap_definition",
    ("average_precision", "ascending_sort"): "ap_order",
    ("box_iou", "no_clamp"): "iou_overlap",
    ("box_iou", "clamp_after_product"): "iou_overlap",
    ("box_iou", "min_max_swapped"): "iou_overlap",
    ("box_iou", "union_is_sum_of_areas"): "iou_union",
    ("box_iou", "plus_one_pixel"): "iou_pixels",
    ("giou", "penalty_over_union"): "giou_penalty",
    ("giou", "penalty_added"): "giou_penalty",
    ("giou", "penalty_uses_intersection"): "giou_penalty",
    ("giou", "returns_loss"): "giou_loss",
    ("giou", "enclosing_box_is_bigger_box"): "giou_enclosing",
    ("diou", "distances_not_squared"): "diou_penalty",
    ("diou", "diagonal_not_squared"): "diou_penalty",
    ("diou", "diagonal_of_first_box"): "diou_penalty",
    ("diou", "corner_distance_not_centre"): "diou_penalty",
    ("diou", "penalty_added"): "diou_penalty",
    ("ciou", "alpha_uses_diou"): "ciou_term",
    ("ciou", "v_without_4_over_pi2"): "ciou_term",
    ("ciou", "no_alpha"): "ciou_term",
    ("ciou", "no_eps_nan_for_identical_boxes"): "ciou_term",
    ("ciou", "atan_difference_not_squared"): "ciou_term",
    ("nms", "suppressed_boxes_still_suppress"): "nms_suppression",
    ("nms", "ascending_scores"): "nms_suppression",
    ("nms", "one_pass_against_top_box"): "nms_suppression",
    ("nms", "kept_sorted_by_index"): "nms_order",
    ("nms", "int32_indices"): "return_type",
    ("mean_average_precision", "no_precision_envelope"): "map_envelope",
    ("mean_average_precision", "falls_back_to_next_unmatched_box"): "map_matching",
    ("mean_average_precision", "matches_ground_truth_of_any_class"): "map_matching",
    ("mean_average_precision", "matches_across_images"): "map_matching",
    ("mean_average_precision", "averages_classes_without_ground_truth"): "map_classes",
    ("mean_average_precision", "threshold_fixed_at_half"): "map_threshold",
    ("multilabel_bce", "log_of_sigmoid"): "unstable_log",
    ("multilabel_bce", "clamped_probabilities"): "unstable_log",
    ("multilabel_bce", "softmax_over_classes"): "bce_softmax",
    ("multilabel_bce", "sum_not_mean"): "sum_not_mean",
    ("multilabel_bce", "sum_over_classes_mean_over_batch"): "sum_not_mean",
    ("focal_loss", "alpha_on_negatives"): "focal_alpha",
    ("focal_loss", "negative_alpha_not_special"): "focal_alpha",
    ("focal_loss", "alpha_on_all_elements"): "focal_alpha",
    ("focal_loss", "modulates_by_p_t"): "focal_modulation",
    ("focal_loss", "modulates_by_one_minus_p"): "focal_modulation",
    ("focal_loss", "log_of_p_t"): "unstable_log",
    ("focal_loss", "sum_reduction"): "sum_not_mean",
    ("class_balanced_weights", "inverse_frequency"): "cb_formula",
    ("class_balanced_weights", "normalised_to_one"): "cb_formula",
    ("class_balanced_weights", "effective_number_not_inverted"): "cb_formula",
    ("class_balanced_weights", "not_normalised"): "cb_formula",
    ("class_balanced_weights", "float64_for_integer_counts"): "return_type",
    ("lstm_cell", "gate_order_ifog"): "lstm_gates",
    ("lstm_cell", "candidate_without_tanh"): "lstm_gates",
    ("lstm_cell", "forget_gate_on_new_memory"): "lstm_gates",
    ("lstm_cell", "h_without_tanh"): "lstm_hidden",
    ("lstm_cell", "missing_hidden_bias"): "lstm_bias",
    ("lstm_cell", "weights_not_transposed"): "lstm_weights",
    ("xgboost_leaf_weight", "missing_minus_sign"): "xgb_leaf",
    ("xgboost_leaf_weight", "lambda_ignored"): "xgb_leaf",
    ("xgboost_leaf_weight", "objective_value_not_weight"): "xgb_leaf",
    ("xgboost_leaf_weight", "returns_tensor"): "return_type",
    ("xgboost_leaf_weight", "integer_division"): "return_type",
    ("xgboost_split_gain", "missing_half"): "xgb_gain",
    ("xgboost_split_gain", "gamma_inside_half"): "xgb_gain",
    ("xgboost_split_gain", "parent_with_two_lambdas"): "xgb_gain",
    ("xgboost_split_gain", "parent_term_missing"): "xgb_gain",
    ("xgboost_split_gain", "gamma_added"): "xgb_gain",
    ("fit_gradient_boosting", "starts_from_zero"): "gb_fit",
    ("fit_gradient_boosting", "no_shrinkage"): "gb_fit",
    ("fit_gradient_boosting", "lambda_ignored"): "gb_fit",
    ("fit_gradient_boosting", "lambda_only_in_gain"): "gb_fit",
    ("fit_gradient_boosting", "steps_along_the_gradient"): "gb_fit",
    ("fit_gradient_boosting", "only_first_feature"): "gb_features",
    ("fit_gradient_boosting", "predict_forgets_learning_rate"): "gb_predict",
    ("k_fold_indices", "remainder_in_last_fold"): "kfold_sizes",
    ("k_fold_indices", "ceil_sized_folds"): "kfold_sizes",
    ("k_fold_indices", "shuffle_ignored"): "kfold_shuffle",
    ("k_fold_indices", "global_rng"): "kfold_shuffle",
    ("k_fold_indices", "reseeds_global_rng"): "kfold_global_rng",
    ("k_fold_indices", "numpy_global_seed"): "kfold_global_rng",
    ("k_fold_indices", "train_in_permuted_order"): "kfold_train_order",
    ("early_stopping", "stops_one_step_late"): "es_patience",
    ("early_stopping", "plateau_counts_as_improvement"): "es_improvement",
    ("early_stopping", "min_delta_ignored"): "es_improvement",
    ("early_stopping", "best_tracks_every_value"): "es_improvement",
    ("early_stopping", "mode_ignored"): "es_improvement",
    ("early_stopping", "best_updated_on_small_improvement"): "es_improvement",
    ("early_stopping", "counter_never_reset"): "es_counter",
    ("early_stopping", "state_on_the_class"): "es_state",
    ("early_stopping", "returns_int"): "return_type",
    ("multilabel_bce", "calls_the_oracle"): "bce_builtin",
    ("multilabel_bce", "sigmoid_then_bce"): "unstable_log",
    ("ciou", "alpha_not_detached"): "ciou_alpha_grad",
}
