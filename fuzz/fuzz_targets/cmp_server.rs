//! Fuzz target: the CMP server engine from raw bytes — receive, authenticate with a fixed secret,
//! POP, and the error response. Any input yields a response or a rejection, never a panic.
#![no_main]

use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use signet_asn1_types::strict::Limits;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::protection::{ProtectionPolicy, pbm_algorithm};
use signet_cmp_protocol::server::{Credential, Responder, ResponseKey, ServerConfig, receive};
use signet_crypto::{SystemRng, Verifier};

fuzz_target!(|data: &[u8]| {
    let config = ServerConfig {
        name: GeneralName::DirectoryName(Default::default()),
        limits: Limits::default(),
        protection: ProtectionPolicy::default(),
        max_clock_skew: Duration::from_secs(300),
        confirm_wait: Duration::from_secs(300),
        grant_implicit_confirm: true,
    };
    let rng = SystemRng::new();
    let now = 1_780_000_000;
    let responder = Responder {
        config: &config,
        key: ResponseKey::Mac { secret: b"secret", algorithm: pbm_algorithm(&[1; 16], 500).expect("valid") },
        rng: &rng,
        now,
        extra_certs: vec![],
    };
    let rejection = match receive(data, &config, now) {
        Err(r) => r,
        Ok(incoming) => match incoming
            .authenticate(Credential::Mac(b"secret"), &Verifier, &config.protection)
            .and_then(|()| incoming.enrollment(false, &Verifier).map(|_| ()))
        {
            Ok(()) => return,
            Err(r) => r,
        },
    };
    let _ = responder.error(&rejection);
});
