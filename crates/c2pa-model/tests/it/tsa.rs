//! A local RFC 3161 time-stamping authority on 127.0.0.1: a tiny HTTP/1.1 server whose every
//! POSTed `TimeStampReq` is answered by `openssl ts -reply` with the test PKI's TSA key; and
//! the generator's `TimeStamper` that talks to it over a `TcpStream`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use signet_c2pa_model::SignatureError;
use signet_c2pa_model::cose::TimeStamper;
use signet_c2pa_model::store::HashAlg;
use signet_c2pa_model::timestamp;

use crate::pki::{Pki, pem};

/// A running TSA; it serves until the test process ends.
pub(crate) struct Tsa {
    addr: std::net::SocketAddr,
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

impl Tsa {
    pub(crate) fn start(pki: &Pki, dir: &Path) -> Self {
        let signer = write(dir, "tsa.pem", pem("CERTIFICATE", &pki.tsa.der()));
        let key = write(dir, "tsa.key", pem("PRIVATE KEY", &pki.tsa.key.pkcs8));
        let chain = write(dir, "tsa-chain.pem", pem("CERTIFICATE", &pki.tsa_ca.der()));
        let serial = dir.join("tsaserial");
        std::fs::write(&serial, "01\n").unwrap();
        let config = write(
            dir,
            "ts.cnf",
            format!(
                "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = {}\ncrypto_device = builtin\n\
                 signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\n\
                 digests = sha256, sha384, sha512\naccuracy = secs:1\n\
                 clock_precision_digits = 3\ness_cert_id_alg = sha256\n\
                 ess_cert_id_chain = no\n",
                serial.display()
            ),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let work = dir.to_path_buf();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { continue };
                let query = work.join(format!("q{n}.tsq"));
                let reply = work.join(format!("r{n}.tsr"));
                serve(stream, |body| {
                    std::fs::write(&query, body).unwrap();
                    let out = Command::new("openssl")
                        .args(["ts", "-reply", "-queryfile"])
                        .arg(&query)
                        .arg("-signer")
                        .arg(&signer)
                        .arg("-inkey")
                        .arg(&key)
                        .arg("-chain")
                        .arg(&chain)
                        .arg("-config")
                        .arg(&config)
                        .arg("-out")
                        .arg(&reply)
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    std::fs::read(&reply).unwrap()
                });
            }
        });
        Self { addr }
    }
}

/// Reads one HTTP request and answers it with `handle(body)`.
fn serve(stream: TcpStream, handle: impl FnOnce(&[u8]) -> Vec<u8>) {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let answer = handle(&body);
    let mut stream = reader.into_inner();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        answer.len()
    )
    .unwrap();
    stream.write_all(&answer).unwrap();
}

/// The generator's view of the TSA: request, POST, check the answer.
pub(crate) struct TsaClient<'a> {
    pub(crate) tsa: &'a Tsa,
}

impl TimeStamper for TsaClient<'_> {
    fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let mut nonce = [0u8; 8];
        getrandom(&mut nonce);
        let request = timestamp::request(data, HashAlg::Sha256, &nonce)?;
        let mut stream =
            TcpStream::connect(self.tsa.addr).map_err(|e| SignatureError::TimeStamp {
                detail: e.to_string(),
            })?;
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/timestamp-query\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.tsa.addr,
            request.der.len()
        )
        .unwrap();
        stream.write_all(&request.der).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert!(response.starts_with(b"HTTP/1.1 200"));
        Ok(timestamp::token_from_response(
            &response[split..],
            &request,
        )?)
    }
}

fn getrandom(buf: &mut [u8]) {
    use signet_asn1_types::crypto::SecureRandom;
    signet_crypto::SystemRng::new().fill(buf).unwrap();
}
