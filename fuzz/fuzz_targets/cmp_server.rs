//! Fuzz target: the CMP server engine from raw bytes. Each input goes through `receive` and
//! MAC authentication with a fixed secret; an input that decodes but does not authenticate is
//! MAC-protected with that secret and received again, so its body reaches the steps only an
//! authenticated request offers: POP (with the encryption provider), the genm
//! classifier, and then every follow-up step against transaction states made once from a
//! genuine exchange: certConf against a waiting certificate (plain and indirect POP),
//! pollReq against a pending enrollment, popdecr against an open challenge. Any input yields a
//! response or a rejection (which gets its error message), never a panic.
#![no_main]

use core::time::Duration;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use signet_asn1_types::cmp::{PkiBody, PkiStatus};
use signet_asn1_types::crmf::SubsequentMessage;
use signet_asn1_types::crypto::{PrivateKeyDecryption, SignatureAlgorithm, Signer};
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::strict::Limits;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, MacAlgorithm, Popo, RequestProtection,
};
use signet_cmp_protocol::protection::{ProtectionPolicy, pbm_algorithm, protect_with_mac};
use signet_cmp_protocol::server::{
    AwaitingConfirm, Challenged, Credential, Decision, Pending, Responder, ResponseKey,
    ServerConfig, receive,
};
use signet_crmf::envelope::Sealer;
use signet_crypto::{
    DecryptionKey, Encryption, KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8,
};

const SECRET: &[u8] = b"secret";
const NOW: u64 = 1_780_000_000;

fn config() -> &'static ServerConfig {
    static C: OnceLock<ServerConfig> = OnceLock::new();
    C.get_or_init(|| ServerConfig {
        name: GeneralName::DirectoryName(Default::default()),
        limits: Limits::default(),
        protection: ProtectionPolicy::default(),
        max_clock_skew: Duration::from_secs(300),
        confirm_wait: Duration::from_secs(300),
        grant_implicit_confirm: true,
        recipients: Vec::new(),
    })
}

fn responder<'a>(rng: &'a SystemRng) -> Responder<'a> {
    Responder {
        config: config(),
        key: ResponseKey::Mac {
            secret: SECRET,
            algorithm: pbm_algorithm(&[1; 16], 500).expect("valid"),
        },
        rng,
        now: NOW,
        extra_certs: &[],
    }
}

/// Transaction states made once from genuine requests of our client.
struct States {
    awaiting: AwaitingConfirm,
    awaiting_indirect: AwaitingConfirm,
    pending: Pending,
    challenged: Challenged,
    certificate: Certificate,
}

