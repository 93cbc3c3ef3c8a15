//! RFC 3161 time-stamps in a claim signature (C2PA 2.2 §10.3.2.5, §15.8).
//!
//! `sigTst` (v1, deprecated) holds `TimeStampResp`s over the v1 payload (the claim);
//! `sigTst2` (v2) holds `TimeStampToken`s over the v2 payload (the COSE signature field as a
//! CBOR byte string). The message imprint is the hash of the `CounterSignature`
//! `Sig_structure` built by `c2pa-model`. Validation, per §15.8.2:
//!
//! 1. exactly one token (else `timeStamp.malformed`); a v1 response with status other than
//!    granted/grantedWithMods is `timeStamp.malformed`;
//! 2. the CMS `SignedData`: one signer, allowed signature algorithm (else `timeStamp.untrusted`),
//!    signer certificate in `certificates` (else `timeStamp.untrusted`), `message-digest`
//!    attribute over the `TSTInfo` bytes and signature over the signed attributes as received
//!    (else `timeStamp.mismatch`);
//! 3. the message imprint: allowed hash (else `timeStamp.untrusted`), equal to the payload's
//!    hash (else `timeStamp.mismatch`);
//! 4. `genTime` within the TSA certificate chain's validity (else `timeStamp.outsideValidity`);
//!    then `timeStamp.validated`;
//! 5. a path from the TSA certificate (EKU `id-kp-timeStamping`) to a TSA trust anchor at
//!    `genTime`: `timeStamp.trusted`, else `timeStamp.untrusted`.
//!
//! Only a trusted and validated time-stamp supplies the time used for certificate validity.
//! `timeStamp.validated` follows Table 2's definition (well-formed, imprint matches, within the
//! TSA certificate's validity); trust is reported separately, as the reference SDK does.

use sha2::{Digest, Sha256, Sha384, Sha512};
use signet_asn1_types::algorithm::{DigestAlgorithm, ID_SHA256, ID_SHA384, ID_SHA512};
use signet_asn1_types::cms::cert::CertificateChoices;
use signet_asn1_types::cms::content_info::ContentInfo;
use signet_asn1_types::cms::signed_data::{SignedData, SignerIdentifier};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::tsp::{ID_CT_TST_INFO, ID_SIGNED_DATA, TimeStampResp, TspStatus, TstInfo};

use crate::cert::{Cert, tlv};
use crate::chain::{PathError, validate_path};
use crate::report::TimeStampInfo;
use crate::status::StatusCode;
use crate::trust::{ID_KP_TIME_STAMPING, TrustConfig};

