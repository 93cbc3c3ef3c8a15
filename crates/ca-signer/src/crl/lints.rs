//! CRL lints, each citing its rule.
//!
//! - RFC 5280 §5.1.2.1: version v2 (extensions are present).
//! - RFC 5280 §5.1.2.2 / §4.1.2.3: `signature` is the issuer's algorithm.
//! - RFC 5280 §5.1.2.3: `issuer` is the issuing CA's subject; §4.2.1.3: the CA asserts `cRLSign`.
//! - RFC 5280 §5.1.2.4–5: times encoded as for certificates; `nextUpdate` MUST be present and
//!   later than `thisUpdate`; CA/B BR §4.9.7 bounds the interval.
//! - RFC 5280 §5.1.2.6: "When there are no revoked certificates, the revoked certificates list
//!   MUST be absent"; serial numbers as in §4.1.2.2; revocation dates not after `thisUpdate`.
//! - RFC 5280 §5.2.1: AKI MUST be present (keyIdentifier = issuer SKI), non-critical; §5.2.3:
//!   CRL number MUST be present, non-critical, "CRL issuers MUST NOT use CRLNumber values longer
//!   than 20 octets".
//! - RFC 5280 §5.3.1: reasonCode non-critical; `unspecified` SHOULD be absent (CA/B BR §7.2.2:
//!   MUST NOT); `removeFromCRL` only in delta CRLs, which Signet does not issue.

use signet_asn1_types::der::Decode;
use signet_asn1_types::x509_cert::certificate::Version;
use signet_asn1_types::x509_cert::crl::TbsCertList;
use signet_asn1_types::x509_cert::ext::pkix::KeyUsages;
use signet_asn1_types::x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason};

use super::CrlProfile;
use crate::Issuer;
use crate::issuer::CaCertificate;
use crate::limits::MAX_CRL_ENTRIES;
use crate::lint::extensions::check_duplicates;
use crate::lint::serial::check_serial_number;
use crate::lint::signature_algorithm::check_algorithm;
use crate::lint::{LintError, expect_critical};
use crate::oid;
use crate::time::{DAY, is_rfc5280_encoded, secs};

pub(crate) fn run_all(tbs: &TbsCertList, issuer: &Issuer, profile: &CrlProfile) -> Vec<LintError> {
    let mut out = Vec::new();
    let Some(ca) = issuer.ca() else {
        return vec![LintError::IssuerCertificateRequired];
    };
    if tbs.version != Version::V2 {
        out.push(LintError::CrlVersionNotV2);
    }
    check_algorithm(
        &tbs.signature,
        issuer.algorithm(),
        &ca.spki_der,
        Some(&profile.signature_algorithms),
        &mut out,
    );
    check_issuer(tbs, ca, &mut out);
    check_times(tbs, ca, profile, &mut out);
    check_entries(tbs, &mut out);
    check_extensions(tbs, ca, &mut out);
    out
}

fn check_issuer(tbs: &TbsCertList, ca: &CaCertificate, out: &mut Vec<LintError>) {
    if &tbs.issuer != ca.name() {
        out.push(LintError::IssuerNameMismatch);
    }
    if !ca
        .key_usage
        .as_ref()
        .is_some_and(|ku| ku.0.contains(KeyUsages::CRLSign))
    {
        out.push(LintError::IssuerKeyUsage { bit: "cRLSign" });
    }
}

fn check_times(
    tbs: &TbsCertList,
    ca: &CaCertificate,
    profile: &CrlProfile,
    out: &mut Vec<LintError>,
) {
    let encoded = is_rfc5280_encoded(&tbs.this_update)
        && tbs.next_update.as_ref().is_none_or(is_rfc5280_encoded)
        && tbs
            .revoked_certificates
            .iter()
            .flatten()
            .all(|r| is_rfc5280_encoded(&r.revocation_date));
    if !encoded {
        out.push(LintError::CrlTimeEncoding);
    }
    let this_update = secs(tbs.this_update.to_date_time());
    if this_update < secs(ca.not_before) || this_update > secs(ca.not_after) {
        out.push(LintError::ThisUpdateOutsideIssuer);
    }
    let Some(next_update) = tbs.next_update else {
        out.push(LintError::NextUpdateMissing);
        return;
    };
    let next_update = secs(next_update.to_date_time());
    if next_update <= this_update {
        out.push(LintError::UpdateInverted);
    } else if next_update - this_update > u64::from(profile.max_update_interval_days) * DAY {
        out.push(LintError::UpdateIntervalTooLong {
            days: (next_update - this_update).div_ceil(DAY),
            max_days: profile.max_update_interval_days,
        });
    }
}

