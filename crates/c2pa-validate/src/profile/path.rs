//! The certificate-profile rules C2PA 2.2 §14.5.1.1 applies to every certificate of a signing
//! chain ("all certificates shall fulfill"), beyond what path validation checks, each with its
//! RFC 5280 source: positive serial numbers of at most 20 octets (§4.1.2.2); the authority key
//! identifier non-critical, with a key identifier, present unless self-issued, and equal to the
//! subject key identifier of a self-issued certificate (§4.2.1.1); the subject key identifier
//! non-critical and present in CA certificates (§4.2.1.2); basic constraints present and
//! critical with `cA` in CA certificates (§4.2.1.9); key usage present with `keyCertSign` in CA
//! certificates and `keyCertSign` only with `cA` (§4.2.1.3); name constraints critical, in CA
//! certificates only, not empty (§4.2.1.10); policy constraints critical (§4.2.1.11); subject
//! alternative names critical when the subject is empty and only then, DNS names in preferred
//! name syntax (§4.2.1.6); a parsable, non-critical AIA (§4.2.2.1); no unknown critical
//! extension, including in anchors (§4.2); signature algorithm and key per §14.5.1.1 (RSA
//! moduli a multiple of 8 bits); an end entity with a non-empty EKU without
//! `anyExtendedKeyUsage`; anchors within their validity.

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::Decode;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, NameConstraints, SubjectAltName,
};

use crate::cert::Cert;
use crate::trust::ANY_EXTENDED_KEY_USAGE;

/// Where a certificate sits in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The end-entity (signing) certificate.
    EndEntity,
    /// An intermediate CA.
    Intermediate,
    /// The trust anchor's certificate.
    Anchor,
}

const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const ISSUER_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.18");
const NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");
const POLICY_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.36");
const CERT_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
const POLICY_MAPPINGS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.33");
const INHIBIT_ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.54");
const AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const CRL_DP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
const AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");

