//! The claim signature: COSE_Sign1 with a detached payload (C2PA 2.2 §10.3.2.4, §13.2).
//!
//! ```text
//! COSE_Sign1_Tagged = #6.18([ protected: bstr .cbor {1: alg, 33: x5chain},
//!                             unprotected: {? "sigTst2": tstContainer, ? "rVals": rVals,
//!                                           "pad": bstr, ...},
//!                             payload: nil,            ; detached: the claim's CBOR bytes
//!                             signature: bstr ])
//! Sig_structure = ["Signature1", protected, h'', claim bytes]
//! ```
//! `x5chain` (label 33) is the signer's certificate followed by its intermediates, never the root.
//! Parsing keeps the protected header's original bytes, so verification is over what was
//! received. A v2 time-stamp's message imprint is over
//! `["CounterSignature", protected, h'', bstr(signature)]` (§10.3.2.5.3).

use ciborium::Value;
use coset::iana::EnumI64;
use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, Label, ProtectedHeader,
    SignatureContext, TaggedCborSerializable, iana, sig_structure_data,
};
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, Signer};

use crate::claim::ClaimVersion;
use crate::error::SignatureError;

/// COSE header label of `x5chain` (RFC 9360).
pub const X5CHAIN: i64 = 33;
/// Most certificates accepted in an `x5chain`. Real chains are 2–4 long; 16 bounds the work of
/// chain building on hostile input.
pub const MAX_X5CHAIN: usize = 16;
/// Most time-stamp tokens or OCSP responses accepted in one header.
pub const MAX_TOKENS: usize = 16;

/// Where the `x5chain` was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum X5ChainLocation {
    /// In the protected header (required for new claims).
    Protected,
    /// Only in the unprotected header (accepted for older claims).
    Unprotected,
    /// In both buckets: the signature is malformed (C2PA 2.2 §15.7).
    Both,
    /// Absent.
    Missing,
}

/// A parsed claim signature.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimSignature {
    /// The COSE structure (with the protected header's original bytes).
    pub sign1: CoseSign1,
    /// The COSE `alg`, when it is one C2PA allows.
    pub algorithm: Option<SignatureAlgorithm>,
    /// The certificates, leaf first (DER, as received).
    pub x5chain: Vec<Vec<u8>>,
    /// Where the chain was found.
    pub x5chain_location: X5ChainLocation,
    /// v1 time-stamp tokens (`sigTst`), DER `TimeStampToken`s.
    pub sig_tst: Vec<Vec<u8>>,
    /// v2 time-stamp tokens (`sigTst2`), DER `TimeStampToken`s.
    pub sig_tst2: Vec<Vec<u8>>,
    /// Stapled OCSP responses (`rVals.ocspVals`), DER `OCSPResponse`s.
    pub ocsp_vals: Vec<Vec<u8>>,
}

fn header_value<'a>(h: &'a coset::Header, label: &Label) -> Option<&'a Value> {
    h.rest.iter().find(|(l, _)| l == label).map(|(_, v)| v)
}

fn find_x5chain(h: &coset::Header) -> Option<&Value> {
    header_value(h, &Label::Int(X5CHAIN))
        .or_else(|| header_value(h, &Label::Text("x5chain".to_owned())))
}