fn check_entries(tbs: &TbsCertList, out: &mut Vec<LintError>) {
    let Some(entries) = &tbs.revoked_certificates else {
        return;
    };
    if entries.is_empty() {
        out.push(LintError::CrlEmptyRevokedList);
        return;
    }
    if entries.len() > MAX_CRL_ENTRIES {
        out.push(LintError::CrlTooManyEntries {
            count: entries.len(),
        });
        return;
    }
    let this_update = secs(tbs.this_update.to_date_time());
    let mut serials: Vec<&[u8]> = entries.iter().map(|e| e.serial_number.as_bytes()).collect();
    serials.sort_unstable();
    if serials.windows(2).any(|w| w.first() == w.get(1)) {
        out.push(LintError::CrlDuplicateSerial);
    }
    for entry in entries {
        check_serial_number(&entry.serial_number, out);
        if secs(entry.revocation_date.to_date_time()) > this_update {
            out.push(LintError::RevocationAfterThisUpdate);
        }
        let extensions = entry.crl_entry_extensions.as_deref().unwrap_or_default();
        check_duplicates(extensions, out);
        for ext in extensions {
            if ext.extn_id != oid::ID_CE_CRL_REASONS {
                out.push(LintError::UnexpectedExtension { oid: ext.extn_id });
                continue;
            }
            expect_critical(ext, false, out);
            match CrlReason::from_der(ext.extn_value.as_bytes()) {
                Ok(reason @ (CrlReason::Unspecified | CrlReason::RemoveFromCRL)) => {
                    out.push(LintError::ReasonNotAllowed { reason });
                }
                Ok(_) => {}
                Err(_) => out.push(LintError::ExtensionMalformed { oid: ext.extn_id }),
            }
        }
    }
}

fn check_extensions(tbs: &TbsCertList, ca: &CaCertificate, out: &mut Vec<LintError>) {
    let extensions = tbs.crl_extensions.as_deref().unwrap_or_default();
    check_duplicates(extensions, out);
    let mut aki_seen = false;
    let mut number_seen = false;
    for ext in extensions {
        match ext.extn_id {
            oid::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                aki_seen = true;
                expect_critical(ext, false, out);
                match AuthorityKeyIdentifier::from_der(ext.extn_value.as_bytes()) {
                    Ok(aki) => match aki.key_identifier {
                        None => out.push(LintError::AkiKeyIdentifierMissing),
                        Some(id) if id.as_bytes() != ca.key_identifier.as_slice() => {
                            out.push(LintError::AkiMismatch);
                        }
                        Some(_) => {}
                    },
                    Err(_) => out.push(LintError::ExtensionMalformed { oid: ext.extn_id }),
                }
            }
            oid::ID_CE_CRL_NUMBER => {
                number_seen = true;
                expect_critical(ext, false, out);
                match CrlNumber::from_der(ext.extn_value.as_bytes()) {
                    Ok(n) if crate::lint::serial::der_integer_len(n.0.as_bytes()) <= 20 => {}
                    Ok(_) => out.push(LintError::CrlNumberInvalid),
                    // A negative INTEGER does not decode as `Uint`.
                    Err(_) => out.push(LintError::CrlNumberInvalid),
                }
            }
            other => out.push(LintError::UnexpectedExtension { oid: other }),
        }
    }
    if !aki_seen {
        out.push(LintError::ExtensionMissing {
            oid: oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        });
    }
    if !number_seen {
        out.push(LintError::ExtensionMissing {
            oid: oid::ID_CE_CRL_NUMBER,
        });
    }
}
