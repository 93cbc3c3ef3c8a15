//! The standard status codes of C2PA 2.2 §15.2.2, typed.
//!
//! Every code of the three tables (success, informational, failure), plus the codes the CDDL of
//! §15.2.1 and the validation text add (`manifest.unknownProvenance`,
//! `assertion.dataHash.additionalExclusionsPresent`, `assertion.metadata.disallowed`). Where the
//! CDDL and the tables disagree on a code's kind (`algorithm.deprecated` is listed with the
//! failure codes in the CDDL but in Table 3, informational), the table wins. Codes outside the
//! specification (custom codes recorded by other validators, e.g. in an ingredient's
//! `validationResults`) are kept as [`StatusCode::Other`].

use core::fmt;

/// Whether a code reports success, information or failure (the table it is listed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusKind {
    /// Table 2, success codes.
    Success,
    /// Table 3, informational codes.
    Informational,
    /// Table 4, failure codes.
    Failure,
}

macro_rules! status_codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $kind:ident; )*) => {
        /// A C2PA 2.2 validation status code (§15.2.2).
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum StatusCode {
            $( $(#[$doc])* $variant, )*
            /// A code this crate does not define (a custom or future code), as received.
            Other(String),
        }

        impl StatusCode {
            /// Every code this crate defines, in table order.
            pub const ALL: &'static [StatusCode] = &[ $( StatusCode::$variant, )* ];

            /// The code's string form (`"claimSignature.validated"`).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(s) => s,
                }
            }

            /// The table the code belongs to. Unknown codes count as informational: a code the
            /// validator does not understand must not make a manifest invalid on its own.
            pub fn kind(&self) -> StatusKind {
                match self {
                    $( Self::$variant => StatusKind::$kind, )*
                    Self::Other(_) => StatusKind::Informational,
                }
            }

            /// Parses a code's string form; codes this crate does not define become
            /// [`StatusCode::Other`].
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

status_codes! {
    // ---- Table 2: success codes ----
    /// A remote assertion was accessible at the time of validation.
    AssertionAccessible = "assertion.accessible", Success;
    /// The BMFF hash assertion matches the asset.
    AssertionBmffHashMatch = "assertion.bmffHash.match", Success;
    /// The general box hash assertion matches the asset.
    AssertionBoxesHashMatch = "assertion.boxesHash.match", Success;
    /// The collection data hash assertion matches the collection.
    AssertionCollectionHashMatch = "assertion.collectionHash.match", Success;
    /// The data hash assertion matches the asset.
    AssertionDataHashMatch = "assertion.dataHash.match", Success;
    /// The assertion matches the hash in its hashed URI.
    AssertionHashedUriMatch = "assertion.hashedURI.match", Success;
    /// One part of a multi-asset hash matches.
    AssertionMultiAssetHashMatch = "assertion.multiAssetHash.match", Success;
    /// The claim was signed within the signing credential's validity.
    ClaimSignatureInsideValidity = "claimSignature.insideValidity", Success;
    /// The claim signature validated.
    ClaimSignatureValidated = "claimSignature.validated", Success;
    /// The ingredient's claim signature box hash validated.
    IngredientClaimSignatureValidated = "ingredient.claimSignature.validated", Success;
    /// The ingredient's manifest box hash validated.
    IngredientManifestValidated = "ingredient.manifest.validated", Success;
    /// The signing credential was not revoked at the time of signing.
    SigningCredentialOcspNotRevoked = "signingCredential.ocsp.notRevoked", Success;
    /// The signing credential is trusted.
    SigningCredentialTrusted = "signingCredential.trusted", Success;
    /// The time-stamp credential chains to a TSA trust anchor.
    TimeStampTrusted = "timeStamp.trusted", Success;
    /// The time-stamp is well-formed, matches the claim signature and is within its validity.
    TimeStampValidated = "timeStamp.validated", Success;

    // ---- Table 3: informational codes ----
    /// The algorithm has been deprecated.
    AlgorithmDeprecated = "algorithm.deprecated", Informational;
    /// The data hash has exclusions other than the manifest store and padding.
    AssertionDataHashAdditionalExclusionsPresent =
        "assertion.dataHash.additionalExclusionsPresent", Informational;
    /// The ingredient has no C2PA manifest.
    IngredientUnknownProvenance = "ingredient.unknownProvenance", Informational;
    /// The manifest's provenance is unknown (CDDL of §15.2.1).
    ManifestUnknownProvenance = "manifest.unknownProvenance", Informational;
    /// An online OCSP check got no response.
    SigningCredentialOcspInaccessible = "signingCredential.ocsp.inaccessible", Informational;
    /// The validator chose not to perform an online OCSP check.
    SigningCredentialOcspSkipped = "signingCredential.ocsp.skipped", Informational;
    /// The claimed time of signing (`iat`) is within the credential's validity.
    TimeOfSigningInsideValidity = "timeOfSigning.insideValidity", Informational;
    /// The claimed time of signing (`iat`) is outside the credential's validity.
    TimeOfSigningOutsideValidity = "timeOfSigning.outsideValidity", Informational;
    /// The time-stamp is not well-formed (RFC 3161).
    TimeStampMalformed = "timeStamp.malformed", Informational;
    /// The time-stamp does not correspond to the claim.
    TimeStampMismatch = "timeStamp.mismatch", Informational;
    /// The time-stamp was created outside the TSA certificate's validity.
    TimeStampOutsideValidity = "timeStamp.outsideValidity", Informational;
    /// The time-stamp credential is not on the TSA trust lists.
    TimeStampUntrusted = "timeStamp.untrusted", Informational;

    // ---- Table 4: failure codes ----
    /// The algorithm is unspecified or unsupported.
    AlgorithmUnsupported = "algorithm.unsupported", Failure;
    /// An action's ingredient is missing or cannot be located.
    AssertionActionIngredientMismatch = "assertion.action.ingredientMismatch", Failure;
    /// An actions assertion is malformed.
    AssertionActionMalformed = "assertion.action.malformed", Failure;
    /// An actions assertion was redacted.
    AssertionActionRedacted = "assertion.action.redacted", Failure;
    /// An action's redaction is missing or cannot be located.
    AssertionActionRedactionMismatch = "assertion.action.redactionMismatch", Failure;
    /// A BMFF hash assertion is malformed.
    AssertionBmffHashMalformed = "assertion.bmffHash.malformed", Failure;
    /// The BMFF hash does not match.
    AssertionBmffHashMismatch = "assertion.bmffHash.mismatch", Failure;
    /// The general box hash assertion is malformed.
    AssertionBoxesHashMalformed = "assertion.boxesHash.malformed", Failure;
    /// The general box hash does not match.
    AssertionBoxesHashMismatch = "assertion.boxesHash.mismatch", Failure;
    /// A box other than those expected was found.
    AssertionBoxesHashUnknownBox = "assertion.boxesHash.unknownBox", Failure;
    /// An update manifest's cloud data assertion references an actions assertion.
    AssertionCloudDataActions = "assertion.cloud-data.actions", Failure;
    /// A hard binding is in a cloud data assertion.
    AssertionCloudDataHardBinding = "assertion.cloud-data.hardBinding", Failure;
    /// The cloud data assertion is incomplete.
    AssertionCloudDataMalformed = "assertion.cloud-data.malformed", Failure;
    /// An assertion's CBOR is not valid.
    AssertionCborInvalid = "assertion.cbor.invalid", Failure;
    /// An asset of the collection is missing.
    AssertionCollectionHashIncorrectFileCount =
        "assertion.collectionHash.incorrectFileCount", Failure;
    /// A collection URI contains `.` or `..`.
    AssertionCollectionHashInvalidUri = "assertion.collectionHash.invalidURI", Failure;
    /// The collection hash assertion is incomplete.
    AssertionCollectionHashMalformed = "assertion.collectionHash.malformed", Failure;
    /// A collection member's hash does not match.
    AssertionCollectionHashMismatch = "assertion.collectionHash.mismatch", Failure;
    /// A data hash assertion is malformed.
    AssertionDataHashMalformed = "assertion.dataHash.malformed", Failure;
    /// The data hash does not match.
    AssertionDataHashMismatch = "assertion.dataHash.mismatch", Failure;
    /// A hard binding assertion was redacted.
    AssertionDataHashRedacted = "assertion.dataHash.redacted", Failure;
    /// An assertion does not match the hash in its hashed URI.
    AssertionHashedUriMismatch = "assertion.hashedURI.mismatch", Failure;
    /// A remote assertion was inaccessible.
    AssertionInaccessible = "assertion.inaccessible", Failure;
    /// An ingredient assertion is incomplete.
    AssertionIngredientMalformed = "assertion.ingredient.malformed", Failure;
    /// An assertion's JSON is not valid.
    AssertionJsonInvalid = "assertion.json.invalid", Failure;
    /// A `c2pa.metadata` assertion has a field outside the allowed list (§15.10.3.2.3).
    AssertionMetadataDisallowed = "assertion.metadata.disallowed", Failure;
    /// An assertion listed in the claim is missing.
    AssertionMissing = "assertion.missing", Failure;
    /// A multi-asset hash assertion is malformed.
    AssertionMultiAssetHashMalformed = "assertion.multiAssetHash.malformed", Failure;
    /// A required part of a multi-part asset cannot be located.
    AssertionMultiAssetHashMissingPart = "assertion.multiAssetHash.missingPart", Failure;
    /// A part of a multi-part asset does not match.
    AssertionMultiAssetHashMismatch = "assertion.multiAssetHash.mismatch", Failure;
    /// More than one hard binding assertion.
    AssertionMultipleHardBindings = "assertion.multipleHardBindings", Failure;
    /// An assertion declared redacted is still present.
    AssertionNotRedacted = "assertion.notRedacted", Failure;
    /// An assertion listed in the claim is outside the claim's manifest.
    AssertionOutsideManifest = "assertion.outsideManifest", Failure;
    /// A claim redacts one of its own assertions.
    AssertionSelfRedacted = "assertion.selfRedacted", Failure;
    /// A time-stamp assertion is malformed.
    AssertionTimestampMalformed = "assertion.timestamp.malformed", Failure;
    /// An assertion is present but not declared in the claim.
    AssertionUndeclared = "assertion.undeclared", Failure;
    /// The claim's CBOR is not valid.
    ClaimCborInvalid = "claim.cbor.invalid", Failure;
    /// No hard binding is present.
    ClaimHardBindingsMissing = "claim.hardBindings.missing", Failure;
    /// The claim's fields are not correct.
    ClaimMalformed = "claim.malformed", Failure;
    /// The claim cannot be found.
    ClaimMissing = "claim.missing", Failure;
    /// More than one claim box.
    ClaimMultiple = "claim.multiple", Failure;
    /// The claim signature cannot be found in its manifest.
    ClaimSignatureMissing = "claimSignature.missing", Failure;
    /// The claim signature failed to validate.
    ClaimSignatureMismatch = "claimSignature.mismatch", Failure;
    /// The claim was signed outside the signing credential's validity.
    ClaimSignatureOutsideValidity = "claimSignature.outsideValidity", Failure;
    /// An error not listed elsewhere.
    GeneralError = "general.error", Failure;
    /// The target of a hashed URI cannot be located.
    HashedUriMissing = "hashedURI.missing", Failure;
    /// The target of a hashed URI does not match its hash.
    HashedUriMismatch = "hashedURI.mismatch", Failure;
    /// The ingredient's claim signature was not found.
    IngredientClaimSignatureMissing = "ingredient.claimSignature.missing", Failure;
    /// The ingredient's claim signature box hash does not match.
    IngredientClaimSignatureMismatch = "ingredient.claimSignature.mismatch", Failure;
    /// The ingredient's manifest was not found.
    IngredientManifestMissing = "ingredient.manifest.missing", Failure;
    /// The ingredient's manifest box hash does not match.
    IngredientManifestMismatch = "ingredient.manifest.mismatch", Failure;
    /// A compressed manifest is not valid.
    ManifestCompressedInvalid = "manifest.compressed.invalid", Failure;
    /// A remote manifest was inaccessible.
    ManifestInaccessible = "manifest.inaccessible", Failure;
    /// More than one `parentOf` ingredient.
    ManifestMultipleParents = "manifest.multipleParents", Failure;
    /// A time-stamp manifest holds a disallowed assertion.
    ManifestTimestampInvalid = "manifest.timestamp.invalid", Failure;
    /// A time-stamp manifest has zero or several `parentOf` ingredients.
    ManifestTimestampWrongParents = "manifest.timestamp.wrongParents", Failure;
    /// An update manifest holds a disallowed assertion.
    ManifestUpdateInvalid = "manifest.update.invalid", Failure;
    /// An update manifest has zero or several `parentOf` ingredients.
    ManifestUpdateWrongParents = "manifest.update.wrongParents", Failure;
    /// The signing credential is not valid for signing.
    SigningCredentialInvalid = "signingCredential.invalid", Failure;
    /// The OCSP response says the signing credential is revoked.
    SigningCredentialOcspRevoked = "signingCredential.ocsp.revoked", Failure;
    /// The OCSP response has an unknown status for the signing credential.
    SigningCredentialOcspUnknown = "signingCredential.ocsp.unknown", Failure;
    /// The signing credential is not on any applicable trust list.
    SigningCredentialUntrusted = "signingCredential.untrusted", Failure;
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