fn chain_from(value: &Value) -> Result<Vec<Vec<u8>>, SignatureError> {
    let chain: Vec<Vec<u8>> = match value {
        Value::Bytes(b) => vec![b.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_bytes().cloned().ok_or(SignatureError::Malformed {
                    what: "x5chain entry is not a byte string",
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(SignatureError::Malformed {
                what: "x5chain is neither a byte string nor an array",
            });
        }
    };
    if chain.is_empty() {
        return Err(SignatureError::Malformed {
            what: "x5chain is empty",
        });
    }
    if chain.len() > MAX_X5CHAIN {
        return Err(SignatureError::TooMany {
            what: "x5chain certificates",
            limit: MAX_X5CHAIN,
        });
    }
    Ok(chain)
}

fn tokens_from(value: &Value, what: &'static str) -> Result<Vec<Vec<u8>>, SignatureError> {
    let bad = SignatureError::Malformed { what };
    let map = value.as_map().ok_or(bad.clone())?;
    let tokens = map
        .iter()
        .find(|(k, _)| k.as_text() == Some("tstTokens"))
        .and_then(|(_, v)| v.as_array())
        .ok_or(bad.clone())?;
    if tokens.len() > MAX_TOKENS {
        return Err(SignatureError::TooMany {
            what: "time-stamp tokens",
            limit: MAX_TOKENS,
        });
    }
    tokens
        .iter()
        .map(|t| {
            t.as_map()
                .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some("val")))
                .and_then(|(_, v)| v.as_bytes().cloned())
                .ok_or(bad.clone())
        })
        .collect()
}

impl ClaimSignature {
    /// Parses a claim signature (tagged or untagged COSE_Sign1).
    pub fn parse(bytes: &[u8]) -> Result<Self, SignatureError> {
        let sign1 = CoseSign1::from_tagged_slice(bytes)
            .or_else(|_| CoseSign1::from_slice(bytes))
            .map_err(|e| SignatureError::Cose {
                detail: e.to_string(),
            })?;
        let algorithm = match &sign1.protected.header.alg {
            Some(coset::RegisteredLabelWithPrivate::Assigned(a)) => {
                SignatureAlgorithm::from_cose_algorithm(a.to_i64()).ok()
            }
            Some(coset::RegisteredLabelWithPrivate::PrivateUse(v)) => {
                SignatureAlgorithm::from_cose_algorithm(*v).ok()
            }
            _ => None,
        };
        let (p, u) = (
            find_x5chain(&sign1.protected.header),
            find_x5chain(&sign1.unprotected),
        );
        let (x5chain, x5chain_location) = match (p, u) {
            (Some(v), None) => (chain_from(v)?, X5ChainLocation::Protected),
            (None, Some(v)) => (chain_from(v)?, X5ChainLocation::Unprotected),
            (Some(v), Some(_)) => (chain_from(v)?, X5ChainLocation::Both),
            (None, None) => (Vec::new(), X5ChainLocation::Missing),
        };
        let text = |name: &str| header_value(&sign1.unprotected, &Label::Text(name.to_owned()));
        let sig_tst = text("sigTst")
            .map(|v| tokens_from(v, "sigTst"))
            .transpose()?
            .unwrap_or_default();
        let sig_tst2 = text("sigTst2")
            .map(|v| tokens_from(v, "sigTst2"))
            .transpose()?
            .unwrap_or_default();
        let ocsp_vals = match text("rVals") {
            None => Vec::new(),
            Some(v) => {
                let bad = SignatureError::Malformed { what: "rVals" };
                let vals = v
                    .as_map()
                    .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some("ocspVals")))
                    .and_then(|(_, v)| v.as_array())
                    .ok_or(bad.clone())?;
                if vals.len() > MAX_TOKENS {
                    return Err(SignatureError::TooMany {
                        what: "OCSP responses",
                        limit: MAX_TOKENS,
                    });
                }
                vals.iter()
                    .map(|x| x.as_bytes().cloned().ok_or(bad.clone()))
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(Self {
            sign1,
            algorithm,
            x5chain,
            x5chain_location,
            sig_tst,
            sig_tst2,
            ocsp_vals,
        })
    }

    /// The bytes the signer signed for `claim` (the claim CBOR exactly as stored).
    pub fn to_be_signed(&self, claim: &[u8]) -> Vec<u8> {
        self.sign1.tbs_detached_data(claim, &[])
    }

    /// Verifies the signature over `claim` with the leaf certificate's public key (`spki_der`).
    pub fn verify(
        &self,
        claim: &[u8],
        spki_der: &[u8],
        verifier: &dyn SignatureVerifier,
    ) -> Result<(), SignatureError> {
        let alg = self.algorithm.ok_or(SignatureError::UnsupportedAlgorithm)?;
        verifier
            .verify(
                alg,
                spki_der,
                &self.to_be_signed(claim),
                &self.sign1.signature,
            )
            .map_err(SignatureError::Verify)
    }

