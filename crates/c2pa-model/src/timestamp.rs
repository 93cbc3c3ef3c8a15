//! The client side of RFC 3161 for claim signatures (C2PA 2.2 §10.3.2.5): building a
//! `TimeStampReq` for the bytes a signature is time-stamped over, and checking the TSA's
//! `TimeStampResp` before its token is embedded.
//!
//! Sans-I/O: the caller carries the request to the TSA (HTTP POST,
//! `application/timestamp-query`) and hands the response bytes back. The token returned is the
//! exact `TimeStampToken` bytes the TSA sent.

use signet_asn1_types::algorithm::{ID_SHA256, ID_SHA384, ID_SHA512};
use signet_asn1_types::der::asn1::{Int, OctetString};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::tsp::{
    MessageImprint, TimeStampReq, TimeStampResp, TspStatus, Version, tst_info,
};

use crate::error::TimeStampError;
use crate::store::HashAlg;

/// A request ready to send, and what to check the answer against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The DER `TimeStampReq`.
    pub der: Vec<u8>,
    imprint: MessageImprint,
    nonce: Int,
}

fn alg_id(alg: HashAlg) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: match alg {
            HashAlg::Sha256 => ID_SHA256,
            HashAlg::Sha384 => ID_SHA384,
            HashAlg::Sha512 => ID_SHA512,
        },
        parameters: None,
    }
}

fn der_error(e: impl core::fmt::Display) -> TimeStampError {
    TimeStampError::Der {
        detail: e.to_string(),
    }
}

/// A `TimeStampReq` over `data` hashed with `alg`, with `nonce` (random bytes from the caller;
/// a leading zero bit is forced so the INTEGER is positive) and `certReq` set, so the token
/// carries the TSA certificate a validator needs.
pub fn request(data: &[u8], alg: HashAlg, nonce: &[u8]) -> Result<Request, TimeStampError> {
    let mut n = nonce.to_vec();
    if let Some(first) = n.first_mut() {
        *first &= 0x7F;
        if *first == 0 {
            *first = 1;
        }
    } else {
        return Err(TimeStampError::Nonce);
    }
    let nonce = Int::new(&n).map_err(der_error)?;
    let imprint = MessageImprint {
        hash_algorithm: alg_id(alg),
        hashed_message: OctetString::new(alg.digest(data)).map_err(der_error)?,
    };
    let req = TimeStampReq {
        version: Version::V1,
        message_imprint: imprint.clone(),
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    };
    Ok(Request {
        der: req.to_der().map_err(der_error)?,
        imprint,
        nonce,
    })
}

impl Request {
    /// Reads a request made elsewhere (e.g. by `openssl ts -query`) to check its answer.
    pub fn parse(der: &[u8]) -> Result<Self, TimeStampError> {
        let req = TimeStampReq::from_der_strict(der).map_err(der_error)?;
        Ok(Self {
            der: der.to_vec(),
            imprint: req.message_imprint,
            nonce: req.nonce.ok_or(TimeStampError::Nonce)?,
        })
    }
}

/// Checks the TSA's answer to `request` (canonical DER, status granted, the token's `TSTInfo`
/// over the same imprint with the same nonce) and returns the `TimeStampToken` bytes exactly as
/// received. The token's signature and certificate are the validator's to check.
pub fn token_from_response(response: &[u8], request: &Request) -> Result<Vec<u8>, TimeStampError> {
    let resp = TimeStampResp::from_der_strict(response).map_err(der_error)?;
    match resp.status.status {
        TspStatus::Granted | TspStatus::GrantedWithMods => {}
        status => {
            return Err(TimeStampError::NotGranted {
                status: format!("{status:?}"),
                detail: resp
                    .status
                    .status_string
                    .map(|s| s.join("; "))
                    .unwrap_or_default(),
            });
        }
    }
    let token = resp.time_stamp_token.ok_or(TimeStampError::NoToken)?;
    let info = tst_info(&token).map_err(der_error)?;
    if info.message_imprint != request.imprint {
        return Err(TimeStampError::ImprintMismatch);
    }
    if info.nonce.as_ref() != Some(&request.nonce) {
        return Err(TimeStampError::NonceMismatch);
    }
    // The response is canonical DER, so the token re-encodes to the bytes received; they are its
    // last bytes (the token is the response's last field). Return the slice itself.
    let der = token.to_der().map_err(der_error)?;
    let start = response
        .len()
        .checked_sub(der.len())
        .ok_or(TimeStampError::NoToken)?;
    let received = response.get(start..).ok_or(TimeStampError::NoToken)?;
    if received != der.as_slice() {
        return Err(TimeStampError::Der {
            detail: "the token is not the last field of the response".to_owned(),
        });
    }
    // Decoding the slice alone must succeed too (it is a complete ContentInfo).
    signet_asn1_types::cms::content_info::ContentInfo::from_der(received).map_err(der_error)?;
    Ok(received.to_vec())
}

#[cfg(test)]
mod tests;
