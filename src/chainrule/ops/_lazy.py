"""The op families that load on first use, and the mechanism that loads them.

`import chainrule` defines the common ops at once; the families below (linear algebra,
complex numbers, special functions, sorting, scans, statistics, histograms, grids,
windows, the rarer elementwise ops, rearranging, scatter and strided copies) are imported
when one of their names is first used: `chainrule.sort`, `chainrule.linalg`,
`t.cholesky()`, `Tensor.real`, `hasattr(Tensor, "topk")`, `x << 1`, ...

Until then each Tensor attribute a family defines is a placeholder in Tensor's class
dict (so that `dir`, `hasattr` and tab completion see it as before) whose first access
imports the family's module. That module defines its ops as usual, each Tensor attribute
going into its placeholder (`define`, which tensor_method calls), and as it ends
(`publish`) gives its Tensor methods and chainrule's top-level functions NumPy's argument
names, as `import chainrule` does for the others, and puts them on Tensor in the
placeholders' place. A module imported any other way (`import chainrule.linalg`, `from
chainrule.ops.sorting import sort`) loads the same way.

The placeholders stay on Tensor until the import ends so that threads need no lock of
their own: a thread that reaches one while another thread is importing the family asks
Python's import machinery for the module, which waits for that import to end (its lock on
the module), publish included, and then finds the real attribute. Only the importing
thread itself can find a placeholder whose module is not done: it gets what the module
has defined so far.

FAMILIES names, per module of chainrule.ops, the names it gives chainrule's namespace
and the attributes it gives Tensor; tests/test_lazy_import.py checks it against what the
modules define.
"""

from __future__ import annotations

import importlib
import sys

from ..tensor import Tensor
from .numpy_names import accept_numpy_names

# module of chainrule.ops -> (its names in chainrule's namespace, its attributes of Tensor),
# each a space-separated list
FAMILIES: dict[str, tuple[str, str]] = {
    "complex": (
        (
            "angle complex conj conj_physical imag is_complex is_conj is_neg polar real "
            "resolve_conj resolve_neg vdot view_as_complex view_as_real"
        ),
        (
            "H adjoint angle conj conj_physical conj_physical_ imag is_conj is_neg mH real "
            "resolve_conj resolve_neg vdot view_as_complex view_as_real"
        ),
    ),
    "elementwise": (
        (
            "acosh arccosh arcsinh arctan2 arctanh asinh atan2 atanh bitwise_left_shift "
            "bitwise_right_shift copysign deg2rad float_power frexp gcd heaviside hypot isin "
            "isreal lcm ldexp logaddexp2 nan_to_num nextafter rad2deg rsub"
        ),
        (
            "__ilshift__ __irshift__ __lshift__ __rdiv__ __rlshift__ __rrshift__ __rshift__ acosh "
            "acosh_ arccosh arccosh_ arcsinh arcsinh_ arctan2 arctan2_ arctanh arctanh_ asinh "
            "asinh_ atan2 atan2_ atanh atanh_ bitwise_left_shift bitwise_left_shift_ "
            "bitwise_right_shift bitwise_right_shift_ copysign copysign_ deg2rad deg2rad_ "
            "float_power float_power_ frexp gcd gcd_ heaviside heaviside_ hypot hypot_ isreal "
            "lcm lcm_ ldexp ldexp_ logaddexp2 nan_to_num nan_to_num_ nextafter nextafter_ "
            "rad2deg rad2deg_"
        ),
    ),
    "grids": (
        (
            "broadcast_shapes cartesian_prod combinations meshgrid tril_indices triu_indices "
            "unravel_index"
        ),
        "",
    ),
    "histogram": (
        "bucketize histc histogram searchsorted unique_consecutive",
        "histc histogram unique_consecutive",
    ),
    "linalg_factor": (
        "cholesky cholesky_inverse cholesky_solve lu lu_solve lu_unpack",
        "cholesky cholesky_inverse cholesky_solve lu lu_solve lu_unpack",
    ),
    "linalg_products": (
        "chain_matmul cross geqrf matrix_power orgqr vander",
        "cross geqrf matrix_power orgqr vander",
    ),
    "linalg_solve": (
        "det inverse logdet slogdet triangular_solve",
        "det inverse logdet slogdet triangular_solve",
    ),
    "linalg_spectral": (
        "pinverse qr svd",
        "pinverse qr svd",
    ),
    "rearrange": (
        "block_diag diag_embed diagflat kron msort ravel repeat_interleave rot90",
        "diag_embed diagflat kron msort ravel repeat_interleave rot90 unfold",
    ),
    "scans": (
        "cummax cummin cumulative_trapezoid diff gradient logcumsumexp trapezoid trapz",
        "cummax cummin diff logcumsumexp",
    ),
    "scatter": (
        (
            "diagonal_scatter index_copy index_reduce put scatter_reduce select_scatter "
            "slice_scatter"
        ),
        (
            "diagonal_scatter index_copy index_copy_ index_reduce index_reduce_ put put_ "
            "scatter_reduce scatter_reduce_ select_scatter slice_scatter"
        ),
    ),
    "sorting": (
        "argsort bincount sort topk unique",
        "argsort bincount sort topk unique",
    ),
    "special": (
        "digamma erfinv i0 lgamma logit mvlgamma polygamma sinc xlogy",
        (
            "digamma digamma_ erfinv erfinv_ i0 i0_ lgamma lgamma_ logit logit_ mvlgamma "
            "mvlgamma_ polygamma polygamma_ sinc sinc_ xlogy xlogy_"
        ),
    ),
    "statistics": (
        (
            "aminmax kthvalue mode nanmean nanmedian nanquantile nansum quantile renorm "
            "std_mean trace var_mean"
        ),
        (
            "aminmax kthvalue mode nanmean nanmedian nanquantile nansum quantile renorm "
            "renorm_ trace"
        ),
    ),
    "strided": (
        (
            "alias_copy as_strided as_strided_copy as_strided_scatter detach_copy "
            "diagonal_copy expand_copy narrow_copy permute_copy select_copy slice_copy "
            "split_copy split_with_sizes_copy squeeze_copy t_copy transpose_copy unbind_copy "
            "unfold_copy unsqueeze_copy view_copy"
        ),
        "as_strided as_strided_ as_strided_scatter narrow_copy",
    ),
    "windows": (
        "bartlett_window blackman_window hamming_window hann_window kaiser_window",
        "",
    ),
}

