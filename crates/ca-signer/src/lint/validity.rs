//! Lint: the validity period is ordered, encoded per RFC 5280, within the profile's maximum,
//! not backdated beyond the profile's allowance, and inside the issuer's validity.
//!
//! RFC 5280 §4.1.2.5: "The validity period for a certificate is the period of time from
//! notBefore through notAfter, inclusive"; dates through 2049 as UTCTime, from 2050 as
//! GeneralizedTime. C2PA conformance profiles: "Max 1827 days" (claim-signing issuing CA),
//! "Max 366 days" (AL1 leaf), "Max 90 days" (AL2 leaf), "Max 4110 days" (TSA leaf), "Max 5479
//! days" (TSA issuing CA). A certificate outliving its issuer cannot be validated for its whole
//! period (RFC 5280 §6.1.3 (a)(2) checks every certificate in the path).
//!
//! ```text
//! Validity ::= SEQUENCE {
//!      notBefore      Time,
//!      notAfter       Time }
//! ```

use signet_asn1_types::der::{self, Decode, Header, Reader, SliceReader};
use signet_asn1_types::x509_cert::TbsCertificate;

use super::{CertContext, LintError};
use crate::build::RawValidity;
use crate::time::{DAY, is_rfc5280_encoded, secs};

/// The validity times as encoded in `tbs_der` (the decoded `x509-cert` value re-encodes them
/// to the RFC 5280 form, hiding the defect).
fn raw_validity(tbs_der: &[u8]) -> der::Result<RawValidity> {
    let mut outer = SliceReader::new(tbs_der)?;
    let header = Header::decode(&mut outer)?;
    let mut body = SliceReader::new(outer.read_slice(header.length())?)?;
    if der::Tag::peek(&body)?.is_context_specific() {
        body.tlv_bytes()?; // [0] version
    }
    for _ in 0..3 {
        body.tlv_bytes()?; // serialNumber, signature, issuer
    }
    RawValidity::decode(&mut body)
}

/// The encoding rule of RFC 5280 §4.1.2.5, on the bytes as encoded.
pub(crate) fn check_encoding(tbs_der: &[u8], out: &mut Vec<LintError>) {
    match raw_validity(tbs_der) {
        Ok(v) if is_rfc5280_encoded(&v.not_before) && is_rfc5280_encoded(&v.not_after) => {}
        _ => out.push(LintError::ValidityTimeEncoding),
    }
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let validity = tbs.validity();
    let not_before = secs(validity.not_before.to_date_time());
    let not_after = secs(validity.not_after.to_date_time());
    let now = secs(cx.now);
    if not_before >= not_after {
        out.push(LintError::ValidityInverted);
        return;
    }
    // Inclusive of both ends: one second more than the difference.
    let period = not_after - not_before + 1;
    if let Some(max_days) = cx.profile.validity.max_days
        && period > u64::from(max_days) * DAY
    {
        out.push(LintError::ValidityTooLong {
            days: period.div_ceil(DAY),
            max_days,
        });
    }
    let max_backdate = cx.profile.validity.max_backdate_seconds;
    if not_before + u64::from(max_backdate) < now {
        out.push(LintError::NotBeforeBackdated {
            seconds: now - not_before,
            max_seconds: max_backdate,
        });
    }
    if not_after <= now {
        out.push(LintError::ValidityAlreadyExpired);
    }
    if let Some(ca) = cx.issuer.ca()
        && (not_before < secs(ca.not_before) || not_after > secs(ca.not_after))
    {
        out.push(LintError::ValidityOutsideIssuer);
    }
}
