"""General box hashes (c2pa.hash.boxes) signed by the C2PA reference SDK (c2pa-python).

usage:
  boxhash.py source DIR                         write the unsigned test assets into DIR
  boxhash.py sdk SRC MIME OUT CHAIN KEY EKU     the SDK lists the boxes and hashes them
                                                (prefer_box_hash, embeddable API); the store
                                                goes where the SDK reserved the C2PA box
  boxhash.py spec SRC MIME OUT CHAIN KEY EKU    for RIFF and fonts, whose boxes the SDK does not
                                                list: this script lists them as C2PA 2.2
                                                §18.7.3.5/§18.7.3.6 define them, the SDK signs
                                                that assertion, the store is embedded
  boxhash.py read ASSET MIME ANCHORS EKU        the SDK's report as JSON (state, codes)

EKU is the list of accepted EKU OIDs (vectors/c2pa/trust/eku.cfg): without it the SDK refuses
claimSigning and documentSigning leaves (interop/c2pa-peer.md §4.1).

The SDK's box-hash path is reached through its C API (c2pa_builder_update_hash_from_stream,
c2pa_builder_sign_embeddable), which c2pa-python loads but does not wrap.
"""
import ctypes
import hashlib
import json
import struct
import sys
import wave

import c2pa
from c2pa import c2pa as C

L = C._lib
L.c2pa_builder_update_hash_from_stream.argtypes = [
    ctypes.POINTER(C.C2paBuilder), ctypes.c_char_p, ctypes.POINTER(C.C2paStream)]
L.c2pa_builder_update_hash_from_stream.restype = ctypes.c_int
L.c2pa_builder_sign_embeddable.argtypes = [
    ctypes.POINTER(C.C2paBuilder), ctypes.c_char_p,
    ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]
L.c2pa_builder_sign_embeddable.restype = ctypes.c_int64
L.c2pa_error.restype = ctypes.c_char_p

ACTIONS = {"label": "c2pa.actions", "data": {"actions": [{
    "action": "c2pa.created",
    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]}}


def context(chain, key, eku, box):
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        alg="es256", sign_cert=open(chain, "rb").read(), private_key=open(key, "rb").read(),
        ta_url=None))
    settings = c2pa.Settings.from_dict(
        {"builder": {"thumbnail": {"enabled": False}, "prefer_box_hash": box},
         "trust": {"trust_config": open(eku).read()}})
    return c2pa.Context(settings=settings, signer=signer)


def sign_embeddable(ctx, builder, fmt):
    out = ctypes.POINTER(ctypes.c_ubyte)()
    with C._context_guard(ctx):
        n = L.c2pa_builder_sign_embeddable(builder._handle, fmt, ctypes.byref(out))
    if n < 0:
        raise SystemExit(f"sign_embeddable: {L.c2pa_error()}")
    return ctypes.string_at(out, n)


def manifest(extra=()):
    return {"claim_generator_info": [{"name": "signet-interop", "version": "0.1"}],
            "claim_version": 2, "assertions": [ACTIONS, *extra]}


# --- where the SDK reserves the C2PA box ---------------------------------------------------

def insertion_point(data, mime):
    if mime == "image/jpeg":  # after APP0 if it comes first, else after SOI
        if data[2:4] == b"\xff\xe0":
            return 4 + int.from_bytes(data[4:6], "big")
        return 2
    if mime == "image/png":  # after IHDR
        return 8 + 12 + int.from_bytes(data[8:12], "big")
    if mime == "image/gif":  # after the logical screen descriptor and global color table
        packed = data[10]
        return 13 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
    if mime == "image/jxl":  # after ftyp
        return 12 + int.from_bytes(data[12:16], "big")
    raise SystemExit(f"no insertion point for {mime}")


def sdk(src, mime, out, chain, key, eku):
    ctx = context(chain, key, eku, True)
    builder = c2pa.Builder(manifest(), context=ctx)
    with open(src, "rb") as f:
        stream = c2pa.Stream(f)
        if L.c2pa_builder_update_hash_from_stream(builder._handle, mime.encode(),
                                                  stream._stream) < 0:
            raise SystemExit(f"update_hash_from_stream: {L.c2pa_error()}")
    embeddable = sign_embeddable(ctx, builder, mime.encode())
    data = open(src, "rb").read()
    at = insertion_point(data, mime)
    open(out, "wb").write(data[:at] + embeddable + data[at:])


# --- boxes as C2PA 2.2 defines them, for the formats the SDK does not list ------------------

def riff_boxes(data):
    """(name, start, end) for §18.7.3.5: the L0 header (12 bytes), then each L1 chunk."""
    size = struct.unpack("<I", data[4:8])[0]
    boxes = [(data[8:12].decode(), 0, 12)]
    pos, end = 12, 8 + size
    while pos < end:
        cid, csize = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        stop = pos + 8 + csize + (csize & 1)
        name = data[pos + 8:pos + 12] if cid == b"LIST" else cid
        boxes.append((name.decode(), pos, stop))
        pos = stop
    return boxes


def font_tables(data):
    """(tag, record offset, table offset, length) in table directory order (§18.7.3.6)."""
    n = struct.unpack(">H", data[4:6])[0]
    out = []
    for i in range(n):
        rec = 12 + 16 * i
        tag, _, off, ln = struct.unpack(">4sIII", data[rec:rec + 16])
        out.append((tag.decode(), rec, off, ln))
    return out


