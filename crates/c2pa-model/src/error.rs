//! Errors of `signet-c2pa-model`.
//!
//! Parsing errors are structured and carry the byte offset where the problem is; a validator maps
//! them to C2PA status codes (`claim.malformed`, `general.error`, ...) in one place.

use thiserror::Error;

/// A JUMBF structure could not be parsed or written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JumbfError {
    /// The data ends inside a box header or field.
    #[error("JUMBF data truncated at offset {offset}")]
    Truncated {
        /// Offset of the box or field that is cut short.
        offset: usize,
    },
    /// A box length is smaller than its header or runs past its enclosing box.
    #[error("JUMBF box at offset {offset} has an invalid length")]
    BadLength {
        /// Offset of the box.
        offset: usize,
    },
    /// A box has `LBox = 0` ("to the end of the data"), which a manifest store may not use: its
    /// extent would depend on the container around it.
    #[error(
        "JUMBF box at offset {offset} has length 0 (to the end of the data), not allowed in a manifest store"
    )]
    ZeroLength {
        /// Offset of the box.
        offset: usize,
    },
    /// Bytes follow the outermost box.
    #[error("trailing data after the JUMBF superbox at offset {offset}")]
    TrailingData {
        /// Offset of the first trailing byte.
        offset: usize,
    },
    /// A superbox was expected.
    #[error("expected a JUMBF superbox at offset {offset}, found box type {found:?}")]
    NotASuperbox {
        /// Offset of the box.
        offset: usize,
        /// The box type found.
        found: [u8; 4],
    },
    /// A superbox does not start with a description box.
    #[error("JUMBF superbox at offset {offset} has no description box")]
    MissingDescription {
        /// Offset of the superbox.
        offset: usize,
    },
    /// A description box field is malformed.
    #[error("JUMBF description box at offset {offset}: malformed {what}")]
    BadDescription {
        /// Offset of the description box.
        offset: usize,
        /// Which field.
        what: &'static str,
    },
    /// Nesting exceeds [`crate::jumbf::Limits::max_depth`].
    #[error("JUMBF nesting deeper than {limit} at offset {offset}")]
    TooDeep {
        /// Offset of the superbox that is too deep.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// More boxes than [`crate::jumbf::Limits::max_boxes`].
    #[error("more than {limit} JUMBF boxes")]
    TooManyBoxes {
        /// The limit.
        limit: usize,
    },
    /// A label violates C2PA 2.2 §11.1.4.1.1.
    #[error("JUMBF label {label:?} is not allowed (C2PA 2.2 §11.1.4.1.1)")]
    BadLabel {
        /// The label.
        label: String,
    },
}

/// An asset container could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// The data is not of the expected format.
    #[error("not a {format} file")]
    NotFormat {
        /// The format expected.
        format: &'static str,
    },
    /// The data ends early.
    #[error("asset truncated at offset {offset}")]
    Truncated {
        /// Where the data ended.
        offset: u64,
    },
    /// A structural rule of the container is broken.
    #[error("malformed asset at offset {offset}: {what}")]
    Malformed {
        /// Where.
        offset: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// More segments than [`crate::container::ContainerLimits::max_segments`].
    #[error("more than {limit} container segments")]
    TooManySegments {
        /// The limit.
        limit: usize,
    },
    /// The manifest store exceeds [`crate::container::ContainerLimits::max_store_size`].
    #[error("manifest store larger than {limit} bytes")]
    StoreTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The asset uses a feature of its format this crate does not read.
    #[error("{format}: {what} is not supported")]
    Unsupported {
        /// The format.
        format: &'static str,
        /// The feature.
        what: &'static str,
    },
    /// More than one C2PA Manifest Store is embedded (C2PA 2.2 §A: one store per asset).
    #[error("more than one C2PA Manifest Store in the asset")]
    MultipleStores,
    /// The reader failed.
    #[error("reading the asset failed at offset {offset}: {kind}")]
    Io {
        /// The I/O error kind.
        kind: std::io::ErrorKind,
        /// Offset reached.
        offset: u64,
    },
}

impl ContainerError {
    pub(crate) fn io(e: std::io::Error, offset: u64) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Self::Truncated { offset }
        } else {
            Self::Io {
                kind: e.kind(),
                offset,
            }
        }
    }
}

