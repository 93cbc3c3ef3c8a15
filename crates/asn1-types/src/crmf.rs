//! CRMF, the Certificate Request Message Format (RFC 4211; ASN.1 module PKIXCRMF-2009 of RFC
//! 5912, `DEFINITIONS IMPLICIT TAGS`).
//!
//! Under implicit tagging a tagged CHOICE (`Name`, `Time`, `GeneralName`, `POPOPrivKey`,
//! `EncryptedKey`) is still tagged explicitly (X.680 §31.2.7), which is why `issuer [3] Name`,
//! `subject [5] Name` and `OptionalValidity`'s `[0]/[1] Time` are EXPLICIT here — the published
//! `crmf` crate gets `OptionalValidity` wrong.
//!
//! ```text
//! CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg
//! CertReqMsg ::= SEQUENCE {
//!     certReq   CertRequest,
//!     popo      ProofOfPossession  OPTIONAL,
//!     regInfo   SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
//! CertRequest ::= SEQUENCE {
//!     certReqId     INTEGER,
//!     certTemplate  CertTemplate,
//!     controls      Controls  OPTIONAL }
//! ```

use der::asn1::{BitString, Null, ObjectIdentifier, OctetString};
use der::{Any, Choice, Enumerated, Sequence, ValueOrd};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::time::Time;

use crate::seq::NonEmpty;

/// `CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg` (RFC 4211 §3).
pub type CertReqMessages = NonEmpty<CertReqMsg>;

/// `CertReqMsg` (RFC 4211 §3).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertReqMsg {
    /// `certReq`.
    pub cert_req: CertRequest,
    /// `popo`.
    pub popo: Option<ProofOfPossession>,
    /// `regInfo`.
    pub reg_info: Option<NonEmpty<AttributeTypeAndValue>>,
}

/// `CertRequest` (RFC 4211 §5).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertRequest {
    /// `certReqId`: matches a response to its request (-1 for p10cr responses).
    pub cert_req_id: i64,
    /// `certTemplate`.
    pub cert_template: CertTemplate,
    /// `controls`.
    pub controls: Option<Controls>,
}

/// `Controls ::= SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue` (RFC 4211 §6).
pub type Controls = NonEmpty<AttributeTypeAndValue>;

/// `AttributeTypeAndValue` (`SingleAttribute` in RFC 5912): a control or regInfo entry. The value
/// is kept as received; typed views are in [`Control`].
#[derive(Clone, Debug, PartialEq, Eq, Sequence, ValueOrd)]
pub struct AttributeTypeAndValue {
    /// `type`.
    pub oid: ObjectIdentifier,
    /// `value`.
    pub value: Any,
}

/// `CertTemplate` (RFC 4211 §5).
///
/// ```text
/// CertTemplate ::= SEQUENCE {
///     version      [0] Version               OPTIONAL,
///     serialNumber [1] INTEGER               OPTIONAL,
///     signingAlg   [2] AlgorithmIdentifier   OPTIONAL,
///     issuer       [3] Name                  OPTIONAL,
///     validity     [4] OptionalValidity      OPTIONAL,
///     subject      [5] Name                  OPTIONAL,
///     publicKey    [6] SubjectPublicKeyInfo  OPTIONAL,
///     issuerUID    [7] UniqueIdentifier      OPTIONAL,
///     subjectUID   [8] UniqueIdentifier      OPTIONAL,
///     extensions   [9] Extensions            OPTIONAL }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Sequence)]
pub struct CertTemplate {
    /// `version`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// `serialNumber`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub serial_number: Option<der::asn1::Int>,
    /// `signingAlg`.
    #[asn1(
        context_specific = "2",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub signing_alg: Option<AlgorithmIdentifierOwned>,
    /// `issuer` (explicit: `Name` is a CHOICE).
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub issuer: Option<Name>,
    /// `validity`.
    #[asn1(
        context_specific = "4",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub validity: Option<OptionalValidity>,
    /// `subject` (explicit: `Name` is a CHOICE).
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub subject: Option<Name>,
    /// `publicKey`.
    #[asn1(
        context_specific = "6",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub public_key: Option<SubjectPublicKeyInfoOwned>,
    /// `issuerUID`.
    #[asn1(context_specific = "7", tag_mode = "IMPLICIT", optional = "true")]
    pub issuer_uid: Option<BitString>,
    /// `subjectUID`.
    #[asn1(context_specific = "8", tag_mode = "IMPLICIT", optional = "true")]
    pub subject_uid: Option<BitString>,
    /// `extensions`.
    #[asn1(
        context_specific = "9",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub extensions: Option<Extensions>,
}

