"""Writes a structurally valid ISO BMFF file for signing tests and benchmarks.

usage: make_mp4.py OUT SIZE [--chunk BYTES] [--co64] [--moov-last] [--heif] [--mdats N]
                   [--fragments N [--tracks T] [--split]]

- MP4 (default): ftyp, moov (one timed-metadata track whose sample table points at every
  chunk: stco, or co64 with --co64), then the mdat(s); --moov-last puts moov after the media.
  Samples are SIZE/--chunk bytes each, one sample per chunk; the payload is a deterministic
  byte pattern (no randomness, so runs are reproducible).
- HEIF (--heif): ftyp heic, meta (hdlr pict, pitm, iinf, iloc with a base offset per item), mdat.
- Fragmented (--fragments N): ftyp, moov (T timed-metadata tracks with empty sample tables,
  mvex/trex), sidx, then N moof/mdat pairs (fragment i belongs to track i % T + 1; tfhd with
  default-base-is-moof, tfdt, trun with the data offset), then mfra/tfra. With --split, OUT is the
  init segment (ftyp, moov) and fragment i goes to OUT.i.m4s (styp, sidx, moof, mdat), SIZE
  bytes of samples in all.

The file is written sequentially in 1 MiB pieces: generating 1 GiB needs little memory.
"""
import argparse
import struct


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full(kind, version, flags, payload):
    return box(kind, struct.pack(">I", (version << 24) | flags) + payload)


MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def moov(sizes, offsets, co64):
    n = len(sizes)
    duration = n * 100
    mvhd = full(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, duration)
                + struct.pack(">IH", 0x00010000, 0x0100) + b"\0" * 10 + MATRIX + b"\0" * 24
                + struct.pack(">I", 2))
    tkhd = full(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, 1, 0, duration) + b"\0" * 8
                + struct.pack(">HHHH", 0, 0, 0, 0) + MATRIX + struct.pack(">II", 0, 0))
    mdhd = full(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, duration)
                + struct.pack(">HH", 0x55C4, 0))
    hdlr = full(b"hdlr", 0, 0, struct.pack(">I", 0) + b"meta" + b"\0" * 12 + b"signet\0")
    mett = box(b"mett", b"\0" * 6 + struct.pack(">H", 1) + b"\0" + b"application/octet-stream\0")
    stsd = full(b"stsd", 0, 0, struct.pack(">I", 1) + mett)
    stts = full(b"stts", 0, 0, struct.pack(">III", 1, n, 100))
    stsc = full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1))
    stsz = full(b"stsz", 0, 0, struct.pack(">II", 0, n) + b"".join(struct.pack(">I", s) for s in sizes))
    if co64:
        chunks = full(b"co64", 0, 0, struct.pack(">I", n) + b"".join(struct.pack(">Q", o) for o in offsets))
    else:
        chunks = full(b"stco", 0, 0, struct.pack(">I", n) + b"".join(struct.pack(">I", o) for o in offsets))
    stbl = box(b"stbl", stsd + stts + stsc + stsz + chunks)
    nmhd = full(b"nmhd", 0, 0, b"")
    dinf = box(b"dinf", full(b"dref", 0, 0, struct.pack(">I", 1) + full(b"url ", 0, 1, b"")))
    minf = box(b"minf", nmhd + dinf + stbl)
    mdia = box(b"mdia", mdhd + hdlr + minf)
    trak = box(b"trak", tkhd + mdia)
    return box(b"moov", mvhd + trak)


def pattern(start, length):
    """Deterministic bytes for file positions [start, start + length)."""
    block = bytes((i * 7 + 3) & 0xFF for i in range(256)) * 4096  # 1 MiB period
    out = bytearray()
    pos = start
    while len(out) < length:
        off = pos % len(block)
        take = min(len(block) - off, length - len(out))
        out += block[off:off + take]
        pos += take
    return bytes(out)