/// CBOR content could not be decoded into the expected C2PA structure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CborError {
    /// Not well-formed CBOR (RFC 8949 §3), or a declared length past the end of the data.
    #[error("invalid CBOR: {detail}")]
    Invalid {
        /// What is wrong, and where.
        detail: String,
    },
    /// Nested deeper than [`crate::cbor::Limits::max_depth`].
    #[error("CBOR nested deeper than {limit}")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More data items than [`crate::cbor::Limits::max_items`].
    #[error("more than {limit} CBOR data items")]
    TooManyItems {
        /// The limit.
        limit: usize,
    },
    /// Bytes follow the CBOR item.
    #[error("{remaining} bytes after the CBOR item")]
    TrailingData {
        /// How many.
        remaining: usize,
    },
    /// A required field is absent.
    #[error("required field `{field}` is missing")]
    Missing {
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong CBOR type.
    #[error("field `{field}` is not a {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// A field has the right type but a value the structure does not allow.
    #[error("field `{field}`: {what}")]
    BadValue {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        what: &'static str,
    },
}

/// An assertion box could not be decoded into its typed model (C2PA 2.2 §6, §18).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AssertionError {
    /// The assertion superbox has no label.
    #[error("the assertion box has no label")]
    MissingLabel,
    /// The assertion holds no content box of the kind its label requires.
    #[error("assertion {label:?} has no {expected} content box")]
    MissingContent {
        /// The assertion label.
        label: String,
        /// The content kind expected (`cbor`, `json`, `bfdb+bidb`).
        expected: &'static str,
    },
    /// The assertion holds more content boxes than its kind allows.
    #[error("assertion {label:?} has more than one {what} box")]
    MultipleContent {
        /// The assertion label.
        label: String,
        /// Which box is repeated.
        what: &'static str,
    },
    /// The assertion has been redacted (its content replaced by the C2PA redaction UUID box).
    #[error("assertion {label:?} is redacted")]
    Redacted {
        /// The assertion label.
        label: String,
    },
    /// The CBOR content does not decode into the assertion's model.
    #[error("assertion {label:?}: {error}")]
    Cbor {
        /// The assertion label.
        label: String,
        /// The decoding error.
        error: CborError,
    },
    /// The JSON content is not a JSON object (`assertion.json.invalid`).
    #[error("assertion {label:?}: invalid JSON: {detail}")]
    Json {
        /// The assertion label.
        label: String,
        /// The parser's message.
        detail: String,
    },
    /// An embedded-file description box (`bfdb`) is malformed (ISO 19566-5 B.4).
    #[error("assertion {label:?}: malformed embedded file description: {what}")]
    EmbeddedFile {
        /// The assertion label.
        label: String,
        /// What is wrong.
        what: &'static str,
    },
}

/// An assertion could not be redacted from a manifest store (C2PA 2.2 §6.8).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RedactionError {
    /// The URI is not an absolute JUMBF URI to an assertion of a manifest in the store.
    #[error("{uri:?} does not name an assertion in the manifest store")]
    NotFound {
        /// The URI.
        uri: String,
    },
    /// Actions and hard-binding assertions must never be redacted (§6.8).
    #[error("assertion {label:?} must not be redacted (C2PA 2.2 §6.8)")]
    Forbidden {
        /// The assertion label.
        label: String,
    },
    /// The store could not be rebuilt.
    #[error("rebuilding the manifest store: {0}")]
    Store(StoreError),
}

/// A manifest store is not shaped as C2PA requires.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The JUMBF structure is malformed.
    #[error(transparent)]
    Jumbf(JumbfError),
    /// The outermost superbox is not a C2PA Manifest Store (label `c2pa`, type `c2pa`).
    #[error(
        "not a C2PA Manifest Store (label c2pa, JUMBF type 63327061-0011-0010-8000-00AA00389B71)"
    )]
    NotAManifestStore,
    /// The manifest has no claim box.
    #[error("the manifest has no claim box")]
    MissingClaim,
    /// The manifest has no claim signature box.
    #[error("the manifest has no claim signature box")]
    MissingSignature,
    /// A box that must hold one CBOR content box holds none.
    #[error("the {what} box has no CBOR content box")]
    MissingContent {
        /// Which box.
        what: &'static str,
    },
    /// A box that must hold one CBOR content box holds several.
    #[error("the {what} box has more than one CBOR content box")]
    MultipleContent {
        /// Which box.
        what: &'static str,
    },
    /// The claim CBOR is malformed.
    #[error("claim: {0}")]
    Claim(#[from] CborError),
}