/// `OptionalValidity` (RFC 4211 §5; `Time` is a CHOICE, so its tags are explicit).
///
/// ```text
/// OptionalValidity ::= SEQUENCE {
///     notBefore  [0] Time OPTIONAL,
///     notAfter   [1] Time OPTIONAL } -- at least one MUST be present
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OptionalValidity {
    /// `notBefore`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub not_before: Option<Time>,
    /// `notAfter`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub not_after: Option<Time>,
}

/// `ProofOfPossession` (RFC 4211 §4).
///
/// ```text
/// ProofOfPossession ::= CHOICE {
///     raVerified        [0] NULL,
///     signature         [1] POPOSigningKey,
///     keyEncipherment   [2] POPOPrivKey,
///     keyAgreement      [3] POPOPrivKey }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum ProofOfPossession {
    /// `raVerified`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    RaVerified(Null),
    /// `signature`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Signature(PopoSigningKey),
    /// `keyEncipherment`.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    KeyEncipherment(PopoPrivKey),
    /// `keyAgreement`.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", constructed = "true")]
    KeyAgreement(PopoPrivKey),
}

/// `POPOSigningKey` (RFC 4211 §4.1).
///
/// ```text
/// POPOSigningKey ::= SEQUENCE {
///     poposkInput           [0] POPOSigningKeyInput OPTIONAL,
///     algorithmIdentifier   AlgorithmIdentifier,
///     signature             BIT STRING }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PopoSigningKey {
    /// `poposkInput`.
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub poposk_input: Option<PopoSigningKeyInput>,
    /// `algorithmIdentifier`.
    pub algorithm_identifier: AlgorithmIdentifierOwned,
    /// `signature`.
    pub signature: BitString,
}

/// `POPOSigningKeyInput` (RFC 4211 §4.1).
///
/// ```text
/// POPOSigningKeyInput ::= SEQUENCE {
///     authInfo  CHOICE { sender [0] GeneralName, publicKeyMAC PKMACValue },
///     publicKey SubjectPublicKeyInfo }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PopoSigningKeyInput {
    /// `authInfo`.
    pub auth_info: PopoSigningKeyInputAuthInfo,
    /// `publicKey`.
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// The `authInfo` CHOICE of `POPOSigningKeyInput`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum PopoSigningKeyInputAuthInfo {
    /// `sender [0] GeneralName` (explicit: `GeneralName` is a CHOICE).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Sender(GeneralName),
    /// `publicKeyMAC`.
    PublicKeyMac(PkMacValue),
}

/// `PKMACValue ::= SEQUENCE { algId AlgorithmIdentifier, value BIT STRING }` (RFC 4211 §4.4).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkMacValue {
    /// `algId`.
    pub alg_id: AlgorithmIdentifierOwned,
    /// `value`.
    pub value: BitString,
}

/// `POPOPrivKey` (RFC 4211 §4.2; `encryptedKey` from RFC 9810 via RFC 4211bis usage).
///
/// ```text
/// POPOPrivKey ::= CHOICE {
///     thisMessage       [0] BIT STRING,         -- Deprecated
///     subsequentMessage [1] SubsequentMessage,
///     dhMAC             [2] BIT STRING,         -- Deprecated
///     agreeMAC          [3] PKMACValue,
///     encryptedKey      [4] EnvelopedData }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum PopoPrivKey {
    /// `thisMessage` (deprecated).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    ThisMessage(BitString),
    /// `subsequentMessage`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT")]
    SubsequentMessage(SubsequentMessage),
    /// `dhMAC` (deprecated).
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    DhMac(BitString),
    /// `agreeMAC`.
    #[asn1(context_specific = "3", tag_mode = "IMPLICIT", constructed = "true")]
    AgreeMac(PkMacValue),
    /// `encryptedKey`.
    #[asn1(context_specific = "4", tag_mode = "IMPLICIT", constructed = "true")]
    EncryptedKey(cms::enveloped_data::EnvelopedData),
}