# chainrule's top-level name -> the module of chainrule.ops that defines it
TOP_LEVEL = {name: module for module, (names, _) in FAMILIES.items() for name in names.split()}


class _Placeholder:
    """A Tensor attribute whose module is not loaded yet: any access loads it, then
    acts on the real attribute."""

    __slots__ = ("name", "module", "defined")

    def __init__(self, name, module):
        self.name = name
        self.module = module
        self.defined = None  # the real attribute, from its definition until publish

    def _real(self):
        # waits while another thread imports the module (Python's lock on it)
        importlib.import_module(f"chainrule.ops.{self.module}")
        real = Tensor.__dict__[self.name]
        if real is self:  # this thread is importing the module: its code reached the name
            if self.defined is None:
                raise AttributeError(f"type object 'Tensor' has no attribute '{self.name}'")
            return self.defined
        return real

    def __get__(self, obj, cls=None):
        real = self._real()
        return real.__get__(obj, cls) if hasattr(real, "__get__") else real

    # A data descriptor, so that `t.real = x` reaches the property once it is loaded.
    def __set__(self, obj, value):
        real = self._real()
        if hasattr(real, "__set__"):
            real.__set__(obj, value)
        else:
            object.__setattr__(obj, self.name, value)

    def __delete__(self, obj):
        real = self._real()
        if hasattr(real, "__delete__"):
            real.__delete__(obj)
        else:
            object.__delattr__(obj, self.name)

    def __repr__(self):
        return f"<Tensor.{self.name}, loaded from chainrule.ops.{self.module} on first use>"


def install():
    """Put a placeholder on Tensor for each attribute of a family not yet imported."""
    for module, (_, attributes) in FAMILIES.items():
        if f"chainrule.ops.{module}" not in sys.modules:
            for name in attributes.split():
                setattr(Tensor, name, _Placeholder(name, module))


def is_placeholder(value):
    """Whether value (from Tensor's class dict) stands for an attribute of a family."""
    return isinstance(value, _Placeholder)


def define(name, value):
    """Tensor.<name> = value, or, while its family is loading, into its placeholder, which
    publish replaces with it."""
    held = Tensor.__dict__.get(name)
    if isinstance(held, _Placeholder):
        held.defined = value
    else:
        setattr(Tensor, name, value)


def _defined(name):
    value = Tensor.__dict__[name]
    return value.defined if isinstance(value, _Placeholder) else value


def publish(module_name):
    """Once module_name has defined its ops (its last lines call this): NumPy's argument
    names for its Tensor methods, which then replace their placeholders, and its functions
    in chainrule's namespace."""
    module = sys.modules[module_name]
    names, attributes = FAMILIES[module_name.rpartition(".")[2]]
    methods = {n: _defined(n) for n in attributes.split()}
    accept_numpy_names([methods])
    for n, value in methods.items():
        setattr(Tensor, n, value)
    functions = {n: getattr(module, n) for n in names.split()}
    accept_numpy_names([functions])
    package = sys.modules["chainrule"]
    for n, value in functions.items():
        setattr(package, n, value)
