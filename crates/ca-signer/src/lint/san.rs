//! Lint: subject alternative names as the profile allows, well formed, non-critical (the
//! subject is never empty under Signet's profiles), non-empty, bounded and without repeats.
//!
//! RFC 5280 §4.2.1.6: "If the subject field contains an empty sequence, then the issuing CA MUST
//! include a subjectAltName extension that is marked as critical." "When the
//! subjectAltName extension contains an Internet mail address, the address MUST be stored in the
//! rfc822Name … When the subjectAltName extension contains a domain name system label, the
//! domain name MUST be stored in the dNSName (an IA5String). The name MUST be in the "preferred
//! name syntax", as specified by Section 3.5 of RFC 1034 … When the subjectAltName extension
//! contains a URI, the name MUST be stored in the uniformResourceIdentifier (an IA5String). The
//! name MUST NOT be a relative URI".
//!
//! ```text
//! SubjectAltName ::= GeneralNames
//! GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::pkix::SubjectAltName;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;

use super::{CertContext, LintError, decode_ext, expect_critical, find};
use crate::limits::{MAX_DNS_NAME_LEN, MAX_IA5_NAME_LEN, MAX_SAN_ENTRIES};
use crate::oid;
use crate::profile::{GeneralNameKind, Presence};

/// RFC 1034 §3.5 preferred name syntax: LDH labels of 1..=63 octets, not starting or ending
/// with a hyphen, at least two labels.
pub(crate) fn is_dns_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= MAX_DNS_NAME_LEN
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// `local-part@domain` (RFC 5321 §4.1.2 dot-atom local part, ASCII only).
fn is_mailbox(name: &str) -> bool {
    let Some((local, domain)) = name.rsplit_once('@') else {
        return false;
    };
    name.len() <= MAX_IA5_NAME_LEN
        && !local.is_empty()
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
        })
        && is_dns_name(domain)
}

/// An absolute URI (RFC 3986 §4.3): `scheme ":" hier-part` with a non-empty remainder and no
/// spaces or control characters.
pub(crate) fn is_absolute_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    uri.len() <= MAX_IA5_NAME_LEN
        && scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && !rest.is_empty()
        && uri.bytes().all(|b| b.is_ascii_graphic())
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let rule = &cx.profile.subject_alt_name;
    let Some(ext) = find(tbs, oid::ID_CE_SUBJECT_ALT_NAME) else {
        if rule.presence == Presence::Must {
            out.push(LintError::ExtensionMissing {
                oid: oid::ID_CE_SUBJECT_ALT_NAME,
            });
        }
        return;
    };
    if rule.presence == Presence::MustNot {
        out.push(LintError::ExtensionForbidden { oid: ext.extn_id });
        return;
    }
    expect_critical(ext, tbs.subject().is_empty(), out);
    let Some(san) = decode_ext::<SubjectAltName>(ext, out) else {
        return;
    };
    let count = san.0.len();
    if count == 0 || count > MAX_SAN_ENTRIES {
        out.push(LintError::SanCount { count });
        return;
    }
    for (i, name) in san.0.iter().enumerate() {
        if san.0.get(..i).unwrap_or_default().contains(name) {
            out.push(LintError::SanRepeated);
        }
        let (kind, ok) = match name {
            GeneralName::DnsName(s) => (GeneralNameKind::DnsName, is_dns_name(s.as_str())),
            GeneralName::Rfc822Name(s) => (GeneralNameKind::Rfc822Name, is_mailbox(s.as_str())),
            GeneralName::UniformResourceIdentifier(s) => {
                (GeneralNameKind::Uri, is_absolute_uri(s.as_str()))
            }
            _ => {
                out.push(LintError::SanTypeNotAllowed);
                continue;
            }
        };
        if !rule.allowed.contains(&kind) {
            out.push(LintError::SanTypeNotAllowed);
        } else if !ok {
            out.push(LintError::SanMalformed { kind });
        }
    }
}