/// `SubsequentMessage ::= INTEGER { encrCert (0), challengeResp (1) }` (RFC 4211 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[asn1(type = "INTEGER")]
#[repr(u8)]
pub enum SubsequentMessage {
    /// The certificate is returned encrypted (indirect POP).
    EncrCert = 0,
    /// A challenge-response exchange follows (direct POP).
    ChallengeResp = 1,
}

/// `EncryptedValue` (RFC 4211 §2.2, deprecated by RFC 9810 in favour of EnvelopedData).
///
/// ```text
/// EncryptedValue ::= SEQUENCE {
///     intendedAlg   [0] AlgorithmIdentifier  OPTIONAL,
///     symmAlg       [1] AlgorithmIdentifier  OPTIONAL,
///     encSymmKey    [2] BIT STRING           OPTIONAL,
///     keyAlg        [3] AlgorithmIdentifier  OPTIONAL,
///     valueHint     [4] OCTET STRING         OPTIONAL,
///     encValue      BIT STRING }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EncryptedValue {
    /// `intendedAlg`.
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub intended_alg: Option<AlgorithmIdentifierOwned>,
    /// `symmAlg`.
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub symm_alg: Option<AlgorithmIdentifierOwned>,
    /// `encSymmKey`.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub enc_symm_key: Option<BitString>,
    /// `keyAlg`.
    #[asn1(
        context_specific = "3",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub key_alg: Option<AlgorithmIdentifierOwned>,
    /// `valueHint`.
    #[asn1(context_specific = "4", tag_mode = "IMPLICIT", optional = "true")]
    pub value_hint: Option<OctetString>,
    /// `encValue`.
    pub enc_value: BitString,
}

/// `EncryptedKey ::= CHOICE { encryptedValue EncryptedValue, envelopedData [0] EnvelopedData }`
/// (RFC 4211 §4.2 as updated by RFC 9810).
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
#[allow(
    clippy::large_enum_variant,
    reason = "mirrors the ASN.1 CHOICE; rare in practice"
)]
pub enum EncryptedKey {
    /// `encryptedValue` (deprecated).
    EncryptedValue(EncryptedValue),
    /// `envelopedData`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", constructed = "true")]
    EnvelopedData(cms::enveloped_data::EnvelopedData),
}

/// `CertId ::= SEQUENCE { issuer GeneralName, serialNumber INTEGER }` (RFC 4211 §6.5).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// `issuer`.
    pub issuer: GeneralName,
    /// `serialNumber`.
    pub serial_number: der::asn1::Int,
}

/// `PKIPublicationInfo` (RFC 4211 §6.3).
///
/// ```text
/// PKIPublicationInfo ::= SEQUENCE {
///     action     INTEGER { dontPublish (0), pleasePublish (1) },
///     pubInfos   SEQUENCE SIZE (1..MAX) OF SinglePubInfo OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiPublicationInfo {
    /// `action`.
    pub action: u8,
    /// `pubInfos`.
    pub pub_infos: Option<NonEmpty<SinglePubInfo>>,
}

/// `SinglePubInfo ::= SEQUENCE { pubMethod INTEGER, pubLocation GeneralName OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SinglePubInfo {
    /// `pubMethod`: dontCare (0), x500 (1), web (2), ldap (3).
    pub pub_method: u8,
    /// `pubLocation`.
    pub pub_location: Option<GeneralName>,
}

/// `PKIArchiveOptions` (RFC 4211 §6.4).
///
/// ```text
/// PKIArchiveOptions ::= CHOICE {
///     encryptedPrivKey     [0] EncryptedKey,
///     keyGenParameters     [1] KeyGenParameters,   -- OCTET STRING
///     archiveRemGenPrivKey [2] BOOLEAN }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
#[allow(
    clippy::large_enum_variant,
    reason = "mirrors the ASN.1 CHOICE; rare in practice"
)]
pub enum PkiArchiveOptions {
    /// `encryptedPrivKey` (explicit: `EncryptedKey` is a CHOICE).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    EncryptedPrivKey(EncryptedKey),
    /// `keyGenParameters`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT")]
    KeyGenParameters(OctetString),
    /// `archiveRemGenPrivKey`.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    ArchiveRemGenPrivKey(bool),
}

