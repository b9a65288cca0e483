"""The neural-network ops: convolution, pooling and unfold/fold;
normalization, attention and recurrent layers (fused Functions over whole
layers, with array fast paths).

Each module's ``__all__`` lists the names PyTorch also has at the top level
(``torch.conv2d``, ``torch.layer_norm``, ...), which ``pytensor`` re-exports
flat; the others (``avg_pool2d``, ``unfold``, ...) are reached through
``pytensor.nn.functional``."""
from pytensor.ops._registry import load_family

__all__ = load_family(__name__, __path__, globals())
