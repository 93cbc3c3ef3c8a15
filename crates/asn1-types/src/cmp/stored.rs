//! The DER types of the versioned transaction states a CMP server keeps between messages
//! (`signet-cmp-protocol`'s `server::stored` converts them from and to its `Pending` and
//! `AwaitingConfirm`). Not an RFC module: Signet's own storage format, one SEQUENCE per state,
//! its first field the version.

use der::Sequence;
use der::asn1::OctetString;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::time::Time;

use crate::crmf::CertId;

/// `StoredAwaitingConfirm`: an issued certificate waiting for its certConf.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct StoredAwaiting {
    /// `version`.
    pub version: u8,
    /// `transaction_id`.
    pub transaction_id: OctetString,
    /// `our_nonce`.
    pub our_nonce: OctetString,
    /// `certificate`.
    pub certificate: OctetString,
    /// `cert_req_id`.
    pub cert_req_id: i64,
    /// `deadline`.
    pub deadline: u64,
    /// `indirect_pop`.
    pub indirect_pop: bool,
}

/// `StoredPending`: an enrollment waiting for a decision.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct StoredPending {
    /// `version`.
    pub version: u8,
    /// `transaction_id`.
    pub transaction_id: OctetString,
    /// `our_nonce`.
    pub our_nonce: OctetString,
    /// `reply`.
    pub reply: u8,
    /// `pvno`.
    pub pvno: u8,
    /// `implicit_confirm_requested`.
    pub implicit_confirm_requested: bool,
    /// `pop`.
    pub pop: u8,
    /// `request`.
    pub request: StoredRequest,
}

/// `StoredRequest`: the normalised request of a pending enrollment.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct StoredRequest {
    /// `format`.
    pub format: u8,
    /// `cert_req_id`.
    pub cert_req_id: i64,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    /// `subject`.
    pub subject: Option<Name>,
    /// `public_key`.
    pub public_key: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    /// `extensions`.
    pub extensions: Option<Vec<Extension>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    /// `not_before`.
    pub not_before: Option<Time>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    /// `not_after`.
    pub not_after: Option<Time>,
    #[asn1(context_specific = "4", tag_mode = "EXPLICIT", optional = "true")]
    /// `issuer`.
    pub issuer: Option<Name>,
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    /// `old_cert_id`.
    pub old_cert_id: Option<CertId>,
}
