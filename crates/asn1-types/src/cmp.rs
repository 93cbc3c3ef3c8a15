//! CMP, the Certificate Management Protocol (RFC 9810; ASN.1 module PKIXCMP-2023,
//! `DEFINITIONS EXPLICIT TAGS`), pvno 2 (cmp2000) and 3 (cmp2021).
//!
//! ```text
//! PKIMessage ::= SEQUENCE {
//!     header           PKIHeader,
//!     body             PKIBody,
//!     protection   [0] PKIProtection OPTIONAL,
//!     extraCerts   [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL }
//! ```
//! Decoding through [`crate::strict`] keeps the exact bytes of the header and body, which is what
//! message protection covers (`ProtectedPart`, RFC 9810 §5.1.3).

use der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier, OctetString};
use der::{Any, Choice, Decode, Encode, Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::request::CertReq;
use x509_cert::time::Time;

use crate::crmf::{
    CertId, CertReqMessages, CertTemplate, Controls, EncryptedKey, PkiPublicationInfo,
};
use crate::seq::NonEmpty;
use crate::time::GeneralizedTimeFrac;

/// `CMPCertificate ::= CHOICE { x509v3PKCert Certificate, ... }`.
pub type CmpCertificate = Certificate;

/// `PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String`.
pub type PkiFreeText = NonEmpty<String>;

/// `pvno` values (RFC 9810 §5.1.1).
pub mod pvno {
    /// `cmp2000`: RFC 4210.
    pub const CMP2000: u8 = 2;
    /// `cmp2021`: RFC 9480 / RFC 9810 features (e.g. `hashAlg` in certConf, EnvelopedData).
    pub const CMP2021: u8 = 3;
}

/// `PKIMessage` (RFC 9810 §5.1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiMessage {
    /// `header`.
    pub header: PkiHeader,
    /// `body`.
    pub body: PkiBody,
    /// `protection`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub protection: Option<BitString>,
    /// `extraCerts`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub extra_certs: Option<NonEmpty<CmpCertificate>>,
}

/// `ProtectedPart ::= SEQUENCE { header PKIHeader, body PKIBody }` (RFC 9810 §5.1.3): what
/// protection covers, built here only for messages we create (received ones are protected over
/// their original bytes).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ProtectedPart {
    /// `header`.
    pub header: PkiHeader,
    /// `body`.
    pub body: PkiBody,
}

/// `PKIHeader` (RFC 9810 §5.1.1).
///
/// ```text
/// PKIHeader ::= SEQUENCE {
///     pvno                INTEGER     { cmp1999(1), cmp2000(2), cmp2021(3) },
///     sender              GeneralName,
///     recipient           GeneralName,
///     messageTime     [0] GeneralizedTime         OPTIONAL,
///     protectionAlg   [1] AlgorithmIdentifier     OPTIONAL,
///     senderKID       [2] KeyIdentifier           OPTIONAL,
///     recipKID        [3] KeyIdentifier           OPTIONAL,
///     transactionID   [4] OCTET STRING            OPTIONAL,
///     senderNonce     [5] OCTET STRING            OPTIONAL,
///     recipNonce      [6] OCTET STRING            OPTIONAL,
///     freeText        [7] PKIFreeText             OPTIONAL,
///     generalInfo     [8] SEQUENCE SIZE (1..MAX) OF InfoTypeAndValue OPTIONAL }
/// ```
/// `messageTime` accepts fractional seconds (valid DER; Bouncy Castle sends them).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiHeader {
    /// `pvno`.
    pub pvno: u8,
    /// `sender`.
    pub sender: GeneralName,
    /// `recipient`.
    pub recipient: GeneralName,
    /// `messageTime`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub message_time: Option<GeneralizedTimeFrac>,
    /// `protectionAlg`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub protection_alg: Option<AlgorithmIdentifierOwned>,
    /// `senderKID`.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub sender_kid: Option<OctetString>,
    /// `recipKID`.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub recip_kid: Option<OctetString>,
    /// `transactionID`.
    #[asn1(context_specific = "4", tag_mode = "EXPLICIT", optional = "true")]
    pub transaction_id: Option<OctetString>,
    /// `senderNonce`.
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub sender_nonce: Option<OctetString>,
    /// `recipNonce`.
    #[asn1(context_specific = "6", tag_mode = "EXPLICIT", optional = "true")]
    pub recip_nonce: Option<OctetString>,
    /// `freeText`.
    #[asn1(context_specific = "7", tag_mode = "EXPLICIT", optional = "true")]
    pub free_text: Option<PkiFreeText>,
    /// `generalInfo`.
    #[asn1(context_specific = "8", tag_mode = "EXPLICIT", optional = "true")]
    pub general_info: Option<NonEmpty<InfoTypeAndValue>>,
}