fn states() -> &'static States {
    static S: OnceLock<States> = OnceLock::new();
    S.get_or_init(|| {
        let rng = SystemRng::new();
        let sign = KeyPairSigner::from_pkcs8(
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
            &generate_pkcs8(KeyType::EcdsaP256).expect("key"),
        )
        .expect("key");
        let rsa = DecryptionKey::from_pkcs8(&generate_pkcs8(KeyType::Rsa2048).expect("key"))
            .expect("key");
        let ip = include_bytes!(
            "../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/msgs/ir_pbm.ip.der"
        );
        let PkiBody::Ip(rep) = signet_asn1_types::cmp::PkiMessage::from_der(ip)
            .expect("ip")
            .body
        else {
            panic!("not ip")
        };
        let certificate = match &rep.response[0]
            .certified_key_pair
            .as_ref()
            .expect("cert")
            .cert_or_enc_cert
        {
            signet_asn1_types::cmp::CertOrEncCert::Certificate(c) => c.clone(),
            _ => panic!("encrypted"),
        };
        let cc = ClientConfig::new(
            GeneralName::DirectoryName(Default::default()),
            config().name.clone(),
        );
        let client = Client::new(
            &cc,
            RequestProtection::Mac {
                reference: b"r".to_vec(),
                secret: SECRET,
                algorithm: MacAlgorithm::default(),
            },
            &Verifier,
            &rng,
        );
        let request = |spki: &[u8], popo| CertificateRequest {
            subject: Some("CN=x".parse().expect("name")),
            public_key: SubjectPublicKeyInfoOwned::from_der(spki).expect("spki"),
            extensions: vec![],
            not_before: None,
            not_after: None,
            issuer: None,
            popo,
        };
        let sealer = Sealer {
            encryption: &Encryption,
            rng: &rng,
        };
        let r = responder(&rng);
        let enroll = |req: CertificateRequest<'_>| {
            let (bytes, _) = client.ir(&req, NOW).expect("ir");
            let incoming = receive(&bytes, config(), NOW)
                .and_then(|r| r.authenticate(Credential::Mac(SECRET), config(), &Verifier))
                .expect("receive");
            let e = incoming
                .enrollment_with(false, &Verifier, Some(&Encryption))
                .expect("pop");
            (incoming, e)
        };
        let (i, e) = enroll(request(sign.public_key_der(), Popo::Signature(&sign)));
        let awaiting = r
            .issued(&i, &e, &certificate, &[], PkiStatus::Accepted)
            .expect("ip")
            .1
            .expect("awaiting");
        let pending = r.waiting(&i, &e).expect("waiting").1;
        let (i, e) = enroll(request(
            rsa.public_key_der(),
            Popo::KeyEncipherment(SubsequentMessage::EncrCert),
        ));
        let awaiting_indirect = r
            .issued_encrypted(&i, &e, &certificate, &[], PkiStatus::Accepted, &sealer)
            .expect("ip")
            .1
            .expect("awaiting");
        let (i, e) = enroll(request(
            rsa.public_key_der(),
            Popo::KeyEncipherment(SubsequentMessage::ChallengeResp),
        ));
        let challenged = r.challenge(&i, &e, &sealer).expect("popdecc").1;
        States {
            awaiting,
            awaiting_indirect,
            pending,
            challenged,
            certificate,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = states();
    let rng = SystemRng::new();
    let r = responder(&rng);
    let sealer = Sealer {
        encryption: &Encryption,
        rng: &rng,
    };
    let received = match receive(data, config(), NOW) {
        Ok(i) => i,
        Err(rejection) => {
            let _ = r.error(&rejection);
            return;
        }
    };
    let _ = received.mac_reference();
    let _ = received.protection();
    let message = received.decoded().message.clone();
    let incoming = match received.authenticate(Credential::Mac(SECRET), config(), &Verifier) {
        Ok(a) => a,
        Err(rejection) => {
            let _ = r.error(&rejection);
            // The same header and body, protected with the secret.
            let mut header = message.header;
            header.sender_kid = signet_asn1_types::der::asn1::OctetString::new(b"ref".to_vec()).ok();
            let Ok(protected) =
                protect_with_mac(header, message.body, SECRET, &ProtectionPolicy::default())
            else {
                return;
            };
            let Ok(bytes) = signet_asn1_types::der::Encode::to_der(&protected) else {
                return;
            };
            match receive(&bytes, config(), NOW)
                .and_then(|r| r.authenticate(Credential::Mac(SECRET), config(), &Verifier))
            {
                Ok(a) => a,
                Err(rejection) => {
                    let _ = r.error(&rejection);
                    return;
                }
            }
        }
    };
    // Every step, whatever the body (the engine must refuse what does not fit).
    match incoming.enrollment_with(false, &Verifier, Some(&Encryption)) {
        Ok(e) => {
            let _ = r.issued_encrypted(
                &incoming,
                &e,
                &s.certificate,
                &[],
                PkiStatus::Accepted,
                &sealer,
            );
            let _ = r.challenge(&incoming, &e, &sealer);
        }
        Err(rejection) => {
            let _ = r.refused(&incoming, incoming.cert_req_id(), &rejection);
        }
    }
    let _ = incoming.general_requests();
    let _ = incoming.revocation();
    let _ = r.confirm(&incoming, s.awaiting.clone());
    let _ = r.confirm(&incoming, s.awaiting_indirect.clone());
    let _ = r.poll(
        &incoming,
        s.pending.clone(),
        Decision::Undecided { check_after: 5 },
    );
    let _ = r.poll_encrypted(
        &incoming,
        s.pending.clone(),
        Decision::Issued {
            certificate: &s.certificate,
            ca_pubs: &[],
        },
        &sealer,
    );
    let _ = r.challenge_response(&incoming, s.challenged.clone());
});
