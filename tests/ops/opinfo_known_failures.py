"""The OpInfo samples (tests/ops/opinfo_runner.py) known to fail, each with its reason.

Reviewed by hand: test_opinfo.py fails on any sample that fails and is not listed here, and
on any listed sample that now passes (or fails at another stage), so this list only
shrinks. An entry is "<stage> <op>[<variant>] <dtype> #<sample index>", the stage being
the first check the sample fails: "forward" (an error, or values, shapes or dtypes that
differ from PyTorch's) or "backward" (the gradients). The indices are those of PyTorch
2.13.0's sample generators.
"""

_BY_REASON = {
    "PyTorch's gradient of as_strided_scatter for its input is wrong (it keeps the overwritten "
    "elements' gradient and zeroes the others; its own gradcheck fails); chainrule's is the "
    "true one (tests/ops/table_scatter.py gradchecks it)": [
        f"backward as_strided_scatter {dtype} #{i}"
        for dtype in ("float64", "float32")
        for i in range(7)
    ],
    "a sample's input is a view into a larger storage that as_strided reads beyond; the "
    "harness hands chainrule a copy of the view, without that storage": [
        "forward as_strided[partial_views] float64 #1",
        "forward as_strided[partial_views] float64 #2",
        "forward as_strided[partial_views] float32 #2",
    ],
}

KNOWN_FAILURES = {key: reason for reason, keys in _BY_REASON.items() for key in keys}
