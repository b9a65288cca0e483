"""``Embedding``: a lookup table of learnable vectors."""
from pytensor import creation as _creation
from pytensor.autograd.grad_mode import no_grad
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.module import Module
from pytensor.nn.parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``,
    indexed by integer tensors.

    Args:
        num_embeddings (int): the table size.
        embedding_dim (int): the vector size.
        padding_idx (int, optional): this row is initialised to zeros and
            gets no gradient (a "padding" token).
        max_norm (float, optional): renormalize looked-up rows to at most
            this norm (modifies the weight in place).
        norm_type (float): the p of that norm.
        scale_grad_by_freq (bool): scale gradients by inverse frequency in
            the batch.
        sparse (bool): must be False (no sparse gradients).
        _weight (Tensor, optional): the initial table (used by
            :meth:`from_pretrained`).
        _freeze (bool): the weight does not require grad.

    Attributes:
        weight (Parameter): ``(num_embeddings, embedding_dim)``, from
            N(0, 1).

    Example:
        >>> import pytensor
        >>> from pytensor import nn
        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb
        Embedding(10, 3, padding_idx=0)
        >>> emb(pytensor.tensor([[1, 2, 0]])).shape
        (1, 3, 3)
        >>> emb.weight.tolist()[0]
        [0.0, 0.0, 0.0]
    """

    __constants__ = ["num_embeddings", "embedding_dim", "padding_idx",
                     "max_norm", "norm_type", "scale_grad_by_freq", "sparse"]

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None,
                 max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 sparse=False, _weight=None, _freeze=False, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0:
                if padding_idx >= num_embeddings:
                    raise AssertionError(
                        "Padding_idx must be within num_embeddings")
            elif padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError(
                        "Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        if sparse:
            raise NotImplementedError(
                "Embedding: sparse=True is not supported (pytensor has no "
                "sparse tensors)")
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                _creation.empty(num_embeddings, embedding_dim, device=device,
                                dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    "Shape of weight does not match num_embeddings and "
                    "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        """N(0, 1), with the padding row zeroed."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            with no_grad():
                self.weight._data[self.padding_idx] = 0
                self.weight._bump_version("fill_")

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx,
                           self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None,
                        max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        sparse=False):
        """An Embedding whose table is ``embeddings`` (2-D; shared, not
        copied), frozen unless ``freeze=False``.

        Example:
            >>> import pytensor
            >>> from pytensor import nn
            >>> emb = nn.Embedding.from_pretrained(
            ...     pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]))
            >>> emb(pytensor.tensor([1])), emb.weight.requires_grad
            (tensor([[3., 4.]]), False)
        """
        if embeddings.ndim != 2:
            raise AssertionError(
                "Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings,
                   _freeze=freeze, padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                   sparse=sparse)