/// `PKIBody` (RFC 9810 §5.1.2), every alternative 0–26 in tag order.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
#[allow(
    clippy::large_enum_variant,
    reason = "mirrors the ASN.1 CHOICE; one body per message"
)]
pub enum PkiBody {
    /// `ir [0]` Initialization Request.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Ir(CertReqMessages),
    /// `ip [1]` Initialization Response.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    Ip(CertRepMessage),
    /// `cr [2]` Certification Request.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    Cr(CertReqMessages),
    /// `cp [3]` Certification Response.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", constructed = "true")]
    Cp(CertRepMessage),
    /// `p10cr [4]` PKCS#10 request (RFC 2986).
    #[asn1(context_specific = "4", tag_mode = "EXPLICIT", constructed = "true")]
    P10cr(CertReq),
    /// `popdecc [5]` POP challenge.
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", constructed = "true")]
    Popdecc(Vec<Challenge>),
    /// `popdecr [6]` POP response.
    #[asn1(context_specific = "6", tag_mode = "EXPLICIT", constructed = "true")]
    Popdecr(Vec<der::asn1::Int>),
    /// `kur [7]` Key Update Request.
    #[asn1(context_specific = "7", tag_mode = "EXPLICIT", constructed = "true")]
    Kur(CertReqMessages),
    /// `kup [8]` Key Update Response.
    #[asn1(context_specific = "8", tag_mode = "EXPLICIT", constructed = "true")]
    Kup(CertRepMessage),
    /// `krr [9]` Key Recovery Request.
    #[asn1(context_specific = "9", tag_mode = "EXPLICIT", constructed = "true")]
    Krr(CertReqMessages),
    /// `krp [10]` Key Recovery Response.
    #[asn1(context_specific = "10", tag_mode = "EXPLICIT", constructed = "true")]
    Krp(KeyRecRepContent),
    /// `rr [11]` Revocation Request.
    #[asn1(context_specific = "11", tag_mode = "EXPLICIT", constructed = "true")]
    Rr(RevReqContent),
    /// `rp [12]` Revocation Response.
    #[asn1(context_specific = "12", tag_mode = "EXPLICIT", constructed = "true")]
    Rp(RevRepContent),
    /// `ccr [13]` Cross-Certification Request.
    #[asn1(context_specific = "13", tag_mode = "EXPLICIT", constructed = "true")]
    Ccr(CertReqMessages),
    /// `ccp [14]` Cross-Certification Response.
    #[asn1(context_specific = "14", tag_mode = "EXPLICIT", constructed = "true")]
    Ccp(CertRepMessage),
    /// `ckuann [15]` CA Key Update Announcement.
    #[asn1(context_specific = "15", tag_mode = "EXPLICIT", constructed = "true")]
    Ckuann(CaKeyUpdContent),
    /// `cann [16]` Certificate Announcement.
    #[asn1(context_specific = "16", tag_mode = "EXPLICIT", constructed = "true")]
    Cann(CmpCertificate),
    /// `rann [17]` Revocation Announcement.
    #[asn1(context_specific = "17", tag_mode = "EXPLICIT", constructed = "true")]
    Rann(RevAnnContent),
    /// `crlann [18]` CRL Announcement.
    #[asn1(context_specific = "18", tag_mode = "EXPLICIT", constructed = "true")]
    Crlann(Vec<CertificateList>),
    /// `pkiconf [19]` Confirmation.
    #[asn1(context_specific = "19", tag_mode = "EXPLICIT", constructed = "true")]
    Pkiconf(Null),
    /// `nested [20]` Nested Message.
    #[asn1(context_specific = "20", tag_mode = "EXPLICIT", constructed = "true")]
    Nested(NonEmpty<PkiMessage>),
    /// `genm [21]` General Message.
    #[asn1(context_specific = "21", tag_mode = "EXPLICIT", constructed = "true")]
    Genm(Vec<InfoTypeAndValue>),
    /// `genp [22]` General Response.
    #[asn1(context_specific = "22", tag_mode = "EXPLICIT", constructed = "true")]
    Genp(Vec<InfoTypeAndValue>),
    /// `error [23]` Error Message.
    #[asn1(context_specific = "23", tag_mode = "EXPLICIT", constructed = "true")]
    Error(ErrorMsgContent),
    /// `certConf [24]` Certificate Confirm.
    #[asn1(context_specific = "24", tag_mode = "EXPLICIT", constructed = "true")]
    CertConf(CertConfirmContent),
    /// `pollReq [25]` Polling Request.
    #[asn1(context_specific = "25", tag_mode = "EXPLICIT", constructed = "true")]
    PollReq(Vec<PollReqEntry>),
    /// `pollRep [26]` Polling Response.
    #[asn1(context_specific = "26", tag_mode = "EXPLICIT", constructed = "true")]
    PollRep(Vec<PollRepEntry>),
}

