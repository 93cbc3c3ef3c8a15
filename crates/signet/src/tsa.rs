//! The time-stamping unit (RFC 3161 over HTTP, §3.4): `POST /tsa` with
//! `application/timestamp-query`, answered with `application/timestamp-reply`.
//!
//! `ca-signer`'s `tsa` module decides and signs; this file supplies the clock (`genTime` with
//! millisecond precision from the system clock, which the operator keeps synchronised — the
//! profile states an accuracy of one second), a fresh CSPRNG serial per token, and the logs.
//! A refused request gets the unsigned rejection with its failure bit; a token that cannot be
//! issued (clock outside the TSA certificate's validity, signing failure) gets `systemFailure`
//! and an error in the log, never a half-made token.

use std::time::SystemTime;

use anyhow::{Result, anyhow};
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_asn1_types::tsp::TimeStampResp;
use signet_ca_signer::Serial;
use signet_ca_signer::tsa::{
    Refusal, TimeStamper, TsaProfile, check_request, prepare_time_stamp, refusal_response,
    sign_time_stamp, system_failure,
};
use signet_crypto::SystemRng;

use crate::pki::TsaMaterial;

/// The TSA: its certificate and key, and the policy it stamps under.
pub(crate) struct Tsa {
    stamper: TimeStamper,
    key: std::sync::Arc<dyn signet_asn1_types::crypto::Signer>,
    profile: TsaProfile,
    rng: SystemRng,
}

impl Tsa {
    pub(crate) fn new(material: TsaMaterial) -> Result<Self> {
        // The root issued the TSA certificate: a token that carries it carries the whole chain
        // a verifier needs below its anchor.
        let stamper = TimeStamper::new(&material.cert, Vec::new(), material.key.algorithm())?;
        Ok(Self {
            stamper,
            key: material.key,
            profile: TsaProfile::c2pa(material.policy),
            rng: SystemRng::new(),
        })
    }

    /// The DER `TimeStampResp` answering the DER `TimeStampReq` in `body`.
    pub(crate) fn respond(&self, body: &[u8]) -> Vec<u8> {
        let resp = match check_request(body, &self.profile) {
            Ok(accepted) => match self.stamp(&accepted) {
                Ok(resp) => resp,
                Err(e) => {
                    tracing::error!(error = %e, "time-stamp token not issued");
                    self.refuse(&system_failure())
                }
            },
            Err(refusal) => {
                tracing::info!(failure = ?refusal.failure, reason = %refusal.text, "time-stamp request refused");
                self.refuse(&refusal)
            }
        };
        resp.to_der().unwrap_or_default()
    }

    fn stamp(&self, accepted: &signet_ca_signer::tsa::AcceptedRequest) -> Result<TimeStampResp> {
        let gen_time = now_millis()?;
        let serial = Serial::generate(&self.rng)?;
        let linted = prepare_time_stamp(accepted, &self.stamper, &self.profile, gen_time, &serial)
            .map_err(|e| anyhow!("{e}"))?;
        let resp = sign_time_stamp(linted, &*self.key)?;
        tracing::info!(serial = %hex::encode_upper(serial.as_bytes()), "time-stamp token issued");
        Ok(resp)
    }

    fn refuse(&self, refusal: &Refusal) -> TimeStampResp {
        refusal_response(refusal).unwrap_or(TimeStampResp {
            status: signet_asn1_types::tsp::TspStatusInfo {
                status: signet_asn1_types::tsp::TspStatus::Rejection,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: None,
        })
    }
}

/// The system clock with millisecond precision.
fn now_millis() -> Result<GeneralizedTimeFrac> {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH)?;
    let whole = DateTime::from_unix_duration(core::time::Duration::from_secs(now.as_secs()))
        .map_err(|e| anyhow!("{e}"))?;
    GeneralizedTimeFrac::new(whole, now.subsec_millis() * 1_000_000).map_err(|e| anyhow!("{e}"))
}
