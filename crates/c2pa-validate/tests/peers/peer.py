"""The C2PA reference SDK (c2pa-python) as a peer for the validator's interop tests.

usage:
  peer.py sign SRC OUT CHAIN_PEM KEY_PEM EKU_CFG [PARENT]
                                                     sign SRC (JPEG) into OUT, ES256, no TSA;
                                                     with PARENT, as a c2pa.opened edit of it
  peer.py read ASSET ANCHORS_PEM EKU_CFG            print the report as JSON: state, the active
                                                     manifest's codes, and the delta failures
"""
import json
import sys

import c2pa


def sign(src, out, chain, key, eku, parent=None):
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        alg="es256", sign_cert=open(chain, "rb").read(), private_key=open(key, "rb").read(),
        ta_url=None))
    actions = [{"action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]
    if parent:
        actions = [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent_1"]}}]
    manifest = {"claim_generator_info": [{"name": "signet-interop", "version": "0.1"}],
                "claim_version": 2,
                "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}
    # The SDK validates what it signs; without the EKU list it refuses claimSigning and
    # documentSigning leaves (interop/c2pa-peer.md §4.1).
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                                  "trust": {"trust_config": open(eku).read()}})
    with c2pa.Builder(manifest, context=ctx) as b:
        if parent:
            with open(parent, "rb") as p:
                b.add_ingredient({"title": "parent.jpg", "relationship": "parentOf",
                                  "label": "parent_1"}, "image/jpeg", p)
        with open(src, "rb") as s, open(out, "w+b") as d:
            b.sign(signer, "image/jpeg", s, d)


def read(asset, anchors, eku):
    settings = {
        "verify": {"verify_trust": True, "ocsp_fetch": False, "remote_manifest_fetch": False},
        "trust": {"trust_anchors": open(anchors).read(), "trust_config": open(eku).read()},
    }
    try:
        ctx = c2pa.Context.from_dict(settings)
        with open(asset, "rb") as f, c2pa.Reader("image/jpeg", f, context=ctx) as r:
            store = json.loads(r.json())
    except Exception as e:  # the SDK's refusal is the result
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return
    results = store.get("validation_results", {})
    am = results.get("activeManifest", {})
    deltas = sorted({x["code"] for d in results.get("ingredientDeltas", []) or []
                     for x in d.get("validationDeltas", {}).get("failure", [])})
    print(json.dumps({
        "validation_state": store.get("validation_state"),
        "success": sorted({x["code"] for x in am.get("success", [])}),
        "informational": sorted({x["code"] for x in am.get("informational", [])}),
        "failure": sorted({x["code"] for x in am.get("failure", [])}),
        "delta_failure": deltas,
    }))


if __name__ == "__main__":
    if sys.argv[1] == "sign":
        sign(*sys.argv[2:])
    else:
        read(*sys.argv[2:])