impl PkiBody {
    /// The body's name as RFC 9810 spells it (`ir`, `certConf`, ...), for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ir(_) => "ir",
            Self::Ip(_) => "ip",
            Self::Cr(_) => "cr",
            Self::Cp(_) => "cp",
            Self::P10cr(_) => "p10cr",
            Self::Popdecc(_) => "popdecc",
            Self::Popdecr(_) => "popdecr",
            Self::Kur(_) => "kur",
            Self::Kup(_) => "kup",
            Self::Krr(_) => "krr",
            Self::Krp(_) => "krp",
            Self::Rr(_) => "rr",
            Self::Rp(_) => "rp",
            Self::Ccr(_) => "ccr",
            Self::Ccp(_) => "ccp",
            Self::Ckuann(_) => "ckuann",
            Self::Cann(_) => "cann",
            Self::Rann(_) => "rann",
            Self::Crlann(_) => "crlann",
            Self::Pkiconf(_) => "pkiconf",
            Self::Nested(_) => "nested",
            Self::Genm(_) => "genm",
            Self::Genp(_) => "genp",
            Self::Error(_) => "error",
            Self::CertConf(_) => "certConf",
            Self::PollReq(_) => "pollReq",
            Self::PollRep(_) => "pollRep",
        }
    }
}

/// `PKIStatus` (RFC 9810 §5.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[asn1(type = "INTEGER")]
#[repr(u8)]
pub enum PkiStatus {
    /// `accepted`.
    Accepted = 0,
    /// `grantedWithMods`.
    GrantedWithMods = 1,
    /// `rejection`.
    Rejection = 2,
    /// `waiting`.
    Waiting = 3,
    /// `revocationWarning`.
    RevocationWarning = 4,
    /// `revocationNotification`.
    RevocationNotification = 5,
    /// `keyUpdateWarning`.
    KeyUpdateWarning = 6,
}

/// The named bits of `PKIFailureInfo` (RFC 9810 §5.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(missing_docs, reason = "the names are RFC 9810's own")]
pub enum PkiFailureBit {
    BadAlg = 0,
    BadMessageCheck = 1,
    BadRequest = 2,
    BadTime = 3,
    BadCertId = 4,
    BadDataFormat = 5,
    WrongAuthority = 6,
    IncorrectData = 7,
    MissingTimeStamp = 8,
    BadPop = 9,
    CertRevoked = 10,
    CertConfirmed = 11,
    WrongIntegrity = 12,
    BadRecipientNonce = 13,
    TimeNotAvailable = 14,
    UnacceptedPolicy = 15,
    UnacceptedExtension = 16,
    AddInfoNotAvailable = 17,
    BadSenderNonce = 18,
    BadCertTemplate = 19,
    SignerNotTrusted = 20,
    TransactionIdInUse = 21,
    UnsupportedVersion = 22,
    NotAuthorized = 23,
    SystemUnavail = 24,
    SystemFailure = 25,
    DuplicateCertReq = 26,
}

impl PkiFailureBit {
    /// All bits in order.
    pub const ALL: [Self; 27] = [
        Self::BadAlg,
        Self::BadMessageCheck,
        Self::BadRequest,
        Self::BadTime,
        Self::BadCertId,
        Self::BadDataFormat,
        Self::WrongAuthority,
        Self::IncorrectData,
        Self::MissingTimeStamp,
        Self::BadPop,
        Self::CertRevoked,
        Self::CertConfirmed,
        Self::WrongIntegrity,
        Self::BadRecipientNonce,
        Self::TimeNotAvailable,
        Self::UnacceptedPolicy,
        Self::UnacceptedExtension,
        Self::AddInfoNotAvailable,
        Self::BadSenderNonce,
        Self::BadCertTemplate,
        Self::SignerNotTrusted,
        Self::TransactionIdInUse,
        Self::UnsupportedVersion,
        Self::NotAuthorized,
        Self::SystemUnavail,
        Self::SystemFailure,
        Self::DuplicateCertReq,
    ];

