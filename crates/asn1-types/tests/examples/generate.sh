#!/bin/sh
# Regenerates the OCSP and TSP examples in this directory with the openssl CLI (run with
# OpenSSL 3.0.19). Throwaway keys live in a temporary directory and are discarded; only the
# request/response bytes are kept. OCSP producedAt and TSTInfo genTime are the time of the run.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --- a throwaway CA and three end-entity certificates (good, revoked, unknown to the index) ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -subj "/CN=Signet Example CA" -days 3650 2>/dev/null
for n in 1001 1002 1003; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ee$n.key \
        -out ee$n.csr -subj "/CN=EE $n" 2>/dev/null
    openssl x509 -req -in ee$n.csr -CA ca.pem -CAkey ca.key -set_serial 0x$n -days 365 \
        -out ee$n.pem 2>/dev/null
done
printf 'V\t360101000000Z\t\t1001\tunknown\t/CN=EE 1001\n' > index.txt
printf 'R\t360101000000Z\t250102030405Z,keyCompromise\t1002\tunknown\t/CN=EE 1002\n' >> index.txt

# --- OCSP (RFC 6960): a request with a nonce for the three certificates, the CA's response ---
openssl ocsp -issuer ca.pem -cert ee1001.pem -cert ee1002.pem -cert ee1003.pem \
    -reqout "$out/ocsp-request.der"
openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem \
    -reqin "$out/ocsp-request.der" -respout "$out/ocsp-response.der" -ndays 1 >/dev/null
# A request without a nonce, answered by a responder identified by key hash.
openssl ocsp -sha256 -issuer ca.pem -cert ee1001.pem -no_nonce -reqout "$out/ocsp-request-nononce.der"
openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -resp_key_id \
    -reqin "$out/ocsp-request-nononce.der" -respout "$out/ocsp-response-keyid.der" -ndays 1 >/dev/null

# --- TSP (RFC 3161 + RFC 5816): a TSA certificate, a query and a reply ---
cat > tsa.ext <<'EXT'
extendedKeyUsage = critical, timeStamping
keyUsage = critical, digitalSignature
EXT
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key -out tsa.csr \
    -subj "/CN=Signet Example TSA" 2>/dev/null
openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -set_serial 0x2001 -days 365 \
    -extfile tsa.ext -out tsa.pem 2>/dev/null
cat > ts.cnf <<'CNF'
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ./tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
echo 01 > tsaserial
printf 'signet example content\n' > data.txt
openssl ts -query -data data.txt -sha256 -cert -out "$out/tsp-request.der"
openssl ts -reply -queryfile "$out/tsp-request.der" -inkey tsa.key -signer tsa.pem \
    -chain ca.pem -config ts.cnf -out "$out/tsp-response.der" 2>/dev/null
# A query without nonce or certReq, with a policy, and the token alone (-token_out).
openssl ts -query -data data.txt -sha384 -no_nonce -tspolicy 1.3.6.1.4.1.99999.2 \
    -out "$out/tsp-request-nononce.der"
openssl ts -reply -queryfile "$out/tsp-request-nononce.der" -inkey tsa.key -signer tsa.pem \
    -config ts.cnf -token_out -out "$out/tsp-token.der" 2>/dev/null
# A rejection: a digest the TSA does not accept.
openssl ts -query -data data.txt -sha1 -out "$work/sha1.tsq"
openssl ts -reply -queryfile "$work/sha1.tsq" -inkey tsa.key -signer tsa.pem -config ts.cnf \
    -out "$out/tsp-response-rejection.der" 2>/dev/null
