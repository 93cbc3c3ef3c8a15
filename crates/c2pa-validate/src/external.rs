//! Time-stamps and OCSP responses added to a manifest store after the fact: time-stamp
//! assertions (`c2pa.time-stamp`, §18.17: manifest URN → TimeStampToken over that manifest's
//! signature, used per §15.8.1.2 when the manifest's own `sigTst`/`sigTst2` gives no trusted
//! time) and certificate-status assertions (`c2pa.certificate-status`, §18.18: `ocspVals`, used
//! per §15.9 alongside the stapled `rVals`).
//!
//! They are gathered from every manifest of the store before validation, whatever that
//! manifest's own state: each token and response is signed by its TSA or OCSP responder and
//! bound to what it covers (the imprint of the manifest's signature, the certificate's CertID),
//! and is checked as such when used.

use ciborium::Value;
use signet_c2pa_model::ManifestStore;

use crate::assertion::{base_label, cbor_value, field};

/// What the store's time-stamp and certificate-status assertions carry.
#[derive(Debug, Default)]
pub(crate) struct External {
    /// (manifest URN, TimeStampToken).
    tsts: Vec<(String, Vec<u8>)>,
    /// OCSP responses.
    ocsp: Vec<Vec<u8>>,
}

/// True when the time-stamp entry `key` (`urn:c2pa:<uuid>`) names the manifest `label` (which
/// may carry `:<generator>` suffixes).
fn names(key: &str, label: &str) -> bool {
    key == label || label.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
}

impl External {
    /// Gathers the entries of every manifest's time-stamp and certificate-status assertions,
    /// at most `max` of each kind.
    pub(crate) fn scan(store: &ManifestStore, max: usize) -> Self {
        let mut out = Self::default();
        for m in store.manifests() {
            for a in m.assertions() {
                let label = a.label().unwrap_or_default();
                let kind = base_label(label);
                if kind != "c2pa.time-stamp" && kind != "c2pa.certificate-status" {
                    continue;
                }
                let Ok(value) = cbor_value(store, a) else {
                    continue; // reported by the manifest's own assertion checks
                };
                if kind == "c2pa.time-stamp" {
                    for (k, v) in value.as_map().into_iter().flatten() {
                        if let (Some(k), Some(v)) = (k.as_text(), v.as_bytes())
                            && out.tsts.len() < max
                        {
                            out.tsts.push((k.to_owned(), v.clone()));
                        }
                    }
                } else {
                    for v in field(&value, "ocspVals")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(b) = v.as_bytes()
                            && out.ocsp.len() < max
                        {
                            out.ocsp.push(b.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// The time-stamp tokens for the manifest `label`.
    pub(crate) fn tsts_for(&self, label: &str) -> Vec<&[u8]> {
        self.tsts
            .iter()
            .filter(|(k, _)| names(k, label))
            .map(|(_, t)| t.as_slice())
            .collect()
    }

    /// Every OCSP response of the store's certificate-status assertions.
    pub(crate) fn ocsp(&self) -> &[Vec<u8>] {
        &self.ocsp
    }
}
