//! Lint: the serial number is positive, at most 20 octets, and carries at least 64 bits of
//! CSPRNG output.
//!
//! RFC 5280 §4.1.2.2: "The serial number MUST be a positive integer … Conforming CAs MUST NOT
//! use serialNumber values longer than 20 octets." CA/B BR §7.1: serial numbers "greater than
//! zero (0) … containing at least 64 bits of output from a CSPRNG".
//!
//! ```text
//! CertificateSerialNumber  ::=  INTEGER
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;

use super::{CertContext, LintError};

/// Minimum CSPRNG bits (BR §7.1).
pub const MIN_RANDOM_BITS: u32 = 64;

/// The content octets of a DER INTEGER holding `magnitude` (a positive value): a leading zero
/// octet is added when the top bit is set.
pub(crate) fn der_integer_len(magnitude: &[u8]) -> usize {
    let trimmed = strip_zeros(magnitude);
    match trimmed.first() {
        None => 1,
        Some(b) if b & 0x80 != 0 => trimmed.len() + 1,
        Some(_) => trimmed.len(),
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Checks a serial number as encoded (shared with the CRL lints).
pub(crate) fn check_serial_number(serial: &SerialNumber, out: &mut Vec<LintError>) {
    // `as_bytes` is the magnitude with leading zeros stripped; negative values keep their sign
    // octet and decode with the top bit set.
    let bytes = serial.as_bytes();
    if bytes.iter().all(|b| *b == 0) || bytes.first().is_some_and(|b| b & 0x80 != 0) {
        out.push(LintError::SerialNotPositive);
        return;
    }
    let octets = der_integer_len(bytes);
    if octets > 20 {
        out.push(LintError::SerialTooLong { octets });
    }
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    check_serial_number(tbs.serial_number(), out);
    if cx.serial.random_bits() < MIN_RANDOM_BITS {
        out.push(LintError::SerialLowEntropy {
            bits: cx.serial.random_bits(),
        });
    }
    if strip_zeros(tbs.serial_number().as_bytes()) != strip_zeros(cx.serial.as_bytes()) {
        out.push(LintError::SerialMismatch);
    }
}