def riff_layout(data, store):
    """The RIFF with a C2PA chunk holding `store` appended to its RIFF chunk."""
    body = data[12:8 + struct.unpack("<I", data[4:8])[0]]
    chunk = b"C2PA" + struct.pack("<I", len(store)) + store + (b"\0" if len(store) & 1 else b"")
    riff_size = 4 + len(body) + len(chunk)
    return b"RIFF" + struct.pack("<I", riff_size) + data[8:12] + body + chunk


def font_layout(data, store):
    """The font with its C2PA table (the last table in the file) holding `store`."""
    tables = font_tables(data)
    tag, rec, off, ln = next(t for t in tables if t[0] == "C2PA")
    assert off + ln == len(data), "the C2PA table must be the last one"
    table = struct.pack(">HHIHHII", 0, 1, 0, 0, 0, 20, len(store)) + store
    out = bytearray(data[:off] + table)
    out[rec + 12:rec + 16] = struct.pack(">I", len(table))
    return bytes(out)


def spec_box_hash(asset, mime):
    def h(b):
        return list(hashlib.sha256(b).digest())
    boxes = []
    if mime in ("audio/wav", "image/webp"):
        for name, start, end in riff_boxes(asset):
            if name == "C2PA":
                boxes.append({"names": ["C2PA"], "hash": [0], "pad": []})
            else:
                boxes.append({"names": [name], "alg": "sha256", "hash": h(asset[start:end]),
                              "pad": []})
    else:
        tables = font_tables(asset)
        # One entry per table, except two physically adjacent tables grouped (§18.7.1: the
        # range runs from the first's start to the last's end).
        i = 0
        while i < len(tables):
            tag, _, off, ln = tables[i]
            if tag == "C2PA":
                boxes.append({"names": ["C2PA"], "hash": [0], "pad": []})
                i += 1
                continue
            group = [tables[i]]
            if i + 1 < len(tables) and tables[i + 1][0] != "C2PA" \
                    and tables[i + 1][2] >= off + ln and tables[i + 1][2] - (off + ln) < 4:
                group.append(tables[i + 1])
            start, end = group[0][2], group[-1][2] + group[-1][3]
            content = bytearray(asset[start:end])
            for t in group:
                if t[0] == "head":  # checkSumAdjustment read as zero
                    z = t[2] - start + 8
                    content[z:z + 4] = b"\0\0\0\0"
            boxes.append({"names": [t[0] for t in group], "alg": "sha256",
                          "hash": h(bytes(content)), "pad": []})
            i += len(group)
    return {"label": "c2pa.hash.boxes", "data": {"boxes": boxes}}


def spec(src, mime, out, chain, key, eku):
    data = open(src, "rb").read()
    layout = riff_layout if mime in ("audio/wav", "image/webp") else font_layout
    size = 0
    for _ in range(4):  # the store's size settles after a pass or two
        placeholder = layout(data, b"\0" * size)
        ctx = context(chain, key, eku, False)
        builder = c2pa.Builder(manifest([spec_box_hash(placeholder, mime)]), context=ctx)
        store = sign_embeddable(ctx, builder, b"application/c2pa")
        if len(store) == size:
            open(out, "wb").write(layout(data, store))
            return
        size = len(store)
    raise SystemExit("the store size did not settle")


# --- sources ---------------------------------------------------------------------------------

def source(directory):
    from PIL import Image
    im = Image.new("RGB", (64, 48), (10, 120, 200))
    for x in range(64):
        im.putpixel((x, (x * 7) % 48), (255, 255 - 3 * x, 0))
    im.save(f"{directory}/plain.jpg", quality=85)
    # Restart markers (DRI, RST0..) and a comment.
    im.save(f"{directory}/restart.jpg", quality=85, restart_marker_blocks=2, comment=b"signet")
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "signet test")
    im.save(f"{directory}/plain.png", pnginfo=info)
    im.save(f"{directory}/plain.gif")
    im.save(f"{directory}/plain.webp")
    with wave.open(f"{directory}/plain.wav", "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", (i * 37) % 3000) for i in range(3001)))

    def bx(kind, payload):
        return struct.pack(">I", len(payload) + 8) + kind + payload
    code = bytes([0xFF, 0x0A]) + bytes((i * 31) % 251 for i in range(4000))
    open(f"{directory}/plain.jxl", "wb").write(
        bytes([0, 0, 0, 0x0C]) + b"JXL " + bytes([0x0D, 0x0A, 0x87, 0x0A])
        + bx(b"ftyp", b"jxl \0\0\0\0jxl ") + bx(b"jxll", bytes([5]))
        + bx(b"Exif", bytes([0, 0, 0, 0]) + b"II*\0\x08\0\0\0\0\0") + bx(b"jxlc", code))


def read(asset, mime, anchors, eku):
    settings = {
        "verify": {"verify_trust": True, "ocsp_fetch": False, "remote_manifest_fetch": False},
        "trust": {"trust_anchors": open(anchors).read(), "trust_config": open(eku).read()},
    }
    try:
        ctx = c2pa.Context.from_dict(settings)
        with open(asset, "rb") as f, c2pa.Reader(mime, f, context=ctx) as r:
            store = json.loads(r.json())
    except Exception as e:  # the SDK's refusal is the result
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return
    am = store.get("validation_results", {}).get("activeManifest", {})
    print(json.dumps({
        "validation_state": store.get("validation_state"),
        "success": sorted({x["code"] for x in am.get("success", [])}),
        "informational": sorted({x["code"] for x in am.get("informational", [])}),
        "failure": sorted({x["code"] for x in am.get("failure", [])}),
    }))


if __name__ == "__main__":
    {"source": source, "sdk": sdk, "spec": spec, "read": read}[sys.argv[1]](*sys.argv[2:])
