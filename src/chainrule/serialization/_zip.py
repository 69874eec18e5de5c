"""Zip archives as checkpoints use them: a strict reader and an aligned writer.

Checkpoint archives (PyTorch's and chainrule's) store every entry uncompressed, so the
reader accepts stored entries only: a compressed entry could inflate far beyond the
file's size, and no checkpoint writer produces one. Everything the reader takes from
the file (entry counts, sizes, offsets) is checked against the file's real size before
anything is read or allocated, and an entry's data is checked against its CRC-32.

The writer puts each entry's data at a multiple of 64 bytes, as PyTorch's writer does
(a reader may then map storages straight from the file).
"""

from __future__ import annotations

import struct
import zlib

from ._errors import CheckpointError

_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # 46 bytes
_END = struct.Struct("<4sHHHHIIH")  # 22 bytes
_END64 = struct.Struct("<4sQHHIIQQQQ")  # 56 bytes
_LOCATOR64 = struct.Struct("<4sIQI")  # 20 bytes
_MAX32 = 0xFFFFFFFF
_MAX16 = 0xFFFF
_ENTRY_COST = 400  # bytes of Python objects per directory entry, charged to the budget
ALIGNMENT = 64


class Entry:
    __slots__ = ("name", "header_offset", "size", "crc", "_data_offset", "_raw_name")

    def __init__(self, name, raw_name, header_offset, size, crc):
        self.name = name
        self._raw_name = raw_name
        self.header_offset = header_offset
        self.size = size
        self.crc = crc
        self._data_offset = None


class ZipReader:
    """The entries of a zip archive in a seekable binary file of `size` bytes."""

    def __init__(self, fh, size, name, budget):
        self.fh = fh
        self.start = fh.tell()
        self.size = size
        self.name = name
        self.budget = budget
        self.entries = {}
        self._read_directory()

    def fail(self, what):
        raise CheckpointError(f"cannot load '{self.name}': {what}")

    def _pread(self, offset, n):
        if offset < 0 or n < 0 or offset + n > self.size:
            self.fail(f"the zip archive points past the end of the file (offset {offset:,})")
        self.fh.seek(self.start + offset)
        data = self.fh.read(n)
        if len(data) != n:
            self.fail("the file is truncated")
        return data

    # -- the central directory ---------------------------------------------------------
    def _find_end(self):
        tail_len = min(self.size, _END.size + _MAX16)
        tail = self._pread(self.size - tail_len, tail_len)
        at = tail.rfind(b"PK\x05\x06")
        while at >= 0:
            if at + _END.size <= len(tail):
                fields = _END.unpack_from(tail, at)
                if at + _END.size + fields[7] <= len(tail):
                    return self.size - tail_len + at, fields
            at = tail.rfind(b"PK\x05\x06", 0, at)
        self.fail("no end-of-archive record: the zip archive is truncated or not a zip archive")

    def _read_directory(self):
        end_at, (_, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _) = self._find_end()
        limit = end_at
        if end_at >= _LOCATOR64.size:
            sig, _, end64_at, _ = _LOCATOR64.unpack(
                self._pread(end_at - _LOCATOR64.size, _LOCATOR64.size)
            )
            if sig == b"PK\x06\x07":
                if end64_at + _END64.size > end_at - _LOCATOR64.size:
                    self.fail("the zip64 end record points outside the archive")
                fields = _END64.unpack(self._pread(end64_at, _END64.size))
                if fields[0] != b"PK\x06\x06":
                    self.fail("the zip64 end record is damaged")
                _, _, _, _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset = fields
                limit = end64_at
        if disk != 0 or cd_disk != 0 or n_disk != n_total:
            self.fail("multi-part zip archives are not checkpoints")
        if cd_offset + cd_size > limit:
            self.fail("the zip directory points outside the file")
        if n_total * _CENTRAL.size > cd_size:
            self.fail(f"the zip directory claims {n_total:,} entries but is {cd_size:,} bytes")
        self.budget.charge(cd_size + n_total * _ENTRY_COST, "the zip directory")
        directory = self._pread(cd_offset, cd_size)
        self.data_end = cd_offset
        pos = 0
        for _ in range(n_total):
            if pos + _CENTRAL.size > cd_size:
                self.fail("the zip directory is truncated")
            f = _CENTRAL.unpack_from(directory, pos)
            sig, flags, method, crc, csize, usize = f[0], f[3], f[4], f[7], f[8], f[9]
            nlen, elen, clen, offset = f[10], f[11], f[12], f[16]
            if sig != b"PK\x01\x02":
                self.fail("the zip directory is damaged (bad entry signature)")
            pos += _CENTRAL.size
            if pos + nlen + elen + clen > cd_size:
                self.fail("the zip directory is truncated")
            raw_name = directory[pos : pos + nlen]
            extra = directory[pos + nlen : pos + nlen + elen]
            pos += nlen + elen + clen
            usize, csize, offset = self._zip64(extra, usize, csize, offset)
            name = self._decode_name(raw_name, flags)
            if flags & 1:
                self.fail(f"entry '{name}' is encrypted")
            if method != 0:
                self.fail(
                    f"entry '{name}' is compressed; checkpoints store their entries "
                    "uncompressed, and a compressed entry could inflate without bound"
                )
            if csize != usize:
                self.fail(f"entry '{name}' declares two different sizes")
            if offset + _LOCAL.size + nlen + usize > self.data_end:
                self.fail(f"entry '{name}' lies outside the archive's data")
            if name in self.entries:
                self.fail(f"entry '{name}' appears twice")
            self.entries[name] = Entry(name, raw_name, offset, usize, crc)

    def _zip64(self, extra, usize, csize, offset):
        """Sizes and offset from the zip64 extra field where the 32-bit ones overflow."""
        if _MAX32 not in (usize, csize, offset):
            return usize, csize, offset
        pos = 0
        while pos + 4 <= len(extra):
            tag, n = struct.unpack_from("<HH", extra, pos)
            if tag == 1:
                values = extra[pos + 4 : pos + 4 + n]
                out = []
                for v in (usize, csize, offset):
                    if v == _MAX32:
                        if len(values) < 8:
                            self.fail("a zip64 extra field is truncated")
                        v, values = struct.unpack_from("<Q", values)[0], values[8:]
                    out.append(v)
                return tuple(out)
            pos += 4 + n
        self.fail("an entry's size needs a zip64 extra field that is missing")

    def _decode_name(self, raw, flags):
        try:
            return raw.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            self.fail("an entry's name is not valid UTF-8")

    # -- entries ---------------------------------------------------------------------------
    def data_offset(self, entry):
        """Where the entry's data starts, from its local header (checked against the
        directory)."""
        if entry._data_offset is None:
            head = self._pread(entry.header_offset, _LOCAL.size)
            sig, nlen, elen = head[:4], *struct.unpack_from("<HH", head, 26)
            if sig != b"PK\x03\x04":
                self.fail(f"entry '{entry.name}' has no local header where the directory says")
            if self._pread(entry.header_offset + _LOCAL.size, nlen) != entry._raw_name:
                self.fail(f"entry '{entry.name}' has a different name in its local header")
            start = entry.header_offset + _LOCAL.size + nlen + elen
            if start + entry.size > self.data_end:
                self.fail(f"entry '{entry.name}' runs into the zip directory")
            entry._data_offset = start
        return entry._data_offset

    def read(self, entry):
        """The entry's bytes (for the small records: the pickle, the version)."""
        self.budget.charge(entry.size, f"entry '{entry.name}'")
        data = self._pread(self.data_offset(entry), entry.size)
        self._check_crc(entry, data)
        return data

    def read_head(self, entry, n):
        """The first n bytes of the entry (checked with the rest by read_into)."""
        if n > entry.size:
            self.fail(f"entry '{entry.name}' is shorter than its header")
        return self._pread(self.data_offset(entry), n)

    def read_into(self, entry, buffer, head=b""):
        """Fill a writable buffer with the entry's data after its first len(head) bytes
        (already read with read_head), so that head + buffer is the whole entry."""
        view = memoryview(buffer).cast("B")
        if len(head) + view.nbytes != entry.size:
            raise AssertionError("read_into needs a buffer of the rest of the entry")
        self.fh.seek(self.start + self.data_offset(entry) + len(head))
        got = 0
        while got < view.nbytes:
            n = self.fh.readinto(view[got:])
            if not n:
                self.fail("the file is truncated")
            got += n
        if zlib.crc32(view, zlib.crc32(head)) != entry.crc:
            self.fail(f"entry '{entry.name}' is damaged (its CRC-32 does not match)")

    def _check_crc(self, entry, data):
        if zlib.crc32(data) != entry.crc:
            self.fail(f"entry '{entry.name}' is damaged (its CRC-32 does not match)")