/// `id-contentType` (RFC 5652 §11.1).
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// `id-messageDigest` (RFC 5652 §11.2).
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `rsaEncryption`, which CMS allows as a signature algorithm (RFC 3370 §3.2).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey`, which some TSAs write as the signature algorithm.
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Which time-stamp header a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TstVersion {
    /// `sigTst`: a `TimeStampResp` over the claim.
    V1,
    /// `sigTst2`: a `TimeStampToken` over the signature.
    V2,
}

/// The outcome of validating a claim signature's time-stamp.
#[derive(Debug, Clone, Default)]
pub struct TimeStampOutcome {
    /// Codes with explanations.
    pub codes: Vec<(StatusCode, String)>,
    /// `genTime` in seconds, when the time-stamp is trusted and validated.
    pub trusted_time: Option<u64>,
    /// What to show about it, when it validated.
    pub info: Option<TimeStampInfo>,
}

/// Validates the tokens of one header (`tokens` is the `tstTokens` array's `val`s).
pub fn validate(
    version: TstVersion,
    tokens: &[Vec<u8>],
    payload: &[u8],
    trust: &TrustConfig,
    max_certificates: usize,
    verifier: &dyn SignatureVerifier,
) -> TimeStampOutcome {
    let mut out = TimeStampOutcome::default();
    let [token] = tokens else {
        out.codes.push((
            StatusCode::TimeStampMalformed,
            format!("{} time-stamp tokens; exactly one is allowed", tokens.len()),
        ));
        return out;
    };
    match check_token(version, token, payload, trust, max_certificates, verifier) {
        Ok(checked) => {
            out.codes.push((
                StatusCode::TimeStampValidated,
                format!("time-stamp validated: {}", checked.tsa),
            ));
            if checked.trusted {
                out.codes.push((
                    StatusCode::TimeStampTrusted,
                    format!("time-stamp authority trusted: {}", checked.tsa),
                ));
                out.trusted_time = Some(checked.gen_time);
            } else {
                out.codes.push((
                    StatusCode::TimeStampUntrusted,
                    format!("time-stamp authority not trusted: {}", checked.tsa),
                ));
            }
            out.info = signet_asn1_types::der::DateTime::from_unix_duration(
                core::time::Duration::from_secs(checked.gen_time),
            )
            .ok()
            .map(|time| TimeStampInfo {
                time,
                tsa: checked.tsa,
                trusted: checked.trusted,
            });
        }
        Err((code, why)) => out.codes.push((code, why)),
    }
    out
}

struct Checked {
    gen_time: u64,
    tsa: String,
    trusted: bool,
}

type Fail = (StatusCode, String);

fn malformed(why: impl Into<String>) -> Fail {
    (StatusCode::TimeStampMalformed, why.into())
}

fn check_token(
    version: TstVersion,
    token: &[u8],
    payload: &[u8],
    trust: &TrustConfig,
    max_certificates: usize,
    verifier: &dyn SignatureVerifier,
) -> Result<Checked, Fail> {
    let token_der: Vec<u8> = match version {
        TstVersion::V2 => token.to_vec(),
        TstVersion::V1 => {
            let resp = TimeStampResp::from_der(token)
                .map_err(|e| malformed(format!("TimeStampResp: {e}")))?;
            let status = resp.status.status;
            if !matches!(status, TspStatus::Granted | TspStatus::GrantedWithMods) {
                return Err(malformed(format!(
                    "time-stamp response status {status:?} is not granted"
                )));
            }
            let tst = resp
                .time_stamp_token
                .ok_or_else(|| malformed("granted response without a token"))?;
            // The token inside the response, as received.
            raw_token_in_response(token).unwrap_or_else(|| tst.to_der().unwrap_or_default())
        }
    };
    let content_info =
        ContentInfo::from_der(&token_der).map_err(|e| malformed(format!("token: {e}")))?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(malformed("token is not SignedData"));
    }
    let signed_der = content_info
        .content
        .to_der()
        .map_err(|e| malformed(format!("token: {e}")))?;
    let signed =
        SignedData::from_der(&signed_der).map_err(|e| malformed(format!("SignedData: {e}")))?;
    let encap = &signed.encap_content_info;
    if encap.econtent_type != ID_CT_TST_INFO {
        return Err(malformed("token content is not TSTInfo"));
    }
    let econtent = encap
        .econtent
        .as_ref()
        .ok_or_else(|| malformed("token without eContent"))?;
    let tst_der = OctetString::from_der(&econtent.to_der().unwrap_or_default())
        .map_err(|e| malformed(format!("eContent: {e}")))?;
    let tst_der = tst_der.as_bytes();
    let tst = TstInfo::from_der(tst_der).map_err(|e| malformed(format!("TSTInfo: {e}")))?;
    let mut signers = signed.signer_infos.0.iter();
    let (Some(signer), None) = (signers.next(), signers.next()) else {
        return Err(malformed("time-stamp token must have exactly one signer"));
    };

    // The certificates the token carries.
    let certs: Vec<Cert> = signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .take(max_certificates)
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => c.to_der().ok(),
                    CertificateChoices::Other(_) => None,
                })
                .filter_map(|der| Cert::from_der(&der).ok())
                .collect()
        })
        .unwrap_or_default();
    let tsa_cert = certs.iter().find(|c| matches_sid(c, &signer.sid)).ok_or((
        StatusCode::TimeStampUntrusted,
        "the TSA certificate is not in the time-stamp token".to_owned(),
    ))?;
    let tsa_name = tsa_cert.display_name();

    // Signature algorithm.
    let digest = DigestAlgorithm::from_algorithm_identifier_owned(&signer.digest_alg)
        .ok()
        .filter(|d| *d != DigestAlgorithm::Sha1)
        .ok_or((
            StatusCode::TimeStampUntrusted,
            "time-stamp digest algorithm not allowed".to_owned(),
        ))?;
    let algorithm = cms_signature_algorithm(&signer.signature_algorithm, digest).ok_or((
        StatusCode::TimeStampUntrusted,
        format!(
            "time-stamp signature algorithm {} not allowed (C2PA 2.2 §13.2)",
            signer.signature_algorithm.oid
        ),
    ))?;

    // Signed attributes: content type, message digest over the TSTInfo, signature over the
    // attributes as received (with the SET OF tag, RFC 5652 §5.4).
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("time-stamp signer has no signed attributes"))?;
    let attr = |oid: ObjectIdentifier| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let content_type = attr(ID_CONTENT_TYPE)
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| malformed("no content-type attribute"))?;
    if content_type != ID_CT_TST_INFO {
        return Err(malformed("content-type attribute is not TSTInfo"));
    }
    let message_digest = attr(ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| malformed("no message-digest attribute"))?;
    if message_digest.as_bytes() != hash(digest, tst_der).as_slice() {
        return Err((
            StatusCode::TimeStampMismatch,
            "the message-digest attribute does not match the TSTInfo".to_owned(),
        ));
    }
    let mut signed_attrs = raw_signed_attrs(&token_der)
        .ok_or_else(|| malformed("cannot locate the signed attributes"))?;
    if let Some(first) = signed_attrs.first_mut() {
        *first = 0x31;
    }
    verifier
        .verify(
            algorithm,
            &tsa_cert.spki_der(),
            &signed_attrs,
            signer.signature.as_bytes(),
        )
        .map_err(|_| {
            (
                StatusCode::TimeStampMismatch,
                format!("time-stamp signature does not verify: {tsa_name}"),
            )
        })?;

    // Message imprint.
    let imprint_alg = match tst.message_imprint.hash_algorithm.oid {
        ID_SHA256 => DigestAlgorithm::Sha256,
        ID_SHA384 => DigestAlgorithm::Sha384,
        ID_SHA512 => DigestAlgorithm::Sha512,
        other => {
            return Err((
                StatusCode::TimeStampUntrusted,
                format!("message imprint hash {other} not allowed (C2PA 2.2 §13.1)"),
            ));
        }
    };
    if tst.message_imprint.hashed_message.as_bytes() != hash(imprint_alg, payload).as_slice() {
        return Err((
            StatusCode::TimeStampMismatch,
            "the time-stamp does not match the claim signature".to_owned(),
        ));
    }

    // Validity of the TSA chain at genTime, then trust.
    let gen_time = tst.gen_time.to_unix_duration().as_secs();
    let others: Vec<Vec<u8>> = certs
        .iter()
        .filter(|c| c.der() != tsa_cert.der())
        .map(|c| c.der().to_vec())
        .collect();
    if !tsa_cert.valid_at(gen_time) {
        return Err((
            StatusCode::TimeStampOutsideValidity,
            format!("genTime outside the validity of the TSA certificate {tsa_name}"),
        ));
    }
    let anchors: Vec<_> = trust.tsa_anchors().iter().collect();
    let path = validate_path(
        tsa_cert.der(),
        &others,
        &anchors,
        gen_time,
        Some(ID_KP_TIME_STAMPING),
        verifier,
    );
    if path == Err(PathError::Expired) {
        return Err((
            StatusCode::TimeStampOutsideValidity,
            format!("genTime outside the validity of the TSA chain of {tsa_name}"),
        ));
    }
    Ok(Checked {
        gen_time,
        tsa: tsa_name,
        trusted: path.is_ok(),
    })
}

fn hash(alg: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    match alg {
        DigestAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
        DigestAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        _ => Sha256::digest(data).to_vec(),
    }
}

fn matches_sid(cert: &Cert, sid: &SignerIdentifier) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let tbs = cert.inner().tbs_certificate();
            *tbs.issuer() == ias.issuer
                && tbs.serial_number().as_bytes() == ias.serial_number.as_bytes()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .subject_key_id()
            .ok()
            .flatten()
            .is_some_and(|k| k == ski.0.as_bytes()),
    }
}

/// The signature algorithm of a CMS `SignerInfo`, allowing the key-type identifiers
/// (`rsaEncryption`, `id-ecPublicKey`) that CMS and real TSAs use with a separate digest.
fn cms_signature_algorithm(
    ai: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
) -> Option<SignatureAlgorithm> {
    use SignatureAlgorithm as A;
    match ai.oid {
        RSA_ENCRYPTION => match digest {
            DigestAlgorithm::Sha256 => Some(A::RsaPkcs1Sha256),
            DigestAlgorithm::Sha384 => Some(A::RsaPkcs1Sha384),
            DigestAlgorithm::Sha512 => Some(A::RsaPkcs1Sha512),
            _ => None,
        },
        ID_EC_PUBLIC_KEY => match digest {
            DigestAlgorithm::Sha256 => Some(A::EcdsaP256Sha256Asn1),
            DigestAlgorithm::Sha384 => Some(A::EcdsaP384Sha384Asn1),
            DigestAlgorithm::Sha512 => Some(A::EcdsaP521Sha512Asn1),
            _ => None,
        },
        _ => SignatureAlgorithm::from_algorithm_identifier_owned(ai).ok(),
    }
}

/// The `[0] IMPLICIT SignedAttributes` TLV of the (single) `SignerInfo` of a token, as
/// received.
fn raw_signed_attrs(token: &[u8]) -> Option<Vec<u8>> {
    let (_, _, content_info, _) = tlv(token)?; // ContentInfo SEQUENCE
    let (_, _, _, after_oid) = tlv(content_info)?; // contentType
    let (_, _, explicit, _) = tlv(after_oid)?; // [0] EXPLICIT
    let (_, _, signed, _) = tlv(explicit)?; // SignedData SEQUENCE
    let mut rest = signed;
    let mut signer_infos = None;
    while !rest.is_empty() {
        let (tag, _, contents, after) = tlv(rest)?;
        if tag == 0x31 && after.is_empty() {
            signer_infos = Some(contents);
        }
        rest = after;
    }
    let (_, _, signer_info, _) = tlv(signer_infos?)?;
    let mut rest = signer_info;
    while !rest.is_empty() {
        let (tag, whole, _, after) = tlv(rest)?;
        if tag == 0xA0 {
            return Some(whole.to_vec());
        }
        rest = after;
    }
    None
}

/// The `timeStampToken` TLV of a `TimeStampResp`, as received.
fn raw_token_in_response(resp: &[u8]) -> Option<Vec<u8>> {
    let (_, _, body, _) = tlv(resp)?;
    let (_, _, _, after_status) = tlv(body)?;
    let (_, whole, _, _) = tlv(after_status)?;
    Some(whole.to_vec())
}

#[cfg(test)]
mod tests;
