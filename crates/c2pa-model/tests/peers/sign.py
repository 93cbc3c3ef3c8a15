"""Signs an asset with the C2PA reference SDK (c2pa-python), as a peer writer.

usage: sign.py SRC OUT MIME CHAIN_PEM KEY_PEM EKU_CFG ALG
Writes OUT with an embedded manifest (claim v2, a c2pa.created action, no thumbnail).
"""
import sys

import c2pa

src, out, mime, chain, key, eku, alg = sys.argv[1:8]
signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
    alg=alg, sign_cert=open(chain, "rb").read(), private_key=open(key, "rb").read(), ta_url=None))
manifest = {
    "claim_generator_info": [{"name": "peer", "version": "0.1"}],
    "claim_version": 2,
    "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]}}],
}
ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                              "trust": {"trust_config": open(eku).read()}})
with c2pa.Builder(manifest, context=ctx) as b, open(src, "rb") as s, open(out, "w+b") as d:
    b.sign(signer, mime, s, d)