class ZipWriter:
    """Writes stored entries, each entry's data aligned to ALIGNMENT bytes, to a binary
    file; offsets count from where the archive starts."""

    def __init__(self, f):
        self.f = f
        self.pos = 0
        self.records = []

    def _write(self, data):
        self.f.write(data)
        self.pos += memoryview(data).nbytes

    def write(self, name, data):
        raw = name.encode("utf-8")
        view = memoryview(data).cast("B")
        size = view.nbytes
        crc = zlib.crc32(view)
        offset = self.pos
        big = size >= _MAX32
        extra = struct.pack("<HHQQ", 1, 16, size, size) if big else b""
        used = self.pos + _LOCAL.size + len(raw) + len(extra) + 4
        pad = -used % ALIGNMENT
        extra += struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # "FB": padding, as PyTorch's
        stored = _MAX32 if big else size
        flags = 0x800 if not raw.isascii() else 0
        version = 45 if big else 20
        self._write(
            _LOCAL.pack(
                b"PK\x03\x04", version, flags, 0, 0, 33, crc, stored, stored, len(raw), len(extra)
            )
        )
        self._write(raw)
        self._write(extra)
        self._write(view)
        self.records.append((raw, flags, crc, size, offset))

    def close(self):
        cd_offset = self.pos
        for raw, flags, crc, size, offset in self.records:
            big = size >= _MAX32 or offset >= _MAX32
            extra = struct.pack("<HHQQQ", 1, 24, size, size, offset) if big else b""
            s32 = _MAX32 if big else size
            o32 = _MAX32 if big else offset
            version = 45 if big else 20
            self._write(
                _CENTRAL.pack(
                    b"PK\x01\x02",
                    version,
                    version,
                    flags,
                    0,
                    0,
                    33,
                    crc,
                    s32,
                    s32,
                    len(raw),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    o32,
                )
            )
            self._write(raw)
            self._write(extra)
        cd_size = self.pos - cd_offset
        n = len(self.records)
        end64_at = self.pos
        self._write(
            _END64.pack(b"PK\x06\x06", _END64.size - 12, 45, 45, 0, 0, n, n, cd_size, cd_offset)
        )
        self._write(_LOCATOR64.pack(b"PK\x06\x07", 0, end64_at, 1))
        self._write(
            _END.pack(
                b"PK\x05\x06",
                0,
                0,
                min(n, _MAX16),
                min(n, _MAX16),
                min(cd_size, _MAX32),
                min(cd_offset, _MAX32),
                0,
            )
        )