/// A claim signature could not be parsed, created or verified.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// Not a COSE_Sign1 structure.
    #[error("not a COSE_Sign1 structure: {detail}")]
    Cose {
        /// The COSE library's message.
        detail: String,
    },
    /// A header is malformed.
    #[error("malformed claim signature: {what}")]
    Malformed {
        /// What is wrong.
        what: &'static str,
    },
    /// A header holds more items than allowed.
    #[error("claim signature has more {what} than the limit of {limit}")]
    TooMany {
        /// Which items.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The COSE algorithm is not one C2PA allows (C2PA 2.2 §13.2.1).
    #[error("signature algorithm not allowed by C2PA 2.2 §13.2.1")]
    UnsupportedAlgorithm,
    /// The signature does not verify.
    #[error("claim signature does not verify: {0}")]
    Verify(signet_asn1_types::crypto::VerifyError),
    /// The key backend failed to sign.
    #[error("signing failed: {0}")]
    Sign(signet_asn1_types::crypto::SignError),
    /// The signature does not fit the space reserved for it.
    #[error("claim signature needs {needed} bytes but {reserved} were reserved")]
    TooLarge {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// The time-stamping authority failed.
    #[error("time-stamping failed: {detail}")]
    TimeStamp {
        /// What went wrong.
        detail: String,
    },
    /// The time-stamping authority's response was refused.
    #[error("time-stamp response: {0}")]
    TimeStampResponse(#[from] TimeStampError),
}

/// A time-stamp request could not be built, or the TSA's response was not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TimeStampError {
    /// Encoding the request or decoding the response failed.
    #[error("DER: {detail}")]
    Der {
        /// The decoder's message.
        detail: String,
    },
    /// No nonce bytes were given.
    #[error("an empty nonce")]
    Nonce,
    /// The TSA did not grant the request.
    #[error("the TSA answered {status}: {detail}")]
    NotGranted {
        /// The PKIStatus.
        status: String,
        /// The TSA's status strings.
        detail: String,
    },
    /// The response holds no token.
    #[error("the response holds no time-stamp token")]
    NoToken,
    /// The token is over another message imprint.
    #[error("the token's message imprint is not the one requested")]
    ImprintMismatch,
    /// The token's nonce is not the request's.
    #[error("the token's nonce is not the one requested")]
    NonceMismatch,
}

/// The claim generator could not produce a signed asset.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GeneratorError {
    /// The input asset could not be read or located.
    #[error("input asset: {0}")]
    Container(#[from] ContainerError),
    /// Reading the input or writing the output failed.
    #[error("I/O failed: {kind}")]
    Io {
        /// The I/O error kind.
        kind: std::io::ErrorKind,
    },
    /// The input already carries a C2PA manifest store.
    #[error("the input already has a C2PA manifest store; sign it as a parent ingredient instead")]
    AlreadySigned,
    /// The random source failed.
    #[error("the random source failed")]
    Random,
    /// Encoding CBOR failed.
    #[error("CBOR: {0}")]
    Cbor(#[from] CborError),
    /// An assertion could not be read back.
    #[error("assertion: {0}")]
    Assertion(#[from] AssertionError),
    /// Building JUMBF failed.
    #[error("JUMBF: {0}")]
    Jumbf(#[from] JumbfError),
    /// Signing failed.
    #[error("claim signature: {0}")]
    Signature(#[from] SignatureError),
    /// The store is too large for the container.
    #[error("the manifest store is too large for the container")]
    StoreTooLarge,
    /// The generator cannot embed into this format yet.
    #[error(
        "signing this asset format is not supported (JPEG, PNG, GIF, SVG, TIFF/DNG, JPEG XL, \
         WebP/WAV/AVI and ISO BMFF are)"
    )]
    UnsupportedFormat,
    /// The layout of the store did not reach a fixed point.
    #[error("the manifest store layout did not converge")]
    LayoutDidNotConverge,
    /// An ingredient cannot be recorded as given.
    #[error("ingredient: {what}")]
    Ingredient {
        /// What is wrong.
        what: &'static str,
    },
    /// Two ingredients carry different manifests under the same label.
    #[error("two ingredients carry different manifests labelled {label:?}")]
    ManifestConflict {
        /// The manifest label.
        label: String,
    },
    /// A caller-supplied assertion label is reserved for the generator or malformed.
    #[error("assertion label {label:?} is reserved for the generator or not a valid label")]
    ReservedLabel {
        /// The label.
        label: String,
    },
    /// A caller-supplied assertion label is used twice.
    #[error("assertion label {label:?} is used twice")]
    DuplicateLabel {
        /// The label.
        label: String,
    },
    /// Inserting the manifest would push a 32-bit file offset past 4 GiB (C2PA 2.2 §A.5.9).
    #[error(
        "a 32-bit offset in the {box_type} box would overflow; convert the file to 64-bit \
         offsets (co64) first (C2PA 2.2 §A.5.9)"
    )]
    OffsetOverflow {
        /// The box holding the offset.
        box_type: &'static str,
    },
    /// A fragmented asset cannot be signed as given.
    #[error("fragmented MP4: {what}")]
    Fragments {
        /// What is wrong.
        what: &'static str,
    },
    /// An ISO BMFF box the generator must rewrite is malformed or too large.
    #[error("ISO BMFF {box_type} box at offset {offset}: {what}")]
    Bmff {
        /// The box type.
        box_type: &'static str,
        /// Where it starts.
        offset: u64,
        /// What is wrong.
        what: &'static str,
    },
}