def write_mdat(f, payload_len, largesize):
    if largesize:
        f.write(struct.pack(">I4sQ", 1, b"mdat", 16 + payload_len))
    else:
        f.write(struct.pack(">I4s", 8 + payload_len, b"mdat"))
    done = 0
    while done < payload_len:
        take = min(1 << 20, payload_len - done)
        f.write(pattern(done, take))
        done += take


def mp4(out, size, chunk, co64, moov_last, mdats):
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    n = max(1, -(-size // chunk))
    sizes = [chunk] * (n - 1) + [size - chunk * (n - 1)]
    per_mdat = -(-n // mdats)
    groups = [sizes[i:i + per_mdat] for i in range(0, n, per_mdat)]
    largesize = size > 0xFFFF0000
    header = 16 if largesize else 8
    moov_len = len(moov(sizes, [0] * n, co64))
    pos = len(ftyp) + (0 if moov_last else moov_len)
    offsets = []
    for g in groups:
        pos += header
        for s in g:
            offsets.append(pos)
            pos += s
    with open(out, "wb") as f:
        f.write(ftyp)
        m = moov(sizes, offsets, co64)
        if not moov_last:
            f.write(m)
        for g in groups:
            write_mdat(f, sum(g), largesize)
        if moov_last:
            f.write(m)


def trak(track_id, sizes=(), offsets=()):
    """A track; with no sizes, the empty sample table of a fragmented file."""
    n = len(sizes)
    tkhd = full(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, track_id, 0, n * 100) + b"\0" * 8
                + struct.pack(">HHHH", 0, 0, 0, 0) + MATRIX + struct.pack(">II", 0, 0))
    mdhd = full(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, n * 100)
                + struct.pack(">HH", 0x55C4, 0))
    hdlr = full(b"hdlr", 0, 0, struct.pack(">I", 0) + b"meta" + b"\0" * 12 + b"signet\0")
    mett = box(b"mett", b"\0" * 6 + struct.pack(">H", 1) + b"\0" + b"application/octet-stream\0")
    stsd = full(b"stsd", 0, 0, struct.pack(">I", 1) + mett)
    stts = full(b"stts", 0, 0, struct.pack(">I", 0))
    stsc = full(b"stsc", 0, 0, struct.pack(">I", 0))
    stsz = full(b"stsz", 0, 0, struct.pack(">II", 0, 0))
    stco = full(b"stco", 0, 0, struct.pack(">I", 0))
    stbl = box(b"stbl", stsd + stts + stsc + stsz + stco)
    nmhd = full(b"nmhd", 0, 0, b"")
    dinf = box(b"dinf", full(b"dref", 0, 0, struct.pack(">I", 1) + full(b"url ", 0, 1, b"")))
    minf = box(b"minf", nmhd + dinf + stbl)
    return box(b"trak", tkhd + box(b"mdia", mdhd + hdlr + minf))


def fragmented_moov(tracks, fragments):
    mvhd = full(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, 0)
                + struct.pack(">IH", 0x00010000, 0x0100) + b"\0" * 10 + MATRIX + b"\0" * 24
                + struct.pack(">I", tracks + 1))
    mehd = full(b"mehd", 0, 0, struct.pack(">I", fragments * 100))
    trex = b"".join(full(b"trex", 0, 0, struct.pack(">IIIII", t + 1, 1, 100, 0, 0))
                    for t in range(tracks))
    return box(b"moov", mvhd + b"".join(trak(t + 1) for t in range(tracks)) + box(b"mvex", mehd + trex))


def moof_mdat(seq, track_id, payload_start, length):
    tfhd = full(b"tfhd", 0, 0x020000, struct.pack(">I", track_id))
    tfdt = full(b"tfdt", 1, 0, struct.pack(">Q", seq * 100))
    def build(data_offset):
        trun = full(b"trun", 0, 0x000201, struct.pack(">IiI", 1, data_offset, length))
        traf = box(b"traf", tfhd + tfdt + trun)
        return box(b"moof", full(b"mfhd", 0, 0, struct.pack(">I", seq + 1)) + traf)
    moof = build(0)
    moof = build(len(moof) + 8)
    return moof + box(b"mdat", pattern(payload_start, length))


