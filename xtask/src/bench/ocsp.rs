//! `cargo xtask bench ocsp`: `signet serve`'s OCSP responder answering from memory (issue 13:
//! at least 20,000 responses per second on the machine's two cores, the load generator
//! beside it).
//!
//! Inside a fresh network namespace (as `bench cmp`), a release `signet serve` on durable
//! SQLite enrols `--certificates` certificates over CMP (PBM ir+certConf with the
//! `cmp-protocol` client). `openssl ocsp -reqout` writes one request per certificate (SHA-1
//! CertID, no nonce: what RFC 5019 clients send). A first pass asks for each once — the
//! responder signs and keeps each response; its rate is printed as the signing figure — and
//! then `--concurrency` clients on keep-alive connections POST the requests in turn for
//! `--duration` seconds. Every answer must be the very bytes the first pass got (a kept
//! response; a new signature would differ, ECDSA being randomised), else it counts as an
//! error.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::drive;
use signet_cmp_protocol::client::{CertificateRequest, Client, ClientConfig};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

use super::cmp::{
    Cleanup, Http, INNER, as_f64, cpu_secs, in_namespace, load_cert, mac_protection, now_secs,
    register_codes, start_signet, subject, verdict,
};
use crate::project_root;

/// Options.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Seconds of the measured window.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Certificates enrolled (one request each).
    #[arg(long, default_value_t = 300)]
    certificates: usize,
}

/// Responses per second the responder must reach.
const TARGET_PER_SEC: f64 = 20_000.0;
/// PBM iterations of the enrollments (OpenSSL's default).
const PBM_ITERATIONS: u32 = 500;

pub(crate) fn run(args: &Args) -> Result<()> {
    if std::env::var_os(INNER).is_none() {
        return in_namespace(
            "ocsp",
            &[
                format!("--duration={}", args.duration),
                format!("--concurrency={}", args.concurrency),
                format!("--certificates={}", args.certificates),
            ],
        );
    }
    inner(args)
}

