//! Object identifiers the profiles and lints use, each with its source.
//!
//! ```text
//! c2pa OBJECT IDENTIFIER ::= { enterprises 62558 }           -- C2PA-MIB (oid.txt)
//! c2pa-certificate-policy OBJECT IDENTIFIER ::= { c2pa 1 1 }
//! c2pa-kp-claimSigning OBJECT IDENTIFIER ::= { c2pa 2 1 }
//! c2pa-al OBJECT IDENTIFIER ::= { c2pa 3 }
//! c2pa-assuranceLevel-1 OBJECT IDENTIFIER ::= { c2pa-al 10 }
//! c2pa-assuranceLevel-2 OBJECT IDENTIFIER ::= { c2pa-al 20 }
//! c2pa-cpl-record OBJECT IDENTIFIER ::= { c2pa 4 }  -- UTF8String (SIZE(36)), a UUID
//! ```

use signet_asn1_types::const_oid::ObjectIdentifier;

pub use signet_asn1_types::const_oid::db::rfc5280::{
    ANY_EXTENDED_KEY_USAGE, ID_AD_CA_ISSUERS, ID_AD_OCSP, ID_CE_AUTHORITY_KEY_IDENTIFIER,
    ID_CE_BASIC_CONSTRAINTS, ID_CE_CERTIFICATE_POLICIES, ID_CE_CRL_DISTRIBUTION_POINTS,
    ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS, ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE,
    ID_CE_SUBJECT_ALT_NAME, ID_CE_SUBJECT_KEY_IDENTIFIER, ID_KP_CLIENT_AUTH, ID_KP_CODE_SIGNING,
    ID_KP_EMAIL_PROTECTION, ID_KP_OCSP_SIGNING, ID_KP_SERVER_AUTH, ID_KP_TIME_STAMPING,
    ID_PE_AUTHORITY_INFO_ACCESS,
};
pub use signet_asn1_types::const_oid::db::rfc5912::{
    ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1, SECP_521_R_1,
};

/// `id-pkix-ocsp-nocheck` (RFC 6960 §4.2.2.2.1), value `NULL`.
pub const ID_PKIX_OCSP_NOCHECK: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// `id-Ed25519` (RFC 8410 §3).
pub const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// `id-RSASSA-PSS` (RFC 4055 §3.1) as a public-key algorithm.
pub const ID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// `id-kp-documentSigning` (RFC 9336 §3.1).
pub const ID_KP_DOCUMENT_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36");
/// `id-kp-cmcCA` (RFC 6402 §2.10): a CA that signs CMC/CMP messages (RFC 9483 §3.1).
pub const ID_KP_CMC_CA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.27");
/// `id-kp-cmcRA` (RFC 6402 §2.10): an RA that signs CMC/CMP messages (RFC 9483 §3.1).
pub const ID_KP_CMC_RA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.28");
/// C2PA `c2pa-certificate-policy` (1.3.6.1.4.1.62558.1.1).
pub const C2PA_CERTIFICATE_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.1.1");
/// C2PA `c2pa-kp-claimSigning` (1.3.6.1.4.1.62558.2.1).
pub const C2PA_KP_CLAIM_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.2.1");
/// C2PA assurance-level extension `id-c2pa-al` (1.3.6.1.4.1.62558.3); value an OBJECT IDENTIFIER.
pub const C2PA_ASSURANCE_LEVEL: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.3");
/// `c2pa-assuranceLevel-1`.
pub const C2PA_ASSURANCE_LEVEL_1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.3.10");
/// `c2pa-assuranceLevel-2`.
pub const C2PA_ASSURANCE_LEVEL_2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.3.20");
/// C2PA conforming-products-list record extension `c2pa-cpl-record` (1.3.6.1.4.1.62558.4).
pub const C2PA_CPL_RECORD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.4");