    /// The bit position.
    pub fn position(self) -> usize {
        Self::ALL.iter().position(|b| *b == self).unwrap_or(0)
    }
}

/// `PKIFailureInfo ::= BIT STRING { badAlg (0), ... duplicateCertReq (26) }` as a set of bits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PkiFailureInfo {
    bits: u32,
}

impl PkiFailureInfo {
    /// The set with one bit.
    pub fn from_bit(bit: PkiFailureBit) -> Self {
        Self {
            bits: 1u32 << bit.position(),
        }
    }

    /// Whether `bit` is set.
    pub fn contains(&self, bit: PkiFailureBit) -> bool {
        self.bits & (1u32 << bit.position()) != 0
    }

    /// The bits set, in order.
    pub fn bits(&self) -> Vec<PkiFailureBit> {
        PkiFailureBit::ALL
            .into_iter()
            .filter(|b| self.contains(*b))
            .collect()
    }

    /// Encodes as a DER named-bit BIT STRING (trailing zero bits removed, X.690 §11.2.2).
    pub fn to_bit_string(&self) -> der::Result<BitString> {
        let highest = (0..27usize).rev().find(|i| self.bits & (1u32 << i) != 0);
        let Some(highest) = highest else {
            return BitString::new(0, Vec::new());
        };
        let nbits = highest + 1;
        let nbytes = nbits.div_ceil(8);
        let mut bytes = vec![0u8; nbytes];
        for i in 0..nbits {
            if self.bits & (1u32 << i) != 0
                && let Some(b) = bytes.get_mut(i / 8)
            {
                *b |= 0x80 >> (i % 8);
            }
        }
        let unused = u8::try_from(nbytes * 8 - nbits)
            .map_err(|_| der::Error::from(der::ErrorKind::Overflow))?;
        BitString::new(unused, bytes)
    }

    /// Reads a BIT STRING; bits beyond 26 are ignored (future bits).
    pub fn from_bit_string(bs: &BitString) -> Self {
        let mut bits = 0u32;
        for (i, set) in bs.bits().enumerate().take(27) {
            if set {
                bits |= 1u32 << i;
            }
        }
        Self { bits }
    }
}

/// `PKIStatusInfo` (RFC 9810 §5.2.3).
///
/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiStatusInfo {
    /// `status`.
    pub status: PkiStatus,
    /// `statusString`.
    pub status_string: Option<PkiFreeText>,
    /// `failInfo` as received (see [`PkiFailureInfo::from_bit_string`]).
    pub fail_info: Option<BitString>,
}

impl PkiStatusInfo {
    /// The failure bits, if any.
    pub fn failure_info(&self) -> Option<PkiFailureInfo> {
        self.fail_info.as_ref().map(PkiFailureInfo::from_bit_string)
    }
}

/// `Challenge` (RFC 9810 §5.2.8.3.3).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Challenge {
    /// `owf`.
    pub owf: Option<AlgorithmIdentifierOwned>,
    /// `witness`.
    pub witness: OctetString,
    /// `challenge`.
    pub challenge: OctetString,
    /// `encryptedRand` (pvno 3).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub encrypted_rand: Option<cms::enveloped_data::EnvelopedData>,
}

/// `Rand ::= SEQUENCE { int INTEGER, sender GeneralName }` (RFC 9810 §5.2.8.3.3): what a
/// `Challenge` encrypts; the requester proves possession by returning `int` in popdecr.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Rand {
    /// `int`: the random integer.
    pub int: der::asn1::Int,
    /// `sender`: the challenger's name, as in its PKIHeader.
    pub sender: GeneralName,
}

/// `CertRepMessage` (RFC 9810 §5.3.4).
///
/// ```text
/// CertRepMessage ::= SEQUENCE {
///     caPubs   [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate OPTIONAL,
///     response     SEQUENCE OF CertResponse }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertRepMessage {
    /// `caPubs`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ca_pubs: Option<NonEmpty<CmpCertificate>>,
    /// `response`.
    pub response: Vec<CertResponse>,
}

/// `CertResponse` (RFC 9810 §5.3.4).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertResponse {
    /// `certReqId`.
    pub cert_req_id: i64,
    /// `status`.
    pub status: PkiStatusInfo,
    /// `certifiedKeyPair`.
    pub certified_key_pair: Option<CertifiedKeyPair>,
    /// `rspInfo`.
    pub rsp_info: Option<OctetString>,
}