    /// The v2 time-stamp message-imprint input (§10.3.2.5.3).
    pub fn timestamp_input_v2(&self) -> Vec<u8> {
        timestamp_input(&self.sign1.protected, &self.sign1.signature)
    }

    /// The v1 (deprecated) time-stamp message-imprint input: over the claim bytes.
    pub fn timestamp_input_v1(&self, claim: &[u8]) -> Vec<u8> {
        sig_structure_data(
            SignatureContext::CounterSignature,
            self.sign1.protected.clone(),
            None,
            &[],
            claim,
        )
    }
}

fn timestamp_input(protected: &ProtectedHeader, signature: &[u8]) -> Vec<u8> {
    // The payload is the signature field *as a CBOR bstr* (major type and length included).
    let mut payload = Vec::with_capacity(signature.len().saturating_add(9));
    // Encoding a byte string into a Vec cannot fail.
    if ciborium::ser::into_writer(&Value::Bytes(signature.to_vec()), &mut payload).is_err() {
        payload.clear();
    }
    sig_structure_data(
        SignatureContext::CounterSignature,
        protected.clone(),
        None,
        &[],
        &payload,
    )
}

/// Obtains an RFC 3161 time-stamp token for some bytes (the caller talks to the TSA).
pub trait TimeStamper {
    /// Returns the DER `TimeStampToken` (the `timeStampToken` of the TSA's `TimeStampResp`) for
    /// a message imprint over `data` (the caller hashes it, e.g. with SHA-256).
    fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError>;
}

/// What goes into a new claim signature.
pub struct SignOptions<'a> {
    /// The key.
    pub signer: &'a dyn Signer,
    /// The certificate chain, leaf first, intermediates after, no root (DER).
    pub chain: &'a [Vec<u8>],
    /// The TSA, if the signature is to be time-stamped (`sigTst2`).
    pub timestamper: Option<&'a dyn TimeStamper>,
    /// OCSP responses to staple in `rVals.ocspVals`.
    pub ocsp_vals: &'a [Vec<u8>],
}

/// Signs v2 claim bytes and returns the tagged COSE_Sign1, padded to exactly `target_len` bytes
/// when given (so a store laid out before signing keeps its size). A time-stamp goes in
/// `sigTst2`.
pub fn sign_claim(
    claim: &[u8],
    opts: &SignOptions<'_>,
    target_len: Option<usize>,
) -> Result<Vec<u8>, SignatureError> {
    sign_claim_for(claim, ClaimVersion::V2, opts, target_len)
}