fn inner(args: &Args) -> Result<()> {
    let root = project_root();
    let work = std::env::temp_dir().join(format!("signet-bench-ocsp-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let _cleanup = Cleanup(work.clone());
    let signet = root.join("target/release/signet");
    let data = work.join("data");
    let (server, pid, addr) = start_signet(&signet, &data)?;

    let serials = enrol(&signet, &data, &addr, args.certificates)?;
    eprintln!(
        "==> {} certificates enrolled; writing their OCSP requests",
        serials.len()
    );
    let issuing = data.join("trust/issuing-ca.pem");
    let mut requests = Vec::with_capacity(serials.len());
    for (i, serial) in serials.iter().enumerate() {
        let out = work.join(format!("req{i}.der"));
        let status = Command::new("openssl")
            .arg("ocsp")
            .arg("-issuer")
            .arg(&issuing)
            .args(["-serial", &format!("0x{serial}"), "-no_nonce", "-reqout"])
            .arg(&out)
            .output()?;
        if !status.status.success() {
            bail!("openssl ocsp: {}", String::from_utf8_lossy(&status.stderr));
        }
        requests.push(std::fs::read(&out)?);
    }

    // First pass: each response signed and kept.
    let mut http = Http::new(&addr, "/ocsp", true).of_type("application/ocsp-request");
    let t0 = Instant::now();
    let mut expected = Vec::with_capacity(requests.len());
    for r in &requests {
        let answer = http.post(r)?;
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED successful(0), … }
        let successful = matches!(answer.get(..2), Some([0x30, 0x82]))
            && answer.get(4..7) == Some(&[0x0a, 0x01, 0x00]);
        if !successful {
            bail!("the first answer is not a successful response: {answer:02x?}");
        }
        expected.push(answer);
    }
    let signing_rate = as_f64(requests.len()) / t0.elapsed().as_secs_f64().max(1e-9);
    let size = expected.first().map_or(0, Vec::len);

    eprintln!(
        "==> {} clients for {} s on keep-alive connections",
        args.concurrency, args.duration
    );
    let pairs = Arc::new(requests.into_iter().zip(expected).collect::<Vec<_>>());
    let server0 = cpu_secs(&pid.to_string());
    let client0 = cpu_secs("self");
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.duration);
    let mut handles = Vec::new();
    for c in 0..args.concurrency {
        let (pairs, addr) = (pairs.clone(), addr.clone());
        handles.push(
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let mut http =
                        Http::new(&addr, "/ocsp", true).of_type("application/ocsp-request");
                    let (mut ok, mut errors, mut first_error) = (0usize, 0usize, None);
                    let mut latencies = Vec::new();
                    let mut i = c;
                    while Instant::now() < deadline {
                        let Some((request, expected)) = pairs.get(i % pairs.len()) else {
                            break;
                        };
                        i += 1;
                        let t = Instant::now();
                        match http.post(request) {
                            Ok(answer) if answer == *expected => {
                                ok += 1;
                                // One latency in 16 is enough for the percentiles.
                                if ok % 16 == 0 {
                                    latencies.push(t.elapsed());
                                }
                            }
                            Ok(_) => {
                                errors += 1;
                                first_error.get_or_insert_with(|| {
                                    "an answer other than the kept response".to_owned()
                                });
                            }
                            Err(e) => {
                                errors += 1;
                                first_error.get_or_insert_with(|| e.to_string());
                            }
                        }
                    }
                    (ok, errors, first_error, latencies)
                })?,
        );
    }
    let (mut ok, mut errors, mut first_error, mut latencies) = (0, 0, None, Vec::new());
    for h in handles {
        let (o, e, f, l) = h.join().map_err(|_| anyhow!("client thread panicked"))?;
        ok += o;
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
        latencies.extend(l);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let server_cpu = cpu_secs(&pid.to_string()) - server0;
    let client_cpu = cpu_secs("self") - client0;
    drop(server);
    latencies.sort();
    let pct = |per_mille: usize| {
        let n = latencies.len();
        if n == 0 {
            return f64::NAN;
        }
        latencies
            .get((n - 1) * per_mille / 1000)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let rate = as_f64(ok) / elapsed.max(1e-9);
    let per = |cpu: f64| cpu * 1e6 / as_f64(ok.max(1));

    println!();
    println!(
        "## OCSP from memory ({} certificates, {size}-byte responses)",
        pairs.len()
    );
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!("| responses/s (kept) | {rate:.0} |");
    println!(
        "| p50 / p99 latency | {:.3} ms / {:.3} ms |",
        pct(500),
        pct(990)
    );
    println!("| server CPU per response | {:.1} µs |", per(server_cpu));
    println!(
        "| load generator CPU per response | {:.1} µs |",
        per(client_cpu)
    );
    println!("| answered / errors | {ok} / {errors} |");
    println!("| first pass (each signed once, one client) | {signing_rate:.0} responses/s |");
    if let Some(e) = first_error {
        println!("| first error | {e} |");
    }
    println!();
    let met = rate >= TARGET_PER_SEC && errors == 0;
    println!(
        "target: ≥ {TARGET_PER_SEC:.0} responses/s from memory, every answer the kept one — {}",
        verdict(met)
    );
    if !met {
        bail!("bench ocsp: target not met");
    }
    Ok(())
}

/// Enrols `n` certificates through `addr` with one-time codes registered on `data`; their
/// serials (upper-case hex).
fn enrol(signet: &Path, data: &Path, addr: &str, n: usize) -> Result<Vec<String>> {
    eprintln!("==> enrolling {n} certificates over CMP");
    let codes = register_codes(signet, data, None, n)?;
    let cmp_cert = load_cert(&data.join("trust/cmp-signer.pem"))?;
    let recipient = GeneralName::DirectoryName(cmp_cert.tbs_certificate().subject().clone());
    let config = ClientConfig::new(GeneralName::DirectoryName(subject()?), recipient);
    let rng = SystemRng::new();
    let mut http = Http::new(addr, "/.well-known/cmp", true);
    for (reference, secret) in &codes {
        let pkcs8 = generate_pkcs8(KeyType::EcdsaP256)?;
        let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &pkcs8)?;
        let request = CertificateRequest::for_signing_key(Some(subject()?), &key)?;
        let client = Client::new(
            &config,
            mac_protection(secret, reference, PBM_ITERATIONS),
            &Verifier,
            &rng,
        );
        let first = client.ir(&request, now_secs())?;
        drive::enrollment(&client, first, &drive::accept_all, &mut http)
            .map_err(|e| anyhow!("{e}"))?;
    }
    let listed: serde_json::Value = serde_json::from_slice(
        &Command::new(signet)
            .args(["ca", "list", "--json", "--data-dir"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .output()?
            .stdout,
    )?;
    Ok(listed
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["profile"] != "ocsp-responder")
                .filter_map(|c| c["serial"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}