/// `CertifiedKeyPair` (RFC 9810 §5.3.4).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertifiedKeyPair {
    /// `certOrEncCert`.
    pub cert_or_enc_cert: CertOrEncCert,
    /// `privateKey`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub private_key: Option<EncryptedKey>,
    /// `publicationInfo`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub publication_info: Option<PkiPublicationInfo>,
}

/// `CertOrEncCert ::= CHOICE { certificate [0] CMPCertificate, encryptedCert [1] EncryptedKey }`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
#[allow(clippy::large_enum_variant, reason = "mirrors the ASN.1 CHOICE")]
pub enum CertOrEncCert {
    /// `certificate`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Certificate(CmpCertificate),
    /// `encryptedCert` (indirect POP, RFC 9810 §5.2.8.3.2).
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    EncryptedCert(EncryptedKey),
}

/// `KeyRecRepContent` (RFC 9810 §5.3.8).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct KeyRecRepContent {
    /// `status`.
    pub status: PkiStatusInfo,
    /// `newSigCert`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub new_sig_cert: Option<CmpCertificate>,
    /// `caCerts`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ca_certs: Option<NonEmpty<CmpCertificate>>,
    /// `keyPairHist`.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub key_pair_hist: Option<NonEmpty<CertifiedKeyPair>>,
}

/// `RevReqContent ::= SEQUENCE OF RevDetails` (RFC 9810 §5.3.9).
pub type RevReqContent = Vec<RevDetails>;

/// `RevDetails ::= SEQUENCE { certDetails CertTemplate, crlEntryDetails Extensions OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevDetails {
    /// `certDetails`.
    pub cert_details: CertTemplate,
    /// `crlEntryDetails` (e.g. the reasonCode).
    pub crl_entry_details: Option<Extensions>,
}

/// `RevRepContent` (RFC 9810 §5.3.10).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevRepContent {
    /// `status`, one per RevDetails.
    pub status: NonEmpty<PkiStatusInfo>,
    /// `revCerts`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub rev_certs: Option<NonEmpty<CertId>>,
    /// `crls`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub crls: Option<NonEmpty<CertificateList>>,
}

/// `CAKeyUpdAnnContent` (RFC 9810 §5.3.13, deprecated form).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CaKeyUpdAnnContent {
    /// `oldWithNew`.
    pub old_with_new: CmpCertificate,
    /// `newWithOld`.
    pub new_with_old: CmpCertificate,
    /// `newWithNew`.
    pub new_with_new: CmpCertificate,
}

/// `CAKeyUpdContent ::= CHOICE { cAKeyUpdAnnV2 CAKeyUpdAnnContent, cAKeyUpdAnnV3 [0] RootCaKeyUpdateContent }`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
#[allow(clippy::large_enum_variant, reason = "mirrors the ASN.1 CHOICE")]
pub enum CaKeyUpdContent {
    /// `cAKeyUpdAnnV2` (deprecated).
    V2(CaKeyUpdAnnContent),
    /// `cAKeyUpdAnnV3`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    V3(RootCaKeyUpdateContent),
}

/// `RootCaKeyUpdateContent` (RFC 9810 §5.3.19.16).
///
/// ```text
/// RootCaKeyUpdateContent ::= SEQUENCE {
///     newWithNew       CMPCertificate,
///     newWithOld   [0] CMPCertificate OPTIONAL,
///     oldWithNew   [1] CMPCertificate OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RootCaKeyUpdateContent {
    /// `newWithNew`.
    pub new_with_new: CmpCertificate,
    /// `newWithOld`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub new_with_old: Option<CmpCertificate>,
    /// `oldWithNew`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub old_with_new: Option<CmpCertificate>,
}

/// `RevAnnContent` (RFC 9810 §5.3.15).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevAnnContent {
    /// `status`.
    pub status: PkiStatus,
    /// `certId`.
    pub cert_id: CertId,
    /// `willBeRevokedAt`.
    pub will_be_revoked_at: GeneralizedTime,
    /// `badSinceDate`.
    pub bad_since_date: GeneralizedTime,
    /// `crlDetails`.
    pub crl_details: Option<Extensions>,
}

/// `CertReqTemplateContent ::= SEQUENCE { certTemplate CertTemplate, keySpec Controls OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertReqTemplateContent {
    /// `certTemplate`.
    pub cert_template: CertTemplate,
    /// `keySpec`.
    pub key_spec: Option<Controls>,
}

