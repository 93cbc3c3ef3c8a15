//! A versioned encoding of the transaction states a server keeps between messages
//! ([`Pending`], [`AwaitingConfirm`]), so a server can store the protocol value itself — in a
//! database, for another node to continue the transaction — rather than the request it came
//! from, re-decoded and rebuilt later.
//!
//! The encoding is DER (the types are `signet_asn1_types::cmp::stored`), one SEQUENCE per
//! state whose first field is its version (1 today):
//!
//! ```text
//! StoredAwaitingConfirm ::= SEQUENCE {
//!     version INTEGER (1), transactionID OCTET STRING, ourNonce OCTET STRING,
//!     certificate OCTET STRING, certReqId INTEGER, deadline INTEGER, indirectPop BOOLEAN }
//! StoredPending ::= SEQUENCE {
//!     version INTEGER (1), transactionID OCTET STRING, ourNonce OCTET STRING,
//!     reply ENUMERATED-as-INTEGER { ip(0), cp(1), kup(2) }, pvno INTEGER,
//!     implicitConfirmRequested BOOLEAN, pop INTEGER, request StoredRequest }
//! StoredRequest ::= SEQUENCE {
//!     format INTEGER { crmf(0), pkcs10(1) }, certReqId INTEGER,
//!     subject [0] EXPLICIT Name OPTIONAL, publicKey SubjectPublicKeyInfo,
//!     extensions [1] EXPLICIT Extensions OPTIONAL, notBefore [2] EXPLICIT Time OPTIONAL,
//!     notAfter [3] EXPLICIT Time OPTIONAL, issuer [4] EXPLICIT Name OPTIONAL,
//!     oldCertId [5] EXPLICIT CertId OPTIONAL }
//! ```
//!
//! A stored state is the server's own data, but it is decoded as strictly as anything else:
//! an unknown version or a malformed value is an error, never a guess.

use signet_asn1_types::cmp::stored::{StoredAwaiting, StoredPending, StoredRequest};
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::der::{self, Decode, Encode};
use signet_crmf::{Pop, Request, RequestFormat};

use super::{AwaitingConfirm, Enrollment, Pending, ReplyKind};

/// The version this code writes and reads.
pub const STORED_VERSION: u8 = 1;

/// Why a stored state could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredError {
    /// Not a well-formed encoding.
    #[error("stored transaction state is malformed: {0}")]
    Malformed(String),
    /// Written by a version this code does not read.
    #[error("stored transaction state has version {0}, this server reads {STORED_VERSION}")]
    Version(u8),
    /// A field holds a value no version defines.
    #[error("stored transaction state has an unknown {0}")]
    Unknown(&'static str),
}

fn malformed(e: der::Error) -> StoredError {
    StoredError::Malformed(e.to_string())
}

fn octets(bytes: &[u8]) -> Result<OctetString, StoredError> {
    OctetString::new(bytes).map_err(malformed)
}

fn check_version(version: u8) -> Result<(), StoredError> {
    if version == STORED_VERSION {
        Ok(())
    } else {
        Err(StoredError::Version(version))
    }
}

fn pop_code(pop: Pop) -> Result<u8, StoredError> {
    Ok(match pop {
        Pop::Signature => 0,
        Pop::RaVerified => 1,
        Pop::EncryptedCertificate => 2,
        Pop::Challenge => 3,
        Pop::ChallengeAnswered => 4,
        _ => return Err(StoredError::Unknown("proof-of-possession method")),
    })
}

fn pop_of(code: u8) -> Result<Pop, StoredError> {
    Ok(match code {
        0 => Pop::Signature,
        1 => Pop::RaVerified,
        2 => Pop::EncryptedCertificate,
        3 => Pop::Challenge,
        4 => Pop::ChallengeAnswered,
        _ => return Err(StoredError::Unknown("proof-of-possession method")),
    })
}

fn reply_code(reply: ReplyKind) -> u8 {
    match reply {
        ReplyKind::Ip => 0,
        ReplyKind::Cp => 1,
        ReplyKind::Kup => 2,
    }
}

