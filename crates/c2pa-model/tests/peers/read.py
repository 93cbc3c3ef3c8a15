"""Reads an asset with the C2PA reference SDK (c2pa-python) and prints its report as JSON.

usage: read.py ASSET MIME TRUST_ANCHORS_PEM EKU_CFG [FRAGMENT]
With FRAGMENT, ASSET is the init segment of a fragmented MP4 and the report is the SDK's after
Reader.with_fragment(ASSET, FRAGMENT).
Prints {"validation_state": ..., "success": [...], "informational": [...], "failure": [...],
"failure_explanations": [...], "ingredient_deltas": {kind: [codes]}, "validation_results": {...}} for the
active manifest, or {"error": "..."} when the SDK refuses the file.
"""
import json
import sys

import c2pa

asset, mime, anchors, eku = sys.argv[1:5]
settings = {
    "verify": {"verify_trust": True, "ocsp_fetch": False, "remote_manifest_fetch": False},
    "trust": {"trust_anchors": open(anchors).read(), "trust_config": open(eku).read()},
}
try:
    ctx = c2pa.Context.from_dict(settings)
    with open(asset, "rb") as f, c2pa.Reader(mime, f, context=ctx) as r:
        if len(sys.argv) > 5:
            with open(asset, "rb") as init, open(sys.argv[5], "rb") as fragment:
                r.with_fragment(mime, init, fragment)
        store = json.loads(r.json())
except Exception as e:  # the SDK's refusal is the result
    print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
    sys.exit(0)
am = store.get("validation_results", {}).get("activeManifest", {})
print(json.dumps({
    "validation_state": store.get("validation_state"),
    "success": sorted(x["code"] for x in am.get("success", [])),
    "informational": sorted(x["code"] for x in am.get("informational", [])),
    "failure": sorted(x["code"] for x in am.get("failure", [])),
    "failure_explanations": sorted(x.get("explanation", "") for x in am.get("failure", [])),
    "ingredient_deltas": {
        kind: sorted(
            x["code"]
            for d in store.get("validation_results", {}).get("ingredientDeltas", [])
            for x in d.get("validationDeltas", {}).get(kind, [])
        )
        for kind in ("success", "informational", "failure")
    },
    "validation_results": store.get("validation_results", {}),
}))
