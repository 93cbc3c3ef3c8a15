//! Time-stamp token lints, each citing its rule.
//!
//! - RFC 3161 §2.3: the TSA certificate's extended key usage is `id-kp-timeStamping` only, and
//!   critical; the C2PA TSA leaf profile (`tsaLeaf.cert.schema.yaml`) and CA/B BR practice ask
//!   for digitalSignature in key usage. The certificate is valid at `genTime`.
//! - RFC 3161 §2.4.2: `messageImprint` "MUST have the same value as the similar field in
//!   TimeStampReq"; `nonce` "MUST be present if the similar field was present in TimeStampReq.
//!   In that case it MUST have the same value"; `policy` is the TSA's; `serialNumber` is a
//!   positive integer of at most 160 bits ("users MUST be ready to accommodate integers up to
//!   160 bits"), unique per token — drawn, like certificate serials, with ≥ 64 CSPRNG bits.
//! - The TSA profile's signature algorithms (C2PA: no EdDSA), and the algorithm fits the key.

use signet_asn1_types::tsp::{TimeStampReq, TstInfo};
use signet_asn1_types::x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};

use super::{TimeStamper, TsaProfile};
use crate::Serial;
use crate::lint::LintError;
use crate::lint::serial::{MIN_RANDOM_BITS, check_serial_number};
use crate::lint::signature_algorithm::check_algorithm;
use crate::oid;
use crate::time::secs;

pub(crate) fn run_all(
    tst: &TstInfo,
    request: &TimeStampReq,
    stamper: &TimeStamper,
    profile: &TsaProfile,
    serial: &Serial,
) -> Vec<LintError> {
    let mut out = Vec::new();
    check_certificate(tst, stamper, &mut out);
    match stamper.algorithm.to_algorithm_identifier() {
        Ok(field) => check_algorithm(
            &field,
            stamper.algorithm,
            &stamper.cert.spki_der,
            Some(&profile.signature_algorithms),
            &mut out,
        ),
        Err(_) => out.push(LintError::Unencodable {
            what: "signature algorithm",
        }),
    }
    check_serial_number(&tst.serial_number, &mut out);
    if serial.random_bits() < MIN_RANDOM_BITS {
        out.push(LintError::SerialLowEntropy {
            bits: serial.random_bits(),
        });
    }
    // Both sides were decoded from canonical DER, so value equality is byte equality.
    if tst.message_imprint != request.message_imprint {
        out.push(LintError::TstMismatch {
            field: "messageImprint",
        });
    }
    if tst.nonce != request.nonce {
        out.push(LintError::TstMismatch { field: "nonce" });
    }
    if tst.policy != profile.policy {
        out.push(LintError::TstMismatch { field: "policy" });
    }
    out
}

fn check_certificate(tst: &TstInfo, stamper: &TimeStamper, out: &mut Vec<LintError>) {
    let unfit = |reason| LintError::TsaCertificateUnfit { reason };
    let tbs = stamper.cert.certificate.tbs_certificate();
    match tbs.get_extension::<ExtendedKeyUsage>() {
        Ok(Some((critical, eku))) => {
            if eku.0.as_slice() != [oid::ID_KP_TIME_STAMPING] {
                out.push(unfit(
                    "extended key usage is not exactly id-kp-timeStamping",
                ));
            }
            if !critical {
                out.push(unfit("extended key usage is not critical"));
            }
        }
        Ok(None) => out.push(unfit("no extended key usage")),
        Err(_) => out.push(unfit("malformed extended key usage")),
    }
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if !ku.0.contains(KeyUsages::DigitalSignature) => {
            out.push(unfit("key usage lacks digitalSignature"));
        }
        Err(_) => out.push(unfit("malformed key usage")),
        _ => {}
    }
    let gen_time = tst.gen_time.to_unix_duration().as_secs();
    if gen_time < secs(stamper.cert.not_before) || gen_time > secs(stamper.cert.not_after) {
        out.push(LintError::TsaCertificateExpired);
    }
}
