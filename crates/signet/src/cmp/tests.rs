//! The hot state holds only transactions in flight: a reference number leaves it when the
//! transaction that consumed it ends, whichever way it ends.

use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::drive::{self, Transport};
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, MacAlgorithm, RequestProtection,
};
use signet_cmp_protocol::mac::HmacAlgorithm;
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

use super::{Ca, CmpSettings};
use crate::{pki, store::Store};

const SUBJECT: &str = "/CN=Hot State/O=Signet Test/C=US";

/// Calls the CA in-process, as `serve` does for each POST.
struct Direct<'a> {
    ca: &'a Ca,
}

impl Transport for Direct<'_> {
    type Error = String;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, String> {
        let handle = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| handle.block_on(self.ca.handle(request, None)))
            .ok_or_else(|| "no response".to_owned())
    }

    fn wait(&mut self, _: u64) -> Result<(), String> {
        Err("the test CA never asks to wait".into())
    }

    fn now(&self) -> u64 {
        pki::now_secs()
    }
}

async fn ca(dir: &std::path::Path) -> Ca {
    pki::bootstrap(dir, "http://127.0.0.1:8080").unwrap();
    let pki = pki::load(dir).unwrap();
    let store = Store::open(&dir.join("signet.db")).await.unwrap();
    Ca::new(
        pki,
        store,
        CmpSettings {
            confirm_wait: std::time::Duration::from_secs(300),
            pending_wait: std::time::Duration::from_secs(300),
        },
    )
}

fn hot_sizes(ca: &Ca) -> (usize, usize) {
    (
        ca.hot.registrations.lock().unwrap().len(),
        ca.hot.awaiting.lock().unwrap().len(),
    )
}

/// Enrolls with a fresh key under `code`; `implicit` asks for implicit confirmation.
fn enroll(ca: &Ca, code: &(String, String), implicit: bool) -> Result<(), String> {
    let rng = SystemRng::new();
    let key = KeyPairSigner::from_pkcs8(
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &generate_pkcs8(KeyType::EcdsaP256).unwrap(),
    )
    .unwrap();
    let subject = signet_ra_policy::dn::parse(SUBJECT).unwrap();
    let request = CertificateRequest::for_signing_key(Some(subject.clone()), &key).unwrap();
    let mut config = ClientConfig::new(
        GeneralName::DirectoryName(subject),
        GeneralName::DirectoryName(ca.pki.cmp_cert.tbs_certificate().subject().clone()),
    );
    config.implicit_confirm = implicit;
    let protection = RequestProtection::Mac {
        reference: code.0.as_bytes().to_vec(),
        secret: code.1.as_bytes(),
        algorithm: MacAlgorithm::Pbm {
            owf: signet_asn1_types::algorithm::DigestAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations: 500,
        },
    };
    let client = Client::new(&config, protection, &Verifier, &rng);
    let start = client
        .ir(&request, pki::now_secs())
        .map_err(|e| e.to_string())?;
    drive::enrollment(&client, start, &drive::accept_all, &mut Direct { ca })
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_transactions_leave_the_hot_state() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ca = ca(&data).await;
    let request = crate::operator::RegistrationRequest {
        subject: SUBJECT,
        sans: &[],
        profile: None,
        valid_for: None,
        count: 3,
    };
    let codes: Vec<(String, String)> =
        crate::operator::Operator::new(&ca.store, &crate::operator::SystemClock, "test")
            .register(&ca.pki.policy, &ca.pki.sealer, &request)
            .await
            .unwrap()
            .codes
            .into_iter()
            .map(|(r, s)| (r, s.to_string()))
            .collect();

    // ir, ip, certConf, pkiConf.
    enroll(&ca, &codes[0], false).unwrap();
    assert_eq!(hot_sizes(&ca), (0, 0), "after a confirmed enrollment");

    // ir with implicitConfirm granted: the ip ends the transaction.
    enroll(&ca, &codes[1], true).unwrap();
    assert_eq!(
        hot_sizes(&ca),
        (0, 0),
        "after an implicitly confirmed enrollment"
    );

    // The spent reference number is still refused (from the database now).
    let replay = enroll(&ca, &codes[0], false).unwrap_err();
    assert!(replay.contains("already used"), "{replay}");
    // A failed lookup leaves at most the row it read.
    assert!(hot_sizes(&ca).0 <= 1);
}
