//! `signet-cmp-protocol`: the sans-I/O CMP engine (RFC 9810, the profile of RFC 9483) —
//! message protection, the server-side transaction steps and a client.
//!
//! What this crate does **not** do: send or receive bytes (HTTP per RFC 9811 lives in the
//! binary), read the clock or decide policy. Time is a parameter, randomness and keys come
//! through the traits of `signet_asn1_types::crypto`, and decisions (who is this sender, may
//! they have this certificate) are the caller's.
//!
//! A client and a server engine completing an `ir` + `certConf` in memory, the way an RA
//! officer's one-time reference number and secret are used (MAC protection, RFC 9483 §4.1.5);
//! the bytes passed between them are what would travel over HTTP (RFC 9811):
//!
//! ```rust
//! use std::time::Duration;
//! use signet_asn1_types::cmp::PkiStatus;
//! use signet_asn1_types::crypto::Signer as _;
//! use signet_asn1_types::strict::Limits;
//! use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
//! use signet_cmp_protocol::client::{CertificateRequest, Client, ClientConfig, EnrollStep, MacAlgorithm, RequestProtection};
//! use signet_cmp_protocol::protection::ProtectionPolicy;
//! use signet_cmp_protocol::server::{self, ConfirmOutcome, Credential, Responder, ResponseKey, ServerConfig, TransactionLog};
//! use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};
//! # use signet_asn1_types::der::{DateTime, Decode};
//! # use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
//! # use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
//! # use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial};
//! # fn key_of(t: KeyType) -> KeyPairSigner {
//! #     KeyPairSigner::from_pkcs8_default(&generate_pkcs8(t).unwrap()).unwrap()
//! # }
//! # let key = || key_of(KeyType::EcdsaP256);
//! # let ca_key = key_of(KeyType::EcdsaP384);
//! # let issue = |spki: SubjectPublicKeyInfoOwned, subject: &str, now: u64, ca: Option<&signet_asn1_types::x509_cert::Certificate>| {
//! #     let at = DateTime::from_unix_duration(Duration::from_secs(now)).unwrap();
//! #     let (profile, issuer) = match ca {
//! #         None => (builtin::root_ca(), Issuer::self_signed(ca_key.algorithm())),
//! #         Some(ca) => (
//! #             builtin::claim_signing_leaf(AssuranceLevel::Level1),
//! #             Issuer::from_certificate(ca, ca_key.algorithm(), IssuerUrls {
//! #                 ocsp: vec!["http://pki.example/ocsp".into()],
//! #                 ca_issuers: vec!["http://pki.example/ca.cer".into()],
//! #                 crl: vec!["http://pki.example/ca.crl".into()],
//! #             }).unwrap(),
//! #         ),
//! #     };
//! #     let mut req = IssuanceRequest::new(subject.parse().unwrap(), spki);
//! #     req.cpl_record = ca.map(|_| "0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b".to_owned());
//! #     let tbs = signet_ca_signer::prepare(&req, &profile, &issuer, at, &Serial::generate(&SystemRng::new()).unwrap()).unwrap();
//! #     signet_ca_signer::sign(tbs, &ca_key).unwrap()
//! # };
//! # let now: u64 = 1_796_601_600; // 2026-12-07
//! # let ca_cert = issue(SubjectPublicKeyInfoOwned::from_der(ca_key.public_key_der())?, "CN=Example CA,O=Example,C=US", now, None);
//!
//! let (reference, secret) = (b"4711".as_slice(), b"correct horse battery".as_slice());
//! let ca_name = GeneralName::DirectoryName("CN=Example CA,O=Example,C=US".parse()?);
//! let rng = SystemRng::new();
//!
//! // The subscriber: a new key, an ir protected with the one-time secret.
//! let new_key = key();
//! let config = ClientConfig::new(GeneralName::DirectoryName("CN=Camera 7,O=Example,C=US".parse()?), ca_name.clone());
//! let protection = RequestProtection::Mac { reference: reference.to_vec(), secret, algorithm: MacAlgorithm::default() };
//! let client = Client::new(&config, protection, &Verifier, &rng);
//! let request = CertificateRequest::for_signing_key(Some("CN=Camera 7,O=Example,C=US".parse()?), &new_key)?;
//! let (ir, enrolling) = client.ir(&request, now)?;
//!
//! // The server, one step after the other: decode and header checks, recipient, the MAC with
//! // the secret registered for senderKID, replay, then POP and the request.
//! let server_config = ServerConfig {
//!     name: ca_name.clone(),
//!     limits: Limits::default(),
//!     protection: ProtectionPolicy::default(),
//!     max_clock_skew: Duration::from_secs(300),
//!     confirm_wait: Duration::from_secs(300),
//!     grant_implicit_confirm: false,
//!     recipients: Vec::new(),
//! };
//! struct Seen(Vec<Vec<u8>>);
//! impl TransactionLog for Seen {
//!     fn insert_if_new(&mut self, id: &[u8]) -> bool {
//!         !self.0.iter().any(|t| t == id) && { self.0.push(id.to_vec()); true }
//!     }
//! }
//! let mut seen = Seen(Vec::new());
//! let received = server::receive(&ir, &server_config, now).map_err(|r| r.text)?;
//! assert_eq!(received.mac_reference().map_err(|r| r.text)?, reference);
//! // Recipient, sender and MAC: only an authenticated request offers its body.
//! let incoming = received.authenticate(Credential::Mac(secret), &server_config, &Verifier).map_err(|r| r.text)?;
//! incoming.begin(&mut seen).map_err(|r| r.text)?;
//! let enrollment = incoming.enrollment(false, &Verifier).map_err(|r| r.text)?;
//! // (The RA policy decides here; the CA signs.)
//! let certificate = issue(enrollment.request.public_key.clone(), "CN=Camera 7,O=Example,C=US", now, Some(&ca_cert));
//! let responder = Responder {
//!     config: &server_config,
//!     // Answer with the request's own MAC parameters (RFC 9483 §3.2).
//!     key: ResponseKey::Mac { secret, algorithm: incoming.header().protection_alg.clone().unwrap() },
//!     rng: &rng,
//!     now,
//!     extra_certs: std::slice::from_ref(&ca_cert),
//! };
//! let (ip, awaiting) = responder
//!     .issued(&incoming, &enrollment, &certificate, std::slice::from_ref(&ca_cert), PkiStatus::Accepted)
//!     .map_err(|r| r.text)?;
//!
//! // The client checks the ip (protection, nonces, that it certifies our key) and confirms.
//! let EnrollStep::Issued(issued) = enrolling.handle(&client, &ip, now)? else { panic!("no certificate") };
//! assert!(issued.problem().is_none());
//! let (cert_conf, confirming) = issued.accept(&client, now)?;
//!
//! // The server checks the certConf against the state it kept, and answers pkiConf.
//! let incoming = server::receive(&cert_conf, &server_config, now)
//!     .and_then(|r| r.authenticate(Credential::Mac(secret), &server_config, &Verifier))
//!     .map_err(|r| r.text)?;
//! let (pki_conf, outcome) = responder.confirm(&incoming, awaiting.unwrap()).map_err(|e| e.rejection.text)?;
//! assert_eq!(outcome, ConfirmOutcome::Accepted);
//!
//! let enrolled = confirming.handle(&client, &pki_conf, now)?;
//! assert_eq!(enrolled.certificate, certificate);
//! assert_eq!(enrolled.ca_pubs, [ca_cert]);
//!
//! // A replayed ir is refused before anything else is looked at.
//! let replay = server::receive(&ir, &server_config, now)
//!     .and_then(|r| r.authenticate(Credential::Mac(secret), &server_config, &Verifier))
//!     .map_err(|r| r.text)?;
//! assert!(replay.begin(&mut seen).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod certhash;
pub mod client;
pub mod general;
pub mod mac;
pub mod protection;
pub mod server;
