//! After-the-fact trust material: the time-stamp assertion (C2PA 2.2 §18.17,
//! `c2pa.time-stamp`) and the certificate status assertion (§18.18, `c2pa.certificate-status`).
//!
//! ```text
//! time-stamp-map = { * "urn:c2pa:..." => bstr }     ; manifest URN → DER TimeStampToken
//! certificate-status-map = { "ocspVals": [1* bstr] } ; DER OCSPResponses
//! ```

use ciborium::Value;

use super::{CborAssertion, Label};
use crate::cbor::{self, Map};
use crate::error::CborError;

/// A `c2pa.time-stamp` assertion: time-stamp tokens keyed by the manifest they time-stamp.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeStamps {
    /// (manifest label, DER `TimeStampToken`) in stored order.
    pub tokens: Vec<(String, Vec<u8>)>,
}

impl CborAssertion for TimeStamps {
    fn from_value(value: &Value, _label: &Label) -> Result<Self, CborError> {
        let Value::Map(entries) = value else {
            return Err(CborError::WrongType {
                field: "time-stamp-map",
                expected: "map",
            });
        };
        let tokens = entries
            .iter()
            .map(|(k, v)| match (k, v) {
                (Value::Text(urn), Value::Bytes(token)) => Ok((urn.clone(), token.clone())),
                _ => Err(CborError::WrongType {
                    field: "time-stamp-map",
                    expected: "map of text keys to byte strings",
                }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { tokens })
    }

    fn to_value(&self) -> Value {
        Value::Map(
            self.tokens
                .iter()
                .map(|(k, v)| (cbor::text(k.clone()), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn label(&self) -> String {
        "c2pa.time-stamp".to_owned()
    }
}

/// A `c2pa.certificate-status` assertion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertificateStatus {
    /// `ocspVals`: DER `OCSPResponse`s.
    pub ocsp_vals: Vec<Vec<u8>>,
}

impl CborAssertion for CertificateStatus {
    fn from_value(value: &Value, _label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "certificate-status-map")?;
        Ok(Self {
            ocsp_vals: m
                .opt_bytes_array("ocspVals")?
                .ok_or(CborError::Missing { field: "ocspVals" })?,
        })
    }

    fn to_value(&self) -> Value {
        cbor::canonical_map(vec![(
            "ocspVals",
            Value::Array(self.ocsp_vals.iter().cloned().map(Value::Bytes).collect()),
        )])
    }

    fn label(&self) -> String {
        "c2pa.certificate-status".to_owned()
    }
}
