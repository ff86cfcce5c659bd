"""Class imbalance statistics of classification problems (Kunstner et al. 2024): class frequencies,
per-class losses and gradient norms, and summaries of how heavy the tail of rare classes is."""

from .classes import ClassStatistics, class_counts, class_labels, class_statistics, imbalance_ratio, no_classes_reason

__all__ = ["ClassStatistics", "class_counts", "class_labels", "class_statistics", "imbalance_ratio",
           "no_classes_reason"]