/// Object identifiers of RFC 4211.
pub mod oid {
    use der::asn1::ObjectIdentifier;

    /// `id-regCtrl-regToken` (RFC 4211 §6.1).
    pub const REG_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.1");
    /// `id-regCtrl-authenticator` (§6.2).
    pub const AUTHENTICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.2");
    /// `id-regCtrl-pkiPublicationInfo` (§6.3).
    pub const PKI_PUBLICATION_INFO: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.3");
    /// `id-regCtrl-pkiArchiveOptions` (§6.4).
    pub const PKI_ARCHIVE_OPTIONS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.4");
    /// `id-regCtrl-oldCertID` (§6.5).
    pub const OLD_CERT_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.5");
    /// `id-regCtrl-protocolEncrKey` (§6.6).
    pub const PROTOCOL_ENCR_KEY: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.6");
    /// `id-regCtrl-algId` (RFC 9810 §5.3.19.16): a key algorithm a CA will certify.
    pub const ALG_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.11");
    /// `id-regCtrl-rsaKeyLen` (RFC 9810 §5.3.19.16): an RSA modulus length a CA will certify.
    pub const RSA_KEY_LEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.12");
    /// `id-regInfo-utf8Pairs` (§7.1).
    pub const UTF8_PAIRS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.2.1");
    /// `id-regInfo-certReq` (§7.2).
    pub const CERT_REQ: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.2.2");
}

/// A typed view of a control or regInfo entry. Unknown types stay [`Control::Other`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Control {
    /// `regToken` (UTF8String).
    RegToken(String),
    /// `authenticator` (UTF8String).
    Authenticator(String),
    /// `pkiPublicationInfo`.
    PkiPublicationInfo(PkiPublicationInfo),
    /// `pkiArchiveOptions`.
    PkiArchiveOptions(Box<PkiArchiveOptions>),
    /// `oldCertID`.
    OldCertId(CertId),
    /// `protocolEncrKey`.
    ProtocolEncrKey(SubjectPublicKeyInfoOwned),
    /// `algId` (in a certReqTemplate's keySpec).
    AlgId(AlgorithmIdentifierOwned),
    /// `rsaKeyLen` (in a certReqTemplate's keySpec).
    RsaKeyLen(u32),
    /// `utf8Pairs` (regInfo).
    Utf8Pairs(String),
    /// `certReq` (regInfo).
    CertReq(Box<CertRequest>),
    /// Any other type, value as received.
    Other(AttributeTypeAndValue),
}

impl AttributeTypeAndValue {
    /// Decodes the value according to its type.
    ///
    /// # Errors
    /// A `der` error when a known type's value does not decode.
    pub fn typed(&self) -> der::Result<Control> {
        let v: der::Result<Control> = match self.oid {
            oid::REG_TOKEN => self.value.decode_as::<String>().map(Control::RegToken),
            oid::AUTHENTICATOR => self.value.decode_as::<String>().map(Control::Authenticator),
            oid::PKI_PUBLICATION_INFO => self.value.decode_as().map(Control::PkiPublicationInfo),
            oid::PKI_ARCHIVE_OPTIONS => self
                .value
                .decode_as()
                .map(|o| Control::PkiArchiveOptions(Box::new(o))),
            oid::OLD_CERT_ID => self.value.decode_as().map(Control::OldCertId),
            oid::PROTOCOL_ENCR_KEY => self.value.decode_as().map(Control::ProtocolEncrKey),
            oid::ALG_ID => self.value.decode_as().map(Control::AlgId),
            oid::RSA_KEY_LEN => self.value.decode_as().map(Control::RsaKeyLen),
            oid::UTF8_PAIRS => self.value.decode_as::<String>().map(Control::Utf8Pairs),
            oid::CERT_REQ => self
                .value
                .decode_as()
                .map(|r| Control::CertReq(Box::new(r))),
            _ => Ok(Control::Other(self.clone())),
        };
        v
    }
}

#[cfg(test)]
mod tests;