/// Checks one certificate of a path; `Err` names the broken rule.
pub fn check(cert: &Cert, role: Role, at: u64) -> Result<(), String> {
    let tbs = cert.inner().tbs_certificate();
    let serial = tbs.serial_number().as_bytes();
    let anchor = role == Role::Anchor;
    // An anchor's serial number is not checked (old roots carry negative or long ones); every
    // other rule applies to it too.
    if !anchor
        && (serial.len() > 20
            || serial.iter().all(|b| *b == 0)
            || serial.first().is_some_and(|b| b & 0x80 != 0))
    {
        return Err("serial number not a positive integer of at most 20 octets".into());
    }
    let exts = tbs.extensions().map(|e| e.as_slice()).unwrap_or_default();
    for (i, e) in exts.iter().enumerate() {
        if exts.iter().skip(i + 1).any(|o| o.extn_id == e.extn_id) {
            return Err(format!("extension {} appears twice", e.extn_id));
        }
    }
    let ext = |oid: ObjectIdentifier| exts.iter().find(|e| e.extn_id == oid);
    let bad = |what: &str| Err::<(), String>(what.to_owned());
    let is_ca = role != Role::EndEntity;
    let self_issued = cert.is_self_issued();

    // Basic constraints and key usage.
    let bc = cert.basic_constraints().map_err(|e| e.to_string())?;
    let ku = cert.key_usage().map_err(|e| e.to_string())?;
    if is_ca {
        match bc {
            Some((true, true, _)) => {}
            Some((false, _, _)) => {
                return bad("CA certificate with non-critical basic constraints");
            }
            _ => return bad("CA certificate without cA basic constraints"),
        }
        if !ku.is_some_and(|k| k.key_cert_sign()) {
            return bad("CA certificate without keyCertSign key usage");
        }
    }
    if ku.is_some_and(|k| k.key_cert_sign()) && !bc.is_some_and(|(_, ca, _)| ca) {
        return bad("keyCertSign without cA");
    }

    // Key identifiers.
    let ski = cert.subject_key_id().map_err(|e| e.to_string())?;
    if ext(SKI).is_some_and(|e| e.critical) {
        return bad("critical subject key identifier");
    }
    if is_ca && ski.is_none() {
        return bad("CA certificate without subject key identifier");
    }
    match ext(AKI) {
        None if !self_issued => return bad("authority key identifier missing"),
        None => {}
        Some(e) => {
            if e.critical {
                return bad("critical authority key identifier");
            }
            let aki = AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes())
                .map_err(|_| "malformed authority key identifier".to_owned())?;
            let Some(kid) = aki.key_identifier else {
                return bad("authority key identifier without keyIdentifier");
            };
            if aki.authority_cert_issuer.is_some() || aki.authority_cert_serial_number.is_some() {
                return bad("authority key identifier with issuer and serial");
            }
            if self_issued
                && role == Role::Anchor
                && ski.as_deref().is_some_and(|s| s != kid.as_bytes())
            {
                return bad("self-issued certificate whose AKI differs from its SKI");
            }
        }
    }

    // Name constraints, policy constraints.
    if let Some(e) = ext(NAME_CONSTRAINTS) {
        if !e.critical {
            return bad("non-critical name constraints");
        }
        if !is_ca {
            return bad("name constraints in an end-entity certificate");
        }
        let nc = NameConstraints::from_der(e.extn_value.as_bytes())
            .map_err(|_| "malformed name constraints".to_owned())?;
        let empty = |s: &Option<_>| s.as_ref().is_none_or(|v: &Vec<_>| v.is_empty());
        if empty(&nc.permitted_subtrees) && empty(&nc.excluded_subtrees) {
            return bad("name constraints with neither permitted nor excluded subtrees");
        }
        for sub in nc
            .permitted_subtrees
            .iter()
            .flatten()
            .chain(nc.excluded_subtrees.iter().flatten())
        {
            if let GeneralName::DnsName(d) = &sub.base
                && !dns_constraint_ok(d.as_str())
            {
                return bad("name constraint dNSName not in preferred name syntax");
            }
        }
    }
    if ext(POLICY_CONSTRAINTS).is_some_and(|e| !e.critical) {
        return bad("non-critical policy constraints");
    }

    // Subject alternative names.
    let subject_empty = tbs.subject().is_empty();
    if subject_empty && is_ca {
        return bad("CA certificate with an empty subject");
    }
    match ext(SUBJECT_ALT_NAME) {
        None if subject_empty => return bad("empty subject without subject alternative names"),
        None => {}
        Some(e) => {
            if subject_empty && !e.critical {
                return bad("empty subject with non-critical subject alternative names");
            }
            if !subject_empty && e.critical {
                return bad("critical subject alternative names with a non-empty subject");
            }
            let san = SubjectAltName::from_der(e.extn_value.as_bytes())
                .map_err(|_| "malformed subject alternative names".to_owned())?;
            for name in &san.0 {
                if let GeneralName::DnsName(d) = name
                    && !dns_name_ok(d.as_str())
                {
                    return bad("SAN dNSName not in preferred name syntax");
                }
            }
        }
    }

    // AIA.
    if let Some(e) = ext(AIA) {
        if e.critical {
            return bad("critical authority information access");
        }
        AuthorityInfoAccessSyntax::from_der(e.extn_value.as_bytes())
            .map_err(|_| "malformed authority information access".to_owned())?;
    }

    // Unknown critical extensions (webpki checks non-anchors; anchors are checked here).
    let known = [
        BASIC_CONSTRAINTS,
        KEY_USAGE,
        EXT_KEY_USAGE,
        SUBJECT_ALT_NAME,
        ISSUER_ALT_NAME,
        NAME_CONSTRAINTS,
        POLICY_CONSTRAINTS,
        CERT_POLICIES,
        POLICY_MAPPINGS,
        INHIBIT_ANY_POLICY,
        AKI,
        SKI,
        CRL_DP,
        AIA,
    ];
    if let Some(e) = exts
        .iter()
        .find(|e| e.critical && !known.contains(&e.extn_id))
    {
        return Err(format!("unknown critical extension {}", e.extn_id));
    }

    // Algorithms and keys (§14.5.1.1), end-entity EKU.
    super::check_signature_algorithm(cert.inner().signature_algorithm())
        .map_err(|e| e.to_string())?;
    super::check_public_key(cert).map_err(|e| e.to_string())?;
    if role == Role::EndEntity {
        let ekus = cert.ekus().map_err(|e| e.to_string())?;
        match ekus {
            None => return bad("end-entity certificate without extended key usage"),
            Some(e) if e.is_empty() => return bad("empty extended key usage"),
            Some(e) if e.contains(&ANY_EXTENDED_KEY_USAGE) => {
                return bad("anyExtendedKeyUsage in an end-entity certificate");
            }
            Some(_) => {}
        }
    }
    if role == Role::Anchor && !cert.valid_at(at) {
        return bad("trust anchor outside its validity");
    }
    Ok(())
}

/// RFC 1034 preferred name syntax (letters, digits, hyphens; labels of 1–63 octets), with a
/// leading `*.` wildcard label allowed in SANs.
fn dns_name_ok(name: &str) -> bool {
    let name = name.strip_prefix("*.").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A dNSName constraint: a host or domain in preferred name syntax (RFC 5280 §4.2.1.10); empty
/// matches everything.
fn dns_constraint_ok(name: &str) -> bool {
    name.is_empty() || dns_name_ok(name)
}
