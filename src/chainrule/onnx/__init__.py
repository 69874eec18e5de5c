"""chainrule.onnx: importable, as scripts import torch.onnx at the top, but chainrule cannot
export ONNX models (it records no exportable program), so `export` says so."""

from __future__ import annotations

__all__ = ["export", "is_in_onnx_export", "OnnxExporterError"]


class OnnxExporterError(RuntimeError):
    """Raised when a model cannot be exported to ONNX."""


def export(model, args=(), f=None, *a, **kwargs):
    """Refuse: chainrule cannot write ONNX files."""
    raise OnnxExporterError(
        "chainrule cannot export ONNX: it runs models eagerly on NumPy and records no program "
        "that an ONNX file could hold. Export with PyTorch instead: save the weights with "
        "torch.save(model.state_dict(), 'model.safetensors'), load them into the same model "
        "under PyTorch (safetensors.torch.load_file) and call torch.onnx.export there."
    )


def is_in_onnx_export():
    """False: no export is ever running."""
    return False