/// `CRLSource ::= CHOICE { dpn [0] DistributionPointName, issuer [1] GeneralNames }`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum CrlSource {
    /// `dpn`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Dpn(DistributionPointName),
    /// `issuer`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    Issuer(Vec<GeneralName>),
}

/// `CRLStatus ::= SEQUENCE { source CRLSource, thisUpdate Time OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CrlStatus {
    /// `source`.
    pub source: CrlSource,
    /// `thisUpdate`.
    pub this_update: Option<Time>,
}

/// `ErrorMsgContent` (RFC 9810 §5.3.21).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ErrorMsgContent {
    /// `pKIStatusInfo`.
    pub pki_status_info: PkiStatusInfo,
    /// `errorCode`.
    pub error_code: Option<i64>,
    /// `errorDetails`.
    pub error_details: Option<PkiFreeText>,
}

/// `CertConfirmContent ::= SEQUENCE OF CertStatus` (RFC 9810 §5.3.18).
pub type CertConfirmContent = Vec<CertStatus>;

/// `CertStatus` (RFC 9810 §5.3.18; `hashAlg` is pvno 3).
///
/// ```text
/// CertStatus ::= SEQUENCE {
///     certHash    OCTET STRING,
///     certReqId   INTEGER,
///     statusInfo  PKIStatusInfo OPTIONAL,
///     hashAlg [0] AlgorithmIdentifier OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertStatus {
    /// `certHash`.
    pub cert_hash: OctetString,
    /// `certReqId`.
    pub cert_req_id: i64,
    /// `statusInfo`.
    pub status_info: Option<PkiStatusInfo>,
    /// `hashAlg`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_alg: Option<AlgorithmIdentifierOwned>,
}

/// One entry of `PollReqContent ::= SEQUENCE OF SEQUENCE { certReqId INTEGER }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PollReqEntry {
    /// `certReqId`.
    pub cert_req_id: i64,
}

/// One entry of `PollRepContent` (RFC 9810 §5.3.22).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PollRepEntry {
    /// `certReqId`.
    pub cert_req_id: i64,
    /// `checkAfter`, seconds.
    pub check_after: i64,
    /// `reason`.
    pub reason: Option<PkiFreeText>,
}

/// `PBMParameter` (RFC 9810 §5.1.3.1).
///
/// ```text
/// PBMParameter ::= SEQUENCE {
///     salt                OCTET STRING,
///     owf                 AlgorithmIdentifier,
///     iterationCount      INTEGER,
///     mac                 AlgorithmIdentifier }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PbmParameter {
    /// `salt`.
    pub salt: OctetString,
    /// `owf`.
    pub owf: AlgorithmIdentifierOwned,
    /// `iterationCount` (bounded by the caller before any work is done).
    pub iteration_count: der::asn1::Int,
    /// `mac`.
    pub mac: AlgorithmIdentifierOwned,
}

/// `PBMAC1-params` (RFC 8018 §A.5, used by CMP per RFC 9481 §6.1.1).
///
/// ```text
/// PBMAC1-params ::= SEQUENCE {
///     keyDerivationFunc AlgorithmIdentifier {{PBMAC1-KDFs}},
///     messageAuthScheme AlgorithmIdentifier {{PBMAC1-MACs}} }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Pbmac1Params {
    /// `keyDerivationFunc` (PBKDF2 with [`Pbkdf2Params`]).
    pub key_derivation_func: AlgorithmIdentifierOwned,
    /// `messageAuthScheme` (HMAC-SHA2).
    pub message_auth_scheme: AlgorithmIdentifierOwned,
}

/// `PBKDF2-params` (RFC 8018 §A.2), with the `specified` salt choice only (RFC 9481 §6.1.1).
///
/// ```text
/// PBKDF2-params ::= SEQUENCE {
///     salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
///     iterationCount INTEGER (1..MAX),
///     keyLength INTEGER (1..MAX) OPTIONAL,
///     prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
/// ```
/// `prf` absent means HMAC-SHA1; an explicitly encoded default is rejected by strict decoding.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Pbkdf2Params {
    /// `salt` (`specified`).
    pub salt: OctetString,
    /// `iterationCount`.
    pub iteration_count: der::asn1::Int,
    /// `keyLength`.
    pub key_length: Option<der::asn1::Int>,
    /// `prf`.
    pub prf: Option<AlgorithmIdentifierOwned>,
}