def sidx(first_offset, sizes):
    refs = b"".join(struct.pack(">III", s, 100, 0x90000000) for s in sizes)
    return full(b"sidx", 0, 0, struct.pack(">IIIIHH", 1, 1000, 0, first_offset, 0, len(sizes)) + refs)


def fragmented(out, size, fragments, tracks, split):
    per = max(1, size // fragments)
    pairs = [moof_mdat(i, i % tracks + 1, i * per, per) for i in range(fragments)]
    if split:
        ftyp = box(b"ftyp", b"iso6" + struct.pack(">I", 0) + b"iso6dashmsix")
        with open(out, "wb") as f:
            f.write(ftyp + fragmented_moov(tracks, fragments))
        for i, pair in enumerate(pairs):
            with open(f"{out}.{i}.m4s", "wb") as f:
                f.write(box(b"styp", b"msdh" + struct.pack(">I", 0) + b"msdhmsix"))
                f.write(sidx(0, [len(pair)]))
                f.write(pair)
        return
    ftyp = box(b"ftyp", b"iso6" + struct.pack(">I", 512) + b"iso6isommp41")
    head = ftyp + fragmented_moov(tracks, fragments) + sidx(0, [len(p) for p in pairs])
    offsets, pos = [], len(head)
    for p in pairs:
        offsets.append(pos)
        pos += len(p)
    entries = b"".join(struct.pack(">QQBBB", i * 100, o, 1, 1, 1) for i, o in enumerate(offsets))
    tfra = full(b"tfra", 1, 0, struct.pack(">III", 1, 0, len(offsets)) + entries)
    mfro_len = 16
    mfra = box(b"mfra", tfra + full(b"mfro", 0, 0, struct.pack(">I", 8 + len(tfra) + mfro_len)))
    with open(out, "wb") as f:
        f.write(head)
        for p in pairs:
            f.write(p)
        f.write(mfra)


def heif(out, size):
    ftyp = box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    items = [size // 2, size - size // 2]

    def meta(base_offsets):
        hdlr = full(b"hdlr", 0, 0, struct.pack(">I", 0) + b"pict" + b"\0" * 12 + b"\0")
        pitm = full(b"pitm", 0, 0, struct.pack(">H", 1))
        infe = b"".join(full(b"infe", 2, 0, struct.pack(">HH", i + 1, 0) + b"hvc1" + b"\0")
                        for i in range(len(items)))
        iinf = full(b"iinf", 0, 0, struct.pack(">H", len(items)) + infe)
        # version 1: offset_size 4, length_size 4, base_offset_size 4, index_size 0
        entries = b"".join(struct.pack(">HHHIHII", i + 1, 0, 0, base_offsets[i], 1, 0, items[i])
                           for i in range(len(items)))
        iloc = full(b"iloc", 1, 0, bytes([0x44, 0x40]) + struct.pack(">H", len(items)) + entries)
        return full(b"meta", 0, 0, hdlr + pitm + iinf + iloc)

    meta_len = len(meta([0, 0]))
    first = len(ftyp) + meta_len + 8
    bases = [first, first + items[0]]
    with open(out, "wb") as f:
        f.write(ftyp)
        f.write(meta(bases))
        write_mdat(f, size, False)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("size", type=int)
    p.add_argument("--chunk", type=int, default=1 << 20)
    p.add_argument("--co64", action="store_true")
    p.add_argument("--moov-last", action="store_true")
    p.add_argument("--heif", action="store_true")
    p.add_argument("--mdats", type=int, default=1)
    p.add_argument("--fragments", type=int, default=0)
    p.add_argument("--tracks", type=int, default=1)
    p.add_argument("--split", action="store_true")
    a = p.parse_args()
    if a.fragments:
        fragmented(a.out, a.size, a.fragments, a.tracks, a.split)
    elif a.heif:
        heif(a.out, a.size)
    else:
        mp4(a.out, a.size, a.chunk, a.co64, a.moov_last, a.mdats)
