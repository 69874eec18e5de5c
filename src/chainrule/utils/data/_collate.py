"""default_collate and default_convert: samples into batches, as PyTorch's DataLoader makes them.

`collate` dispatches on the first sample's type through a table (`default_collate_fn_map`),
so a custom collate_fn can extend the table and reuse the recursion over containers.
"""

import collections.abc
import copy
import re

import numpy as np

import chainrule
from chainrule.tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# NumPy dtypes that hold strings or objects: they have no tensor counterpart.
_np_str_obj_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_numpy_value(data):
    # np.str_ and np.bytes_ are NumPy types that stay as they are.
    return type(data).__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_))


def _rebuild_mapping(template, items):
    """A mapping like template (same type, attributes kept where possible) holding items."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(items)
            return clone
        return type(template)(items)
    except TypeError:
        # a mapping type that cannot be copied or built from a dict
        return items


def _rebuild_sequence(template, items):
    try:
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(template)(items)
    except TypeError:
        return items


def default_convert(data):
    """NumPy arrays and scalars inside data become tensors; containers keep their shape
    (tuples become lists, as in PyTorch); everything else is returned unchanged."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and _np_str_obj_pattern.search(data.dtype.str):
            return data
        return chainrule.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples: the handler registered for the first sample's type runs,
    else containers are collated field by field (mappings by key, sequences by position)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        items = {
            key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem
        }
        return _rebuild_mapping(elem, items)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # each column is a tuple, as PyTorch passes it on (a column of strings stays a tuple)
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # PyTorch returns a list for tuple samples
        return _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return chainrule.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _np_str_obj_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([chainrule.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return chainrule.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    # Python floats are double precision: PyTorch's collate keeps them as float64.
    return chainrule.tensor(batch, dtype=chainrule.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return chainrule.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch: tensors are stacked along a new first dimension,
    NumPy arrays and numbers become tensors, strings stay a sequence, and tuples, lists,
    dicts and namedtuples are collated field by field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