fn reply_of(code: u8) -> Result<ReplyKind, StoredError> {
    Ok(match code {
        0 => ReplyKind::Ip,
        1 => ReplyKind::Cp,
        2 => ReplyKind::Kup,
        _ => return Err(StoredError::Unknown("response body")),
    })
}

impl AwaitingConfirm {
    /// The versioned encoding of this state (see the module [`stored`](self)).
    pub fn to_stored(&self) -> Result<Vec<u8>, StoredError> {
        StoredAwaiting {
            version: STORED_VERSION,
            transaction_id: octets(&self.transaction_id)?,
            our_nonce: octets(&self.our_nonce)?,
            certificate: octets(&self.certificate)?,
            cert_req_id: self.cert_req_id,
            deadline: self.deadline,
            indirect_pop: self.indirect_pop,
        }
        .to_der()
        .map_err(malformed)
    }

    /// Reads back [`AwaitingConfirm::to_stored`].
    pub fn from_stored(bytes: &[u8]) -> Result<Self, StoredError> {
        let s = StoredAwaiting::from_der(bytes).map_err(malformed)?;
        check_version(s.version)?;
        Ok(Self {
            transaction_id: s.transaction_id.into_bytes().into_vec(),
            our_nonce: s.our_nonce.into_bytes().into_vec(),
            certificate: s.certificate.into_bytes().into_vec(),
            cert_req_id: s.cert_req_id,
            deadline: s.deadline,
            indirect_pop: s.indirect_pop,
        })
    }
}

impl Pending {
    /// The versioned encoding of this state (see the module [`stored`](self)).
    pub fn to_stored(&self) -> Result<Vec<u8>, StoredError> {
        let e = &self.enrollment;
        let r = &e.request;
        StoredPending {
            version: STORED_VERSION,
            transaction_id: octets(&self.transaction_id)?,
            our_nonce: octets(&self.our_nonce)?,
            reply: reply_code(self.reply),
            pvno: e.pvno,
            implicit_confirm_requested: e.implicit_confirm_requested,
            pop: pop_code(e.pop)?,
            request: StoredRequest {
                format: match r.format {
                    RequestFormat::Crmf => 0,
                    RequestFormat::Pkcs10 => 1,
                },
                cert_req_id: r.cert_req_id,
                subject: r.subject.clone(),
                public_key: r.public_key.clone(),
                extensions: (!r.extensions.is_empty()).then(|| r.extensions.clone()),
                not_before: r.not_before,
                not_after: r.not_after,
                issuer: r.issuer.clone(),
                old_cert_id: r.old_cert_id.clone(),
            },
        }
        .to_der()
        .map_err(malformed)
    }

    /// Reads back [`Pending::to_stored`].
    pub fn from_stored(bytes: &[u8]) -> Result<Self, StoredError> {
        let s = StoredPending::from_der(bytes).map_err(malformed)?;
        check_version(s.version)?;
        let r = s.request;
        let reply = reply_of(s.reply)?;
        let request = Request {
            format: match r.format {
                0 => RequestFormat::Crmf,
                1 => RequestFormat::Pkcs10,
                _ => return Err(StoredError::Unknown("request format")),
            },
            cert_req_id: r.cert_req_id,
            subject: r.subject,
            public_key: r.public_key,
            extensions: r.extensions.unwrap_or_default(),
            not_before: r.not_before,
            not_after: r.not_after,
            issuer: r.issuer,
            old_cert_id: r.old_cert_id,
        };
        Ok(Self {
            transaction_id: s.transaction_id.into_bytes().into_vec(),
            our_nonce: s.our_nonce.into_bytes().into_vec(),
            enrollment: Enrollment {
                request,
                pop: pop_of(s.pop)?,
                implicit_confirm_requested: s.implicit_confirm_requested,
                reply,
                pvno: s.pvno,
            },
            reply,
        })
    }
}

#[cfg(test)]
mod tests;
