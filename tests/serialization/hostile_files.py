"""Building checkpoint files by hand, honest or not: a small pickle assembler and the
two PyTorch layouts (a zip archive, the legacy stream) around a pickle and storages.
The zip archives are written with Python's zipfile, independently of chainrule's writer."""

import io
import pickle
import struct
import zipfile

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C


class Pickle:
    """Opcodes appended one call at a time; bytes() ends the pickle with STOP."""

    def __init__(self, protocol=2):
        self.b = bytearray(b"\x80" + bytes([protocol]))

    def raw(self, data):
        self.b += data
        return self

    def glob(self, module, name):
        return self.raw(f"c{module}\n{name}\n".encode())

    def mark(self):
        return self.raw(b"(")

    def tuple(self):
        return self.raw(b"t")

    def int(self, n):
        if 0 <= n < 256:
            return self.raw(b"K" + bytes([n]))
        if -(2**31) <= n < 2**31:
            return self.raw(b"J" + struct.pack("<i", n))
        raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
        return self.raw(b"\x8a" + bytes([len(raw)]) + raw)

    def str(self, s):
        data = s.encode()
        return self.raw(b"X" + struct.pack("<I", len(data)) + data)

    def ints(self, values):
        self.mark()
        for v in values:
            self.int(v)
        return self.tuple()

    def reduce(self):
        return self.raw(b"R")

    def tensor(self, key, numel, offset, size, stride, storage="FloatStorage", legacy=False):
        """torch._utils._rebuild_tensor_v2 on storage `key`, as torch.save writes it."""
        self.glob("torch._utils", "_rebuild_tensor_v2").mark()
        self.mark().str("storage").glob("torch", storage).str(key).str("cpu").int(numel)
        if legacy:
            self.raw(b"N")
        self.tuple().raw(b"Q")
        self.int(offset).ints(size).ints(stride).raw(b"\x89")
        self.glob("collections", "OrderedDict").raw(b")R")
        return self.tuple().reduce()

    def __bytes__(self):
        return bytes(self.b + b".")


def float_tensor_dict(values, legacy=False):
    """{'w': tensor(values)} as a pickle, and its one storage's bytes."""
    p = Pickle().raw(b"}").mark().str("w")
    p.tensor("0", len(values), 0, [len(values)], [1], legacy=legacy).raw(b"u")
    return bytes(p), struct.pack(f"<{len(values)}f", *values)


def torch_zip(pkl, storages=(), *, compression=zipfile.ZIP_STORED, extra=()):
    """A zip archive as torch.save lays it out: archive/data.pkl, archive/data/<key>,
    archive/byteorder and archive/version."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/byteorder", "little")
        for key, data in dict(storages).items():
            zf.writestr(f"archive/data/{key}", data)
        for name, data in extra:
            zf.writestr(name, data)
        zf.writestr("archive/version", "3\n")
    return out.getvalue()


def legacy_stream(pkl, storages=(), keys=None):
    """The legacy layout: magic, protocol, system info, pkl, the key list, then each
    storage as an element count and its bytes (float32 elements)."""
    storages = dict(storages)
    keys = list(storages) if keys is None else keys
    parts = [
        pickle.dumps(MAGIC_NUMBER, protocol=2),
        pickle.dumps(1001, protocol=2),
        pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2),
        pkl,
        pickle.dumps(keys, protocol=2),
    ]
    for key in keys:
        data = storages[key]
        parts.append(struct.pack("<q", len(data) // 4) + data)
    return b"".join(parts)
