"""Checks native/src/codec/cseg.c against the shared fixtures (Neuroglancer's and TensorStore's byte
vectors, the 64^3 segmentation volume, damaged encodings). ctest runs it as cseg_fixtures with the
cseg_check driver of its build (Release, and ASan+UBSan); by hand, from the repository root:
BIGARRAYS_FIXTURES=../shared/fixtures CSEG_CHECK=java/core/target/native-build/cseg_check python3 native/test/cseg_check.py"""
import atexit, json, os, shutil, subprocess, sys, tempfile

FX = os.environ.get("BIGARRAYS_FIXTURES", "../shared/fixtures")
EXE = os.environ.get("CSEG_CHECK", "/tmp/cseg_check")
tmp = tempfile.mkdtemp(prefix="cseg-check")
atexit.register(shutil.rmtree, tmp, True)  # removed however the checks end

def run(mode, data, shape, channels, block, wpv):
    i, o = os.path.join(tmp, "in"), os.path.join(tmp, "out")
    open(i, "wb").write(data)
    r = subprocess.run([EXE, mode, i, o, *map(str, shape), str(channels), *map(str, block), str(wpv)])
    return r.returncode, (open(o, "rb").read() if r.returncode == 0 else None)

def labels(vals, wpv):
    return b"".join(v.to_bytes(4 * wpv, "little") for v in vals)

checked = 0
for f in ["tensorstore/compressed_segmentation_vectors.json", "neuroglancer/compressed_segmentation_spec_vectors.json",
          "compressedseg/compressed_segmentation_vectors.json"]:
    d = json.load(open(os.path.join(FX, f)))
    for v in d.get("encode_channels", []):
        wpv = 2 if v["dtype"] == "uint64" else 1
        s = v["shape_xyzc"]
        rc, out = run("enc", labels(v["input_x_fastest_then_channel"], wpv), s[:3], s[3], v["block_size_xyz"], wpv)
        assert rc == 0 and out.hex() == v["expected_hex"], (f, v["name"])
        rc, back = run("dec", out, s[:3], s[3], v["block_size_xyz"], wpv)
        assert rc == 0 and back == labels(v["input_x_fastest_then_channel"], wpv), (f, v["name"])
        checked += 1
    for v in d.get("encode_channel", []) + d.get("compress_channel", []):
        wpv = 2 if v["dtype"] == "uint64" else 1
        # The single-channel vectors have no header: encode as 1 channel and strip the header word.
        rc, out = run("enc", labels(v["input_x_fastest"], wpv), v["shape_xyz"], 1, v["block_size_xyz"], wpv)
        assert rc == 0 and out[4:].hex() == v["expected_hex"], (f, v["name"], out[4:].hex())
        checked += 1
for v in json.load(open(os.path.join(FX, "tensorstore/compressed_segmentation_vectors.json")))["decode_errors"]:
    wpv = 2 if v["dtype"] == "uint64" else 1
    rc, _ = run("dec", bytes.fromhex(v["encoded_hex"]), v["shape_xyz"], 0, v["block_size_xyz"], wpv)
    assert rc == 1, (v["name"], rc)
    checked += 1
raw = open(os.path.join(FX, "neuroglancer/compressed_segmentation/64x64x64-raw-uint64-segmentation.dat"), "rb").read()
for block in ([8, 8, 8], [7, 5, 3]):
    rc, enc = run("enc", raw, [64, 64, 64], 1, block, 2)
    assert rc == 0
    rc, back = run("dec", enc, [64, 64, 64], 1, block, 2)
    assert rc == 0 and back == raw, block
    if "JAVA_CSEG" in os.environ and block == [8, 8, 8]:
        assert enc == open(os.environ["JAVA_CSEG"], "rb").read(), "C and Java encoders differ"
    checked += 1
print("ok", checked, "checks")

# Damaged encodings (flipped bytes, truncation) must give rc 0 or 1 (corrupt) and no sanitizer report.
import random
rnd = random.Random(1)
rc, enc = run("enc", raw[: 8 * 16 * 16 * 16], [16, 16, 16], 1, [4, 4, 4], 2)
for trial in range(150):
    b = bytearray(enc)
    for _ in range(rnd.randint(1, 4)):
        b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
    if rnd.random() < 0.3:
        b = b[: rnd.randrange(len(b))]
    rc, _ = run("dec", bytes(b), [16, 16, 16], 1, [4, 4, 4], 2)
    assert rc in (0, 1), ("damaged input", trial, rc)
print("ok damaged inputs")