/// Signs claim bytes of either version: a v2 claim's time-stamp goes in `sigTst2` with its
/// imprint over the signature (§10.3.2.5.3); a v1 claim's in `sigTst`, over the claim.
pub fn sign_claim_for(
    claim: &[u8],
    version: ClaimVersion,
    opts: &SignOptions<'_>,
    target_len: Option<usize>,
) -> Result<Vec<u8>, SignatureError> {
    let alg = opts.signer.algorithm();
    let cose_alg = alg
        .cose_algorithm()
        .ok_or(SignatureError::UnsupportedAlgorithm)?;
    let iana_alg =
        iana::Algorithm::from_i64(cose_alg).ok_or(SignatureError::UnsupportedAlgorithm)?;
    if opts.chain.is_empty() || opts.chain.len() > MAX_X5CHAIN {
        return Err(SignatureError::Malformed {
            what: "signing chain must hold 1..=16 certificates",
        });
    }
    let chain = Value::Array(opts.chain.iter().map(|c| Value::Bytes(c.clone())).collect());
    let protected = HeaderBuilder::new()
        .algorithm(iana_alg)
        .value(X5CHAIN, chain)
        .build();
    let mut sign_error = None;
    let unsigned = CoseSign1Builder::new()
        .protected(protected)
        .create_detached_signature(claim, &[], |tbs| {
            opts.signer.sign(tbs).unwrap_or_else(|e| {
                sign_error = Some(e);
                Vec::new()
            })
        });
    if let Some(e) = sign_error {
        return Err(SignatureError::Sign(e));
    }
    let mut sign1 = unsigned.build();
    // Re-read so the protected header carries its serialised bytes (needed for the imprint).
    sign1 = CoseSign1::from_slice(&sign1.to_vec().map_err(|e| SignatureError::Cose {
        detail: e.to_string(),
    })?)
    .map_err(|e| SignatureError::Cose {
        detail: e.to_string(),
    })?;
    let mut unprotected = Vec::new();
    if let Some(tsa) = opts.timestamper {
        let (imprint_input, header) = match version {
            ClaimVersion::V2 => (
                timestamp_input(&sign1.protected, &sign1.signature),
                "sigTst2",
            ),
            ClaimVersion::V1 => (
                sig_structure_data(
                    SignatureContext::CounterSignature,
                    sign1.protected.clone(),
                    None,
                    &[],
                    claim,
                ),
                "sigTst",
            ),
        };
        let token = tsa.timestamp(&imprint_input)?;
        let container = Value::Map(vec![(
            Value::Text("tstTokens".into()),
            Value::Array(vec![Value::Map(vec![(
                Value::Text("val".into()),
                Value::Bytes(token),
            )])]),
        )]);
        unprotected.push((Label::Text(header.into()), container));
    }
    if !opts.ocsp_vals.is_empty() {
        let vals = Value::Array(
            opts.ocsp_vals
                .iter()
                .map(|v| Value::Bytes(v.clone()))
                .collect(),
        );
        unprotected.push((
            Label::Text("rVals".into()),
            Value::Map(vec![(Value::Text("ocspVals".into()), vals)]),
        ));
    }
    sign1.unprotected.rest = unprotected.clone();
    sign1
        .unprotected
        .rest
        .push((Label::Text("pad".into()), Value::Bytes(Vec::new())));
    let bare = sign1
        .clone()
        .to_tagged_vec()
        .map_err(|e| SignatureError::Cose {
            detail: e.to_string(),
        })?;
    let Some(target) = target_len else {
        return Ok(bare);
    };
    if target < bare.len() {
        return Err(SignatureError::TooLarge {
            needed: bare.len(),
            reserved: target,
        });
    }
    // Grow `pad` (and `pad2` when one field cannot hit the size exactly, §A "pad2").
    let extra = target.saturating_sub(bare.len());
    for split in 0..=9usize {
        let pad_len = extra.saturating_sub(split);
        for pad2 in [None, Some(split.saturating_sub(1))] {
            if split > 0 && pad2.is_none() {
                continue;
            }
            let mut candidate = sign1.clone();
            candidate.unprotected.rest = unprotected.clone();
            let grown = pad_len.saturating_sub(cbor_len_overhead(pad_len));
            candidate
                .unprotected
                .rest
                .push((Label::Text("pad".into()), Value::Bytes(vec![0; grown])));
            if let Some(p2) = pad2 {
                let p2 = p2.saturating_sub(cbor_len_overhead(p2)).saturating_sub(5);
                candidate
                    .unprotected
                    .rest
                    .push((Label::Text("pad2".into()), Value::Bytes(vec![0; p2])));
            }
            let bytes = candidate
                .to_tagged_vec()
                .map_err(|e| SignatureError::Cose {
                    detail: e.to_string(),
                })?;
            if bytes.len() == target {
                return Ok(bytes);
            }
        }
    }
    Err(SignatureError::TooLarge {
        needed: bare.len(),
        reserved: target,
    })
}

/// Bytes a CBOR byte-string header adds beyond the zero-length form for a length-`n` string.
fn cbor_len_overhead(n: usize) -> usize {
    match n {
        0..=23 => 0,
        24..=255 => 1,
        256..=65_535 => 2,
        65_536..=4_294_967_295 => 4,
        _ => 8,
    }
}

#[cfg(test)]
mod tests;
