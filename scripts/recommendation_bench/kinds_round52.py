"""The benchmark's problem kinds of the fifty-second prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every model class and data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import models as M

# Added in a fifty-second round (2026-12-07, chosen in the session that refitted the rules on 690 cases, before any
# of this round's cases was run), to be called by those rules. It is aimed at the sequence models hessdiag is run on
# and the benchmark has met least: one transformer kind and one LSTM kind among 345. Four pre-LN transformers (one
# block; ten token values and classes; batch 16; the first-token recall task, which attention with position
# embeddings solves) and four hand-written LSTMs (16 hidden units; four token values; the majority-token task the
# transformers are run on; batch 16), each a one-setting neighbour of the kind it extends.


def transformer_d1_model() -> nn.Module:
    return M.build(lambda: M.TinyTransformer(vocab=6, length=16, dim=32, heads=2, depth=1, classes=6), seed=630)


def transformer_d1_data():
    return D.majority_tokens(seed=730)


def transformer_v10_model() -> nn.Module:
    return M.build(lambda: M.TinyTransformer(vocab=10, length=16, dim=32, heads=2, depth=2, classes=10), seed=631)


def transformer_v10_data():
    return D.majority_tokens(seed=731, vocab=10)


def transformer_b16_model() -> nn.Module:
    return M.build(lambda: M.TinyTransformer(vocab=6, length=16, dim=32, heads=2, depth=2, classes=6), seed=632)


def transformer_b16_data():
    return D.majority_tokens(seed=732)


def transformer_first_token_model() -> nn.Module:
    return M.build(lambda: M.TinyTransformer(vocab=8, length=12, dim=32, heads=2, depth=1, classes=8), seed=633)


def transformer_first_token_data():
    return D.first_token_memory(seed=733)


def lstm_h16_model() -> nn.Module:
    return M.build(lambda: M.LSTMClassifier(vocab=8, emb=8, hidden=16, classes=8), seed=634)


def lstm_h16_data():
    return D.first_token_memory(seed=734)


def lstm_v4_model() -> nn.Module:
    return M.build(lambda: M.LSTMClassifier(vocab=4, emb=8, hidden=32, classes=4), seed=635)


def lstm_v4_data():
    return D.first_token_memory(seed=735, vocab=4)


def lstm_majority_model() -> nn.Module:
    return M.build(lambda: M.LSTMClassifier(vocab=6, emb=8, hidden=32, classes=6), seed=636)


def lstm_majority_data():
    return D.majority_tokens(seed=736)


def lstm_b16_model() -> nn.Module:
    return M.build(lambda: M.LSTMClassifier(vocab=8, emb=8, hidden=32, classes=8), seed=637)


def lstm_b16_data():
    return D.first_token_memory(seed=737)


_TRANSFORMER = (M.TinyTransformer, M.Block, M.SelfAttention)

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "transformer_d1": ("ce", 64, 6, "1-block pre-LN transformer, majority-token sequence classification",
                       (*_TRANSFORMER, D.majority_tokens)),
    "transformer_v10": ("ce", 64, 10, "2-block pre-LN transformer, majority token of 10 values",
                        (*_TRANSFORMER, D.majority_tokens)),
    "transformer_b16": ("ce", 16, 6, "2-block pre-LN transformer, majority-token sequence classification, batch 16",
                        (*_TRANSFORMER, D.majority_tokens)),
    "transformer_first_token": ("ce", 64, 8, "1-block pre-LN transformer, recall the first of 12 tokens",
                                (*_TRANSFORMER, D.first_token_memory)),
    "lstm_h16": ("ce", 64, 8, "hand-written LSTM cell (h=16), recall the first of 12 tokens",
                 (M.LSTMClassifier, D.first_token_memory)),
    "lstm_v4": ("ce", 64, 4, "hand-written LSTM cell (h=32), recall the first of 12 tokens of 4 values",
                (M.LSTMClassifier, D.first_token_memory)),
    "lstm_majority": ("ce", 64, 6, "hand-written LSTM cell (h=32), majority token of 16",
                      (M.LSTMClassifier, D.majority_tokens)),
    "lstm_b16": ("ce", 16, 8, "hand-written LSTM cell (h=32), recall the first of 12 tokens, batch 16",
                 (M.LSTMClassifier, D.first_token_memory)),
}