/// `InfoTypeAndValue` (RFC 9810 §5.3.19): kept as received; [`InfoTypeAndValue::typed`]
/// decodes the value by type, so an unknown or malformed value never rejects a whole message.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct InfoTypeAndValue {
    /// `infoType`.
    pub info_type: ObjectIdentifier,
    /// `infoValue`.
    pub info_value: Option<Any>,
}

pub mod stored;

/// Object identifiers of RFC 9810 (`id-it`, `id-PasswordBasedMac`, ...).
pub mod oid {
    use der::asn1::ObjectIdentifier;

    /// `id-PasswordBasedMac` (RFC 9810 §5.1.3.1).
    pub const PASSWORD_BASED_MAC: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113533.7.66.13");
    /// `id-PBMAC1` (RFC 8018; RFC 9481 §6.1.1).
    pub const PBMAC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14");
    /// `id-PBKDF2` (RFC 8018).
    pub const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
    /// `id-it-caProtEncCert`.
    pub const IT_CA_PROT_ENC_CERT: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.1");
    /// `id-it-signKeyPairTypes`.
    pub const IT_SIGN_KEY_PAIR_TYPES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.2");
    /// `id-it-unsupportedOIDs` (RFC 9810 §5.3.19.7): the types a server does not support.
    pub const IT_UNSUPPORTED_OIDS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.7");
    /// `id-it-implicitConfirm`.
    pub const IT_IMPLICIT_CONFIRM: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.13");
    /// `id-it-confirmWaitTime`.
    pub const IT_CONFIRM_WAIT_TIME: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.14");
    /// `id-it-origPKIMessage`.
    pub const IT_ORIG_PKI_MESSAGE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.15");
    /// `id-it-caCerts`.
    pub const IT_CA_CERTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.17");
    /// `id-it-rootCaKeyUpdate`.
    pub const IT_ROOT_CA_KEY_UPDATE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.18");
    /// `id-it-certReqTemplate`.
    pub const IT_CERT_REQ_TEMPLATE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.19");
    /// `id-it-rootCaCert`.
    pub const IT_ROOT_CA_CERT: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.20");
    /// `id-it-certProfile`.
    pub const IT_CERT_PROFILE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.21");
    /// `id-it-crlStatusList`.
    pub const IT_CRL_STATUS_LIST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.22");
    /// `id-it-crls`.
    pub const IT_CRLS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.23");
}

/// A typed `InfoTypeAndValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant, reason = "one per ITAV")]
pub enum InfoValue {
    /// `implicitConfirm` (value NULL).
    ImplicitConfirm,
    /// `confirmWaitTime` (GeneralizedTime).
    ConfirmWaitTime(GeneralizedTime),
    /// `caCerts` (absent in a request).
    CaCerts(Option<NonEmpty<CmpCertificate>>),
    /// `rootCaKeyUpdate` (the request carries the old root certificate as `rootCaCert`).
    RootCaKeyUpdate(Option<RootCaKeyUpdateContent>),
    /// `rootCaCert`.
    RootCaCert(CmpCertificate),
    /// `certReqTemplate` (absent in a request).
    CertReqTemplate(Option<CertReqTemplateContent>),
    /// `crlStatusList`.
    CrlStatusList(NonEmpty<CrlStatus>),
    /// `crls` (absent in a request).
    Crls(Option<NonEmpty<CertificateList>>),
    /// `certProfile`.
    CertProfile(NonEmpty<String>),
    /// `origPKIMessage` (`PKIMessages`).
    OrigPkiMessage(NonEmpty<PkiMessage>),
    /// `signKeyPairTypes` (SEQUENCE OF AlgorithmIdentifier; absent in a request).
    SignKeyPairTypes(Option<Vec<AlgorithmIdentifierOwned>>),
    /// `unsupportedOIDs` (genp only): the requested types the server does not support.
    UnsupportedOids(NonEmpty<ObjectIdentifier>),
    /// Any other type, as received.
    Other(InfoTypeAndValue),
}

