//! Fuzz target: the CMP client engine from raw bytes. Each input is handed, as the server's
//! response, to every client state — an enrollment waiting for ip (with decryption keys for
//! encrypted certificates and challenges), a poll, a certConf waiting for pkiConf, a genm and
//! an rr — which must return their next step or a `ClientError`, never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use signet_asn1_types::cmp::InfoValue;
use signet_asn1_types::crmf::SubsequentMessage;
use signet_asn1_types::crypto::{PrivateKeyDecryption, SignatureAlgorithm, Signer};
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::{
    Asking, CertificateRequest, Client, ClientConfig, EnrollStep, Enrolling, MacAlgorithm, Popo,
    RequestProtection, RevocationTarget, Revoking,
};
use signet_crypto::{
    DecryptionKey, Encryption, KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8,
};

const SECRET: &[u8] = b"secret";
const NOW: u64 = 1_780_000_000;

struct Fixture {
    config: ClientConfig,
    rsa: DecryptionKey,
    enrolling: Vec<Enrolling>,
    asking: Asking,
    revoking: Revoking,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rng = SystemRng::new();
        let config = ClientConfig::new(
            GeneralName::DirectoryName("CN=client".parse().expect("name")),
            GeneralName::DirectoryName("CN=server".parse().expect("name")),
        );
        let sign = KeyPairSigner::from_pkcs8(
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
            &generate_pkcs8(KeyType::EcdsaP256).expect("key"),
        )
        .expect("key");
        let rsa = DecryptionKey::from_pkcs8(&generate_pkcs8(KeyType::Rsa2048).expect("key"))
            .expect("key");
        let client = Client::new(&config, protection(), &Verifier, &rng);
        let request = |spki: &[u8], popo| CertificateRequest {
            subject: Some("CN=x".parse().expect("name")),
            public_key: SubjectPublicKeyInfoOwned::from_der(spki).expect("spki"),
            extensions: vec![],
            not_before: None,
            not_after: None,
            issuer: None,
            popo,
        };
        let enrolling = vec![
            client
                .ir(&request(sign.public_key_der(), Popo::Signature(&sign)), NOW)
                .expect("ir")
                .1,
            client
                .cr(
                    &request(
                        rsa.public_key_der(),
                        Popo::KeyEncipherment(SubsequentMessage::EncrCert),
                    ),
                    NOW,
                )
                .expect("cr")
                .1,
            client
                .ir(
                    &request(
                        rsa.public_key_der(),
                        Popo::KeyEncipherment(SubsequentMessage::ChallengeResp),
                    ),
                    NOW,
                )
                .expect("ir")
                .1,
        ];
        let asking = client
            .genm(&[InfoValue::CaCerts(None)], NOW)
            .expect("genm")
            .1;
        let ip = include_bytes!(
            "../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/msgs/ir_pbm.ip.der"
        );
        let signet_asn1_types::cmp::PkiBody::Ip(rep) =
            signet_asn1_types::cmp::PkiMessage::from_der(ip)
                .expect("ip")
                .body
        else {
            panic!("not ip")
        };
        let cert: Certificate = match &rep.response[0]
            .certified_key_pair
            .as_ref()
            .expect("cert")
            .cert_or_enc_cert
        {
            signet_asn1_types::cmp::CertOrEncCert::Certificate(c) => c.clone(),
            _ => panic!("encrypted"),
        };
        let revoking = client
            .rr(&[RevocationTarget::of(&cert, None).expect("target")], NOW)
            .expect("rr")
            .1;
        Fixture {
            config,
            rsa,
            enrolling,
            asking,
            revoking,
        }
    })
}

fn protection() -> RequestProtection<'static> {
    RequestProtection::Mac {
        reference: b"r".to_vec(),
        secret: SECRET,
        algorithm: MacAlgorithm::default(),
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let rng = SystemRng::new();
    let client =
        Client::new(&f.config, protection(), &Verifier, &rng).with_decryption(&f.rsa, &Encryption);
    for e in &f.enrolling {
        // Whatever the step, the next message is built too.
        match e.clone().handle(&client, data, NOW) {
            Ok(EnrollStep::Poll(p)) => {
                let _ = p.request(&client, NOW);
            }
            Ok(EnrollStep::Issued(i)) => {
                if let Ok((_, confirming)) = i.accept(&client, NOW) {
                    let _ = confirming.handle(&client, data, NOW);
                }
            }
            Ok(EnrollStep::Answer { next, .. }) => {
                let _ = next.handle(&client, data, NOW);
            }
            Ok(EnrollStep::Done(_)) | Err(_) => {}
        }
    }
    let _ = f.asking.clone().handle(&client, data, NOW);
    let _ = f.revoking.clone().handle(&client, data, NOW);
});
