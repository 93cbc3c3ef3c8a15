//! The validation report: status codes per manifest, ingredient deltas and the overall state.
//!
//! The shape follows the `validation-results-map` of C2PA 2.2 §15.2.1 (which is also what the
//! reference SDK returns as `validation_results`): the active manifest's `success`,
//! `informational` and `failure` lists of `{code, url, explanation}`, and one
//! `ingredientDeltas` entry per ingredient assertion whose ingredient manifest was validated.
//! [`ValidationState`] condenses it per §14.3. Alongside, [`ManifestInfo`] carries what a
//! reader wants to see (who signed, when, with what, which actions), taken from the manifests
//! as validated.

use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::DateTime;

use crate::status::{StatusCode, StatusKind};

/// One status: a code, the JUMBF URI of the box it is about, and a human-readable explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The code.
    pub code: StatusCode,
    /// The JUMBF URI (`self#jumbf=/c2pa/<manifest>/...`) of the claim, claim signature or
    /// assertion the code refers to.
    pub url: Option<String>,
    /// Why.
    pub explanation: Option<String>,
}

impl Status {
    /// A status about the box at `url`.
    pub fn new(code: StatusCode, url: impl Into<String>, explanation: impl Into<String>) -> Self {
        Self {
            code,
            url: Some(url.into()),
            explanation: Some(explanation.into()),
        }
    }

    /// The table the code belongs to.
    pub fn kind(&self) -> StatusKind {
        self.code.kind()
    }
}

/// The three lists of a `status-codes-map` (§15.2.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusLists {
    /// Success codes.
    pub success: Vec<Status>,
    /// Informational codes.
    pub informational: Vec<Status>,
    /// Failure codes.
    pub failure: Vec<Status>,
}

impl StatusLists {
    /// Adds a status to the list its code belongs to.
    pub fn push(&mut self, status: Status) {
        match status.kind() {
            StatusKind::Success => self.success.push(status),
            StatusKind::Informational => self.informational.push(status),
            StatusKind::Failure => self.failure.push(status),
        }
    }

    /// True when any list holds `code`.
    pub fn has(&self, code: &StatusCode) -> bool {
        self.iter().any(|s| s.code == *code)
    }

    /// Every status: success, then informational, then failure.
    pub fn iter(&self) -> impl Iterator<Item = &Status> {
        self.success
            .iter()
            .chain(&self.informational)
            .chain(&self.failure)
    }

    /// True when no list holds anything.
    pub fn is_empty(&self) -> bool {
        self.success.is_empty() && self.informational.is_empty() && self.failure.is_empty()
    }

    /// Appends every status of `other`.
    pub fn extend(&mut self, other: StatusLists) {
        self.success.extend(other.success);
        self.informational.extend(other.informational);
        self.failure.extend(other.failure);
    }
}

/// The validation results of one ingredient's manifest (§15.2.1
/// `ingredient-delta-validation-result-map`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngredientDelta {
    /// The JUMBF URI of the ingredient assertion.
    pub ingredient_assertion_uri: String,
    /// The codes of the ingredient's manifest that differ from what the ingredient assertion
    /// recorded in its `validationResults` (all of them when it recorded none).
    pub validation_deltas: StatusLists,
}

/// The state of the active manifest (C2PA 2.2 §14.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValidationState {
    /// Not well-formed, not cryptographically intact, or revoked/expired (§14.3.5 fails).
    Invalid,
    /// Well-formed and intact, signed within the credential's validity, not revoked
    /// (§14.3.5), but the signer is not trusted.
    Valid,
    /// Valid, and the signing credential is trusted (§14.3.6).
    Trusted,
}

impl ValidationState {
    /// `"Invalid"`, `"Valid"` or `"Trusted"` (the reference SDK's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "Invalid",
            Self::Valid => "Valid",
            Self::Trusted => "Trusted",
        }
    }
}

/// The trusted time attested by a validated time-stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampInfo {
    /// `genTime` of the `TSTInfo`.
    pub time: DateTime,
    /// The TSA certificate's subject (RFC 4514 string).
    pub tsa: String,
    /// Whether the TSA chained to a TSA trust anchor.
    pub trusted: bool,
}

/// Who signed a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// The signing certificate's subject (RFC 4514 string).
    pub subject: String,
    /// Its issuer.
    pub issuer: String,
    /// Its serial number, hex.
    pub serial: String,
    /// The COSE signature algorithm.
    pub algorithm: Option<SignatureAlgorithm>,
    /// The claimed time of signing (`iat`), when present (not trusted).
    pub claimed_time: Option<DateTime>,
    /// The time-stamp, when one validated.
    pub time_stamp: Option<TimeStampInfo>,
    /// The OCSP responses stapled in the claim signature (`rVals.ocspVals`, DER as received),
    /// whether or not one of them counted.
    pub stapled_ocsp: Vec<Vec<u8>>,
}

/// A summary of one validated manifest, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestInfo {
    /// The manifest label.
    pub label: String,
    /// The claim generator (`claim_generator_info.name` and version, or v1 `claim_generator`).
    pub claim_generator: Option<String>,
    /// `dc:title`.
    pub title: Option<String>,
    /// The signer, when the claim signature could be parsed.
    pub signer: Option<SignerInfo>,
    /// The actions of the manifest's actions assertions, in order (`c2pa.created`, ...).
    pub actions: Vec<String>,
    /// The ingredients: title and relationship.
    pub ingredients: Vec<(String, String)>,
}

/// The result of validating an asset's active manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The label of the active manifest.
    pub active_manifest: String,
    /// The codes of the active manifest.
    pub active: StatusLists,
    /// The results for the ingredient manifests in the active manifest's lineage.
    pub ingredient_deltas: Vec<IngredientDelta>,
    /// The overall state.
    pub state: ValidationState,
    /// The manifests that were validated: the active one first, then its ingredients'.
    pub manifests: Vec<ManifestInfo>,
    /// Failures of manifests in the store outside the active manifest's lineage, which are
    /// not validated: a compressed manifest that does not decompress
    /// (`manifest.compressed.invalid`, with its URI and why). They do not change the state.
    pub other_manifests: Vec<Status>,
}