impl InfoTypeAndValue {
    /// Decodes the value by `infoType`.
    ///
    /// # Errors
    /// A `der` error when a known type's value is malformed.
    pub fn typed(&self) -> der::Result<InfoValue> {
        fn opt<T: for<'a> Decode<'a, Error = der::Error>>(
            v: &Option<Any>,
        ) -> der::Result<Option<T>> {
            v.as_ref().map(|a| T::from_der(&a.to_der()?)).transpose()
        }
        fn req<T: for<'a> Decode<'a, Error = der::Error>>(v: &Option<Any>) -> der::Result<T> {
            let a = v.as_ref().ok_or_else(|| {
                der::Error::from(der::ErrorKind::Length {
                    tag: der::Tag::Sequence,
                })
            })?;
            T::from_der(&a.to_der()?)
        }
        let v = &self.info_value;
        Ok(match self.info_type {
            oid::IT_IMPLICIT_CONFIRM => {
                let _: Option<Null> = opt(v)?;
                InfoValue::ImplicitConfirm
            }
            oid::IT_CONFIRM_WAIT_TIME => InfoValue::ConfirmWaitTime(req(v)?),
            oid::IT_CA_CERTS => InfoValue::CaCerts(opt(v)?),
            oid::IT_ROOT_CA_KEY_UPDATE => InfoValue::RootCaKeyUpdate(opt(v)?),
            oid::IT_ROOT_CA_CERT => InfoValue::RootCaCert(req(v)?),
            oid::IT_CERT_REQ_TEMPLATE => InfoValue::CertReqTemplate(opt(v)?),
            oid::IT_CRL_STATUS_LIST => InfoValue::CrlStatusList(req(v)?),
            oid::IT_CRLS => InfoValue::Crls(opt(v)?),
            oid::IT_CERT_PROFILE => InfoValue::CertProfile(req(v)?),
            oid::IT_ORIG_PKI_MESSAGE => InfoValue::OrigPkiMessage(req(v)?),
            oid::IT_SIGN_KEY_PAIR_TYPES => InfoValue::SignKeyPairTypes(opt(v)?),
            oid::IT_UNSUPPORTED_OIDS => InfoValue::UnsupportedOids(req(v)?),
            _ => InfoValue::Other(self.clone()),
        })
    }

    /// Builds an ITAV from a typed value.
    ///
    /// # Errors
    /// A `der` error if the value cannot be encoded.
    pub fn from_typed(value: &InfoValue) -> der::Result<Self> {
        fn any<T: Encode>(t: &T) -> der::Result<Option<Any>> {
            Ok(Some(Any::from_der(&t.to_der()?)?))
        }
        fn opt_any<T: Encode>(t: &Option<T>) -> der::Result<Option<Any>> {
            t.as_ref().map(|x| Any::from_der(&x.to_der()?)).transpose()
        }
        Ok(match value {
            InfoValue::ImplicitConfirm => Self {
                info_type: oid::IT_IMPLICIT_CONFIRM,
                info_value: any(&Null)?,
            },
            InfoValue::ConfirmWaitTime(t) => Self {
                info_type: oid::IT_CONFIRM_WAIT_TIME,
                info_value: any(t)?,
            },
            InfoValue::CaCerts(c) => Self {
                info_type: oid::IT_CA_CERTS,
                info_value: opt_any(c)?,
            },
            InfoValue::RootCaKeyUpdate(c) => Self {
                info_type: oid::IT_ROOT_CA_KEY_UPDATE,
                info_value: opt_any(c)?,
            },
            InfoValue::RootCaCert(c) => Self {
                info_type: oid::IT_ROOT_CA_CERT,
                info_value: any(c)?,
            },
            InfoValue::CertReqTemplate(c) => Self {
                info_type: oid::IT_CERT_REQ_TEMPLATE,
                info_value: opt_any(c)?,
            },
            InfoValue::CrlStatusList(c) => Self {
                info_type: oid::IT_CRL_STATUS_LIST,
                info_value: any(c)?,
            },
            InfoValue::Crls(c) => Self {
                info_type: oid::IT_CRLS,
                info_value: opt_any(c)?,
            },
            InfoValue::CertProfile(c) => Self {
                info_type: oid::IT_CERT_PROFILE,
                info_value: any(c)?,
            },
            InfoValue::OrigPkiMessage(c) => Self {
                info_type: oid::IT_ORIG_PKI_MESSAGE,
                info_value: any(c)?,
            },
            InfoValue::SignKeyPairTypes(c) => Self {
                info_type: oid::IT_SIGN_KEY_PAIR_TYPES,
                info_value: opt_any(c)?,
            },
            InfoValue::UnsupportedOids(c) => Self {
                info_type: oid::IT_UNSUPPORTED_OIDS,
                info_value: any(c)?,
            },
            InfoValue::Other(itav) => itav.clone(),
        })
    }
}

#[cfg(test)]
mod tests;
