"""The explicit list of layers hessdiag supports, and the checks that refuse everything else.

As in BackPACK, support is a list, not a hope. A model may compose these layers in any way its
`forward` likes (containers and custom parent modules are fine: torch.func differentiates whatever
functional code joins them), but every *leaf* module must be one of the types below, because only
for those do we know that eval mode makes the forward pass deterministic and twice differentiable
(dropout off, BatchNorm on running statistics). Exported and TorchScript programs are checked at the
level of their operators: random or training-mode operators are refused.
"""

from __future__ import annotations

from torch import fx, nn

from ..errors import UnsupportedError

SUPPORTED_LEAF_MODULES: tuple[type[nn.Module], ...] = (
    # affine layers
    nn.Linear, nn.Bilinear, nn.Embedding,
    nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d,
    # normalisation (BatchNorm in eval mode: running statistics)
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm,
    nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d, nn.RMSNorm,
    # pooling and reshaping
    nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
    nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d,
    nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d,
    nn.Flatten, nn.Unflatten, nn.Identity, nn.ZeroPad2d, nn.ConstantPad1d, nn.ConstantPad2d,
    # dropout (identity in eval mode)
    nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
    # attention and recurrent layers (the math kernels of `operators.kernels` inside second-order passes)
    nn.MultiheadAttention, nn.LSTM, nn.GRU, nn.RNN, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer,
    nn.TransformerEncoder, nn.TransformerDecoder, nn.Transformer,
    # activations
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
    nn.Tanh, nn.Sigmoid, nn.Softplus, nn.Softsign, nn.Hardtanh, nn.Hardswish, nn.Hardsigmoid,
    nn.LogSigmoid, nn.Tanhshrink, nn.Softmax, nn.LogSoftmax,
)


# Operators that make an exported/scripted program random, and operators whose training flag must be off.
_RANDOM_OPS = ("bernoulli", "rand", "normal", "multinomial", "native_dropout", "_native_batch_norm_legit_functional")
_TRAINING_FLAG_ARG = {"batch_norm": ("training", 5), "dropout": ("train", 2)}


def supported_names() -> str:
    return ", ".join(sorted(cls.__name__ for cls in SUPPORTED_LEAF_MODULES))


_RANDOM_IN_TRAINING = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


def check_module_layers(module: nn.Module) -> list[str]:
    """Refuse a model with a torch.nn leaf layer outside `SUPPORTED_LEAF_MODULES`.

    Leaf modules defined by the user or a library (not in torch.nn) are differentiated through their
    own forward, and one warning per type names them. Dropout layers (and the dropout of attention and
    recurrent layers) are off in eval mode, and a warning says so. Returns the warnings.
    """
    custom: dict[str, list[str]] = {}
    random_layers = 0
    for name, sub in module.named_modules():
        rate = getattr(sub, "dropout", None)
        if isinstance(sub, _RANDOM_IN_TRAINING) or (isinstance(rate, (int, float)) and rate > 0):
            random_layers += 1
        if next(sub.children(), None) is not None or isinstance(sub, fx.GraphModule):
            continue  # a container or composite module: its leaves are checked
        type_name = type(sub).__name__
        if isinstance(sub, SUPPORTED_LEAF_MODULES):
            continue
        if type(sub).__module__.startswith("torch."):
            where = f" at '{name}'" if name else ""
            raise UnsupportedError(f"unsupported layer {type_name}{where}; hessdiag supports: {supported_names()}")
        custom.setdefault(type_name, []).append(name or "<root>")
    warnings = []
    for type_name, places in custom.items():
        where = f"'{places[0]}'" if len(places) == 1 else f"{len(places)} places ('{places[0]}', …)"
        warnings.append(f"custom layer {type_name} at {where} is differentiated through its own forward; "
                        "it must be deterministic in eval mode")
    if random_layers:
        warnings.append(f"the model has {random_layers} dropout layer(s) (or layers with dropout); eval mode "
                        "turns them off, so every quantity is that of the deterministic network")
    return warnings


def _training_flag(node: fx.Node, op_name: str) -> bool:
    for key, (kwarg, position) in _TRAINING_FLAG_ARG.items():
        if op_name.startswith(key):
            value = node.kwargs.get(kwarg, node.args[position] if len(node.args) > position else False)
            return bool(value)
    return False


def check_graph_ops(graph_module: fx.GraphModule, origin: str) -> None:
    """Refuse an exported or converted program with random or training-mode operators."""
    for node in graph_module.graph.nodes:
        if node.op != "call_function":
            continue
        target = str(node.target)
        op_name = target.split(".")[1] if target.startswith("aten.") else target
        if any(op_name.startswith(op) for op in _RANDOM_OPS) or _training_flag(node, op_name):
            raise UnsupportedError(
                f"{origin} uses {target} in training mode (random, or on batch statistics); "
                "export the model after calling model.eval()"
            )
