//! The operator's commands: `signet ra register|list|approve|refuse`,
//! `signet ca list|show|revoke|sign-root-crl` and `signet keys to-pkcs11`. Human-readable
//! output by default, `--json` for scripts.
//! Serials are upper-case hex, as `openssl x509 -serial` prints them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use serde_json::json;
use signet_asn1_types::der::{DateTime, Encode};
use signet_ra_policy::dn;

use crate::cmp::Ca;
use crate::operator::{
    Decision, Operator, OperatorError, Reason, Registered, RegistrationRequest, SystemClock,
};
use crate::pki;
use crate::store::{Location, Store};

mod subscribers;
pub(crate) use subscribers::{PortalCommand, portal};

/// `signet ra …`.
#[derive(Debug, Subcommand)]
pub(crate) enum RaCommand {
    /// Register a subject for administrative enrollment: prints a one-time reference number
    /// and authentication code for a MAC-protected ir (give the code to the subscriber out of
    /// band; it is not shown again).
    Register {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// Subject DN, `/CN=…/O=…/C=…` or `CN=…,O=…,C=…`.
        #[arg(long)]
        subject: String,
        /// Policy profile (default: the policy's default profile).
        #[arg(long)]
        profile: Option<String>,
        /// How long the code stays usable: `7d`, `12h`, `30m`, `90s` or seconds.
        #[arg(long)]
        valid_for: Option<String>,
        /// Register this many codes for the subject at once (a device fleet, a load test),
        /// committed together; with --json, one object per line.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// A subject alternative name the subscriber may have in its certificate, vouched for
        /// by this registration: `email:…`, `DNS:…` or `URI:…` (repeatable). A request may
        /// carry only registered names (others are removed, or refused, as the profile's
        /// `subject-alt-names.unverified` says).
        #[arg(long = "san", value_name = "email:|DNS:|URI:…")]
        sans: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List registrations and pending enrollments.
    List {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending enrollment (its transaction ID, hex, from `ra list`).
    Approve {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        transaction: String,
    },
    /// Refuse a pending enrollment.
    Refuse {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        transaction: String,
    },
}

/// `signet ca …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CaCommand {
    /// List issued certificates.
    List {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show one certificate (PEM included).
    Show {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// Serial in hex (`openssl x509 -serial` form; `serial=` prefix accepted).
        serial: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a certificate.
    Revoke {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        serial: String,
        /// RFC 5280 reason: unspecified, keyCompromise, cACompromise, affiliationChanged,
        /// superseded, cessationOfOperation, certificateHold, privilegeWithdrawn,
        /// aACompromise, or its number.
        #[arg(long, default_value = "unspecified")]
        reason: String,
    },
    /// Sign the root's CRL with the root key (run where the root key is: `serve` never loads
    /// it) and write it to DIR/crl/root.crl, which `serve` publishes at /crl/root.crl; copy
    /// the file to every serving node's data directory.
    SignRootCrl {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// How long the CRL is valid (its nextUpdate): `30d`, `12h`, … or seconds.
        #[arg(long, default_value = "30d")]
        valid_for: String,
    },
}

/// `signet operator …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OperatorCommand {
    /// Admit an operator to the REST API (/api/v1/) by their TLS client certificate (PEM):
    /// its SHA-256 is pinned in DIR/operators.toml. Takes effect at the next start of serve.
    Add {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// The name the audit log records (`operator:api:<name>`).
        #[arg(long)]
        name: String,
        /// officer (registers, decides, revokes, reads) or auditor (reads).
        #[arg(long)]
        role: String,
        /// The operator's TLS client certificate (PEM), for the API over mutual TLS.
        #[arg(long, required_unless_present = "password_stdin")]
        cert: Option<PathBuf>,
        /// Read a password for the web console (`/console/`) from standard input (one line,
        /// at least 12 characters); stored as an argon2id hash.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the operators of the REST API.
    List {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
    },
}

pub(crate) fn operator(cmd: OperatorCommand) -> Result<()> {
    use crate::api::{Account, Operators, Role};
    match cmd {
        OperatorCommand::Add {
            data_dir,
            name,
            role,
            cert,
            password_stdin,
        } => {
            if !pki::is_bootstrapped(&data_dir) {
                bail!("{} is not a Signet data directory", data_dir.display());
            }
            let role = match role.as_str() {
                "officer" => Role::Officer,
                "auditor" => Role::Auditor,
                other => bail!("--role {other:?}: expected officer or auditor"),
            };
            if name.is_empty()
                || name.len() > 64
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
            {
                bail!("--name: 1 to 64 letters, digits or -_.@");
            }
            let fp = match &cert {
                Some(cert) => {
                    let der = Encode::to_der(&pki::load_cert(cert)?)?;
                    Some(hex::encode(aws_lc_rs::digest::digest(
                        &aws_lc_rs::digest::SHA256,
                        &der,
                    )))
                }
                None => None,
            };
            let password_argon2 = if password_stdin {
                let mut line = zeroize::Zeroizing::new(String::new());
                std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line)?;
                let password = line.trim_end_matches(['\r', '\n']);
                crate::password::acceptable(password)
                    .map_err(|why| anyhow!("the password (standard input): {why}"))?;
                Some(crate::password::hash(password.as_bytes())?)
            } else {
                None
            };
            let mut ops = Operators::load(&data_dir)?;
            if ops.accounts.iter().any(|a| a.name == name) {
                bail!("an operator named {name:?} exists already");
            }
            if fp.is_some() && ops.accounts.iter().any(|a| a.certificate_sha256 == fp) {
                bail!("that certificate already admits another operator");
            }
            ops.accounts.push(Account {
                name: name.clone(),
                role,
                certificate_sha256: fp.clone(),
                password_argon2: password_argon2.clone(),
            });
            ops.save(&data_dir)?;
            let how = match (&fp, password_argon2.is_some()) {
                (Some(fp), true) => format!("certificate SHA-256 {fp} and a console password"),
                (Some(fp), false) => format!("certificate SHA-256 {fp}"),
                (None, _) => "a console password".to_owned(),
            };
            println!("{name}: {role:?} with {how} (restart serve to admit)");
        }
        OperatorCommand::List { data_dir } => {
            for a in Operators::load(&data_dir)?.accounts {
                println!(
                    "{:<24} {:<8?} {}{}",
                    a.name,
                    a.role,
                    a.certificate_sha256.as_deref().unwrap_or("-"),
                    if a.password_argon2.is_some() {
                        " (console password)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    Ok(())
}

/// `signet audit …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Recompute the audit log's hash chain: prints the number of records and the head hash
    /// (keep it elsewhere: with --head it also proves no newer record was removed); exit 1
    /// naming the first record that does not fit.
    Verify {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// The head hash (hex) printed by an earlier verify: the log must still contain that
        /// record, unchanged.
        #[arg(long)]
        head: Option<String>,
    },
    /// Print the audit log, oldest first: one line per record (with --json, one JSON object
    /// per line, hashes in hex).
    Export {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// `signet keys …`.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Move keys onto a PKCS#11 token (an HSM; SoftHSM2 for trials): each role's key is
    /// stored as a sensitive, non-extractable private key labelled `signet-<role>`, checked
    /// by a test signature, recorded in DIR/keys.toml, and then its file is removed (unless
    /// --keep-files). EC keys only.
    ToPkcs11 {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// The token's PKCS#11 library (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so).
        #[arg(long)]
        module: PathBuf,
        /// The token's label.
        #[arg(long)]
        token_label: String,
        /// The environment variable that holds the user PIN (also when serving).
        #[arg(long, conflicts_with = "pin_file")]
        pin_env: Option<String>,
        /// A file (mode 0600, relative to the data directory or absolute) that holds the PIN.
        #[arg(long)]
        pin_file: Option<PathBuf>,
        /// A role to move: issuing-ca, cmp-signer, tsa or root (repeatable; default: the
        /// three `serve` uses).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Keep the key files (by default they are removed once the token signs).
        #[arg(long)]
        keep_files: bool,
    },
}

/// The RFC 5280 name of a CRL reason (`keyCompromise`, ...).
pub(crate) fn crl_reason_name(
    reason: signet_asn1_types::x509_cert::ext::pkix::CrlReason,
) -> &'static str {
    (0..=10)
        .find(|c| crate::revocation::crl_reason(*c) == Some(reason))
        .map_or("unspecified", Reason::name_of)
}

/// `7d`, `12h`, `30m`, `90s` or plain seconds.
pub(crate) fn parse_duration(s: &str) -> Result<u64> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num.parse().with_context(|| format!("duration {s:?}"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("duration {s:?}: unit must be s, m, h or d"),
    };
    n.checked_mul(mult)
        .ok_or_else(|| anyhow!("duration {s:?} too large"))
}

pub(crate) fn time_str(secs: i64) -> String {
    u64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::from_unix_duration(std::time::Duration::from_secs(s)).ok())
        .map_or_else(|| secs.to_string(), |d| d.to_string())
}

async fn open(dir: &Path, database: Option<&str>) -> Result<Store> {
    if !pki::is_bootstrapped(dir) {
        bail!(
            "{} is not a Signet data directory (run `signet serve --data-dir {}` first)",
            dir.display(),
            dir.display()
        );
    }
    Store::open_at(&Location::of(dir, database)?).await
}

/// An operator error in the command line's words: an invalid argument is named by its flag.
fn flagged(e: OperatorError) -> anyhow::Error {
    match e {
        OperatorError::Invalid { what, why } => {
            let flag = match what {
                "subject" => "--subject",
                "subject alternative name" | "subject alternative names" => "--san",
                "validity" => "--valid-for",
                "count" => "--count",
                "reason" => "--reason",
                other => other,
            };
            anyhow!("{flag} {why}")
        }
        other => other.into(),
    }
}

/// The operator a command runs for, as the audit log names it: `cli:<login>`.
fn cli_operator() -> String {
    let login = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{login}")
}

/// Registers `subject` once for the first-steps guide (`operator` names who asks) and the
/// embedding API.
pub(crate) async fn register_one(
    policy: &signet_ra_policy::Policy,
    sealer: &crate::seal::Sealer,
    store: &Store,
    subject: &str,
    operator: &str,
) -> Result<Registered> {
    let request = RegistrationRequest {
        subject,
        sans: &[],
        profile: None,
        valid_for: None,
        count: 1,
    };
    Ok(Operator::new(store, &SystemClock, operator)
        .register(policy, sealer, &request)
        .await?)
}

pub(crate) async fn ra(cmd: RaCommand, database: Option<&str>) -> Result<()> {
    match cmd {
        RaCommand::Register {
            data_dir,
            subject,
            profile,
            valid_for,
            count,
            sans,
            json,
        } => {
            let store = open(&data_dir, database).await?;
            let (policy, sealer) = pki::load_registrar(&data_dir)?;
            let request = RegistrationRequest {
                subject: &subject,
                sans: &sans,
                profile: profile.as_deref(),
                valid_for: valid_for.as_deref().map(parse_duration).transpose()?,
                count,
            };
            let registered = Operator::new(&store, &SystemClock, &cli_operator())
                .register(&policy, &sealer, &request)
                .await
                .map_err(flagged)?;
            let expires = time_str(registered.expires);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for (reference, secret) in &registered.codes {
                let secret: &str = secret;
                if json {
                    writeln!(
                        out,
                        "{}",
                        json!({"reference": reference, "secret": secret, "expires": expires,
                               "subject": registered.subject, "profile": registered.profile})
                    )?;
                } else {
                    writeln!(out, "reference: {reference}")?;
                    writeln!(out, "secret:    {secret}")?;
                    writeln!(out, "expires:   {expires}")?;
                    writeln!(out, "subject:   {}", registered.subject)?;
                    writeln!(out, "profile:   {}", registered.profile)?;
                }
            }
            out.flush()?;
        }
        RaCommand::List { data_dir, json } => {
            let store = open(&data_dir, database).await?;
            let (regs, pending) = Operator::new(&store, &SystemClock, &cli_operator())
                .registrations()
                .await?;
            if json {
                let regs: Vec<_> = regs
                    .iter()
                    .map(|r| {
                        json!({"reference": r.reference, "subject": r.subject,
                               "profile": r.profile, "state": r.state.as_str(),
                               "created": time_str(r.created),
                               "expires": time_str(r.expires)})
                    })
                    .collect();
                let pend: Vec<_> = pending
                    .iter()
                    .map(|t| {
                        json!({"transaction": hex::encode(&t.transaction),
                               "kind": t.kind, "requester": t.requester,
                               "profile": t.profile, "created": time_str(t.created)})
                    })
                    .collect();
                println!("{}", json!({"registrations": regs, "pending": pend}));
            } else {
                println!(
                    "REFERENCE     STATE    EXPIRES               PROFILE                    SUBJECT"
                );
                for r in &regs {
                    println!(
                        "{:<13} {:<8} {:<21} {:<26} {}",
                        r.reference,
                        r.state.as_str(),
                        time_str(r.expires),
                        r.profile,
                        r.subject
                    );
                }
                if !pending.is_empty() {
                    println!("\nPENDING TRANSACTION                KIND   REQUESTER");
                    for t in &pending {
                        println!(
                            "{:<34} {:<6} {}",
                            hex::encode(&t.transaction),
                            t.kind,
                            t.requester
                        );
                    }
                }
            }
        }
        RaCommand::Approve {
            data_dir,
            transaction,
        } => decide_pending(&data_dir, database, &transaction, Decision::Approve).await?,
        RaCommand::Refuse {
            data_dir,
            transaction,
        } => decide_pending(&data_dir, database, &transaction, Decision::Refuse).await?,
    }
    Ok(())
}

async fn decide_pending(
    dir: &Path,
    database: Option<&str>,
    transaction: &str,
    decision: Decision,
) -> Result<()> {
    let store = open(dir, database).await?;
    let tid = hex::decode(transaction.trim()).context("transaction ID must be hex")?;
    let to = Operator::new(&store, &SystemClock, &cli_operator())
        .decide(&tid, decision, "")
        .await?;
    println!("{transaction}: {to}");
    Ok(())
}

fn cert_json(c: &crate::store::CertRow) -> serde_json::Value {
    json!({
        "serial": c.serial, "status": c.status, "subject": c.subject, "profile": c.profile,
        "not_before": time_str(c.not_before), "not_after": time_str(c.not_after),
        "issued_at": time_str(c.issued_at), "requester": c.requester,
        "transaction": hex::encode(&c.transaction_id),
        "revoked_at": c.revoked_at.map(time_str),
        "revocation_reason": c.revocation_reason.map(Reason::name_of),
        "replaces": c.replaces,
    })
}

pub(crate) async fn ca(cmd: CaCommand, database: Option<&str>) -> Result<()> {
    match cmd {
        CaCommand::List { data_dir, json } => {
            let store = open(&data_dir, database).await?;
            let certs = Operator::new(&store, &SystemClock, &cli_operator())
                .certificates()
                .await?;
            if json {
                let v: Vec<_> = certs.iter().map(cert_json).collect();
                println!("{}", serde_json::Value::Array(v));
            } else {
                println!(
                    "SERIAL                             STATUS      NOT AFTER             SUBJECT"
                );
                for c in &certs {
                    println!(
                        "{:<34} {:<11} {:<21} {}",
                        c.serial,
                        c.status,
                        time_str(c.not_after),
                        c.subject
                    );
                }
            }
        }
        CaCommand::Show {
            data_dir,
            serial,
            json,
        } => {
            let store = open(&data_dir, database).await?;
            let c = Operator::new(&store, &SystemClock, &cli_operator())
                .certificate(&serial)
                .await?;
            let pem = pki::cert_pem(&pki::cert_from_der(&c.der)?)?;
            if json {
                let mut v = cert_json(&c);
                if let Some(o) = v.as_object_mut() {
                    o.insert("pem".into(), json!(pem));
                }
                println!("{v}");
            } else {
                println!("serial:     {}", c.serial);
                println!("status:     {}", c.status);
                if let (Some(at), Some(r)) = (c.revoked_at, c.revocation_reason) {
                    println!("revoked:    {} ({})", time_str(at), Reason::name_of(r));
                }
                println!("subject:    {}", c.subject);
                println!("profile:    {}", c.profile);
                println!("not before: {}", time_str(c.not_before));
                println!("not after:  {}", time_str(c.not_after));
                println!("issued:     {} to {}", time_str(c.issued_at), c.requester);
                if let Some(r) = &c.replaces {
                    println!("replaces:   {r}");
                }
                print!("{pem}");
            }
        }
        CaCommand::Revoke {
            data_dir,
            serial,
            reason,
        } => {
            let store = open(&data_dir, database).await?;
            let reason = Reason::parse(&reason).map_err(flagged)?;
            let serial = Operator::new(&store, &SystemClock, &cli_operator())
                .revoke(&serial, reason)
                .await?;
            println!("{serial}: revoked ({})", Reason::name_of(reason.code()));
        }
        CaCommand::SignRootCrl {
            data_dir,
            valid_for,
        } => {
            if !pki::is_bootstrapped(&data_dir) {
                bail!("{} is not a Signet data directory", data_dir.display());
            }
            let valid = parse_duration(&valid_for)?;
            if valid == 0 || valid > 366 * 86_400 {
                bail!("--valid-for must be between 1 s and 366 days");
            }
            let (_, key, issuer) = pki::load_root(&data_dir)?;
            std::fs::create_dir_all(data_dir.join("crl"))?;
            let (number, until) = pki::write_root_crl(&data_dir, &issuer, &*key, valid)?;
            let until = i64::try_from(until)?;
            tracing::info!(number, "root CRL signed");
            println!(
                "{}: root CRL number {number}, valid until {}",
                data_dir.join("crl/root.crl").display(),
                time_str(until)
            );
        }
    }
    Ok(())
}

pub(crate) async fn audit(cmd: AuditCommand, database: Option<&str>) -> Result<()> {
    use crate::audit::Verifier;
    let (data_dir, head, export) = match &cmd {
        AuditCommand::Verify { data_dir, head } => (data_dir, head.as_deref(), None),
        AuditCommand::Export { data_dir, json } => (data_dir, None, Some(*json)),
    };
    let expected_head = head
        .map(|h| hex::decode(h.trim()).context("--head must be hex"))
        .transpose()?;
    let store = open(data_dir, database).await?;
    let mut verifier = Verifier::default();
    let mut seen_head = false;
    let mut after = 0;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    loop {
        let page = store.audit_records(after).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            match export {
                Some(true) => writeln!(out, "{}", serde_json::to_string(r)?)?,
                Some(false) => writeln!(
                    out,
                    "{:>6} {} {:<22} {:<24} {} {}",
                    r.seq,
                    time_str(r.at),
                    r.action,
                    r.actor,
                    r.target.as_deref().unwrap_or("-"),
                    r.detail
                )?,
                None => {}
            }
            if let Err(broken) = verifier.push(r) {
                out.flush()?;
                bail!("the audit log is broken: {broken}");
            }
            if expected_head.as_deref() == Some(r.hash.as_slice()) {
                seen_head = true;
            }
        }
    }
    out.flush()?;
    let (count, last) = verifier.finish();
    if expected_head.is_some() && !seen_head {
        bail!(
            "the audit log is broken: no record has the head hash given (records were removed \
             or changed since it was taken)"
        );
    }
    if export.is_none() {
        match last {
            Some((seq, hash)) => println!(
                "audit log intact: {count} records; head: record {seq}, hash {}",
                hex::encode(hash)
            ),
            None => println!("audit log intact: no records yet"),
        }
    }
    Ok(())
}

pub(crate) fn keys(cmd: KeysCommand) -> Result<()> {
    match cmd {
        KeysCommand::ToPkcs11 {
            data_dir,
            module,
            token_label,
            pin_env,
            pin_file,
            roles,
            keep_files,
        } => {
            use crate::keys::{KeysConfig, Role, pkcs11};
            if !pki::is_bootstrapped(&data_dir) {
                bail!("{} is not a Signet data directory", data_dir.display());
            }
            let roles: Vec<Role> = if roles.is_empty() {
                vec![Role::IssuingCa, Role::CmpSigner, Role::Tsa]
            } else {
                roles
                    .iter()
                    .map(|r| Role::parse(r))
                    .collect::<Result<_>>()?
            };
            let mut config = KeysConfig::load(&data_dir)?;
            let mut cfg = match config.pkcs11.take() {
                Some(c) if c.module != module || c.token_label != token_label => bail!(
                    "keys.toml already names token {:?} in {}; one token per data directory",
                    c.token_label,
                    c.module.display()
                ),
                Some(c) => c,
                None => pkcs11::Config {
                    module,
                    token_label,
                    pin_env: None,
                    pin_file: None,
                    roles: Vec::new(),
                },
            };
            if pin_env.is_some() || pin_file.is_some() {
                cfg.pin_env = pin_env;
                cfg.pin_file = pin_file;
            }
            if cfg.pin_env.is_none() && cfg.pin_file.is_none() {
                bail!("say where the token PIN is: --pin-env VAR or --pin-file FILE");
            }
            let token = pkcs11::Token::open(&cfg, &data_dir)?;
            for role in &roles {
                if cfg.roles.iter().any(|r| r == role.name()) {
                    bail!(
                        "keys.toml already puts the {} key on the token",
                        role.name()
                    );
                }
            }
            for role in roles {
                let key_file = data_dir.join("keys").join(role.file());
                let cert = pki::load_cert(&data_dir.join("trust").join(role.certificate()))?;
                let spki = cert.tbs_certificate().subject_public_key_info().to_der()?;
                pki::check_private(&key_file)?;
                let text = std::fs::read_to_string(&key_file)
                    .with_context(|| format!("reading {}", key_file.display()))?;
                let (label, der) = signet_asn1_types::der::pem::decode_vec(text.as_bytes())
                    .map_err(|e| anyhow!("{}: {e}", key_file.display()))?;
                if label != "PRIVATE KEY" {
                    bail!("{}: expected a PKCS#8 PRIVATE KEY", key_file.display());
                }
                let der = zeroize::Zeroizing::new(der);
                token.import(role, &der, &spki)?;
                // Recorded before the file goes: a crash in between leaves both, never none.
                cfg.roles.push(role.name().to_owned());
                config.pkcs11 = Some(cfg.clone());
                config.save(&data_dir)?;
                if keep_files {
                    println!(
                        "{}: on the token as {:?} (file kept)",
                        role.name(),
                        role.label()
                    );
                } else {
                    std::fs::remove_file(&key_file)
                        .with_context(|| format!("removing {}", key_file.display()))?;
                    println!(
                        "{}: on the token as {:?}; {} removed",
                        role.name(),
                        role.label(),
                        key_file.display()
                    );
                }
            }
        }
    }
    Ok(())
}

/// After the first start: registers one subscriber and prints the commands to enroll it, sign
/// and verify an asset, and register more subscribers. The commands run as printed from any
/// directory: paths are absolute, `signet` is this binary's own path (a newcomer who ran
/// `cargo run` has no `signet` on PATH), and every argument is shell-quoted where it needs it.
pub(crate) async fn print_first_steps(dir: &Path, url: &str, ca: &Ca) -> Result<()> {
    let subject = "/CN=C2PA Claim Signer 1/O=Signet Development/C=US";
    let registered = register_one(
        &ca.pki.policy,
        &ca.pki.sealer,
        &ca.store,
        subject,
        "signet-first-start",
    )
    .await?;
    let codes = registered.codes;
    let (reference, secret) = codes
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no code registered"))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))?;
    let trust = dir.join("trust");
    let file = |p: PathBuf| shell_quote(&p.display().to_string());
    let signet = std::env::current_exe().map_or_else(|_| "signet".to_owned(), &file);
    let server = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    let recipient = dn::to_openssl(ca.pki.cmp_cert.tbs_certificate().subject());
    println!("Signet: development PKI created in {}", dir.display());
    println!("  root CA:       {}", trust.join("root.pem").display());
    println!(
        "  issuing CA:    {}",
        trust.join("issuing-ca.pem").display()
    );
    println!(
        "  CMP signer:    {}",
        trust.join("cmp-signer.pem").display()
    );
    println!("  chain:         {}", trust.join("chain.pem").display());
    println!("  policy:        {}", dir.join("policy.toml").display());
    println!();
    println!("A one-time code was registered for {subject}. Enroll a C2PA claim-signing");
    println!("certificate with OpenSSL, from any directory (the code works once):");
    println!();
    println!("  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signer.key");
    // `openssl cmp -out_trusted` takes a list split at commas and whitespace, with no quoting:
    // a root path with either is copied next to the key first.
    let root_path = trust.join("root.pem").display().to_string();
    let out_trusted = if root_path.contains(|c: char| c == ',' || c.is_whitespace()) {
        println!("  cp {} signet-root.pem", shell_quote(&root_path));
        "signet-root.pem".to_owned()
    } else {
        shell_quote(&root_path)
    };
    println!(
        "  openssl cmp -server {server} -path /.well-known/cmp -cmd ir -ref {} \
         -secret {} -recipient {} -newkey signer.key -subject {} -certout signer.pem \
         -out_trusted {}",
        shell_quote(&reference),
        shell_quote(&format!("pass:{}", secret.as_str())),
        shell_quote(&recipient),
        shell_quote(subject),
        out_trusted
    );
    println!();
    if url.starts_with("http://") {
        let root = file(trust.join("root.pem"));
        println!("Then sign an asset with it (photo.jpg: any JPEG or PNG of yours), time-stamped");
        println!(
            "by this server's TSA ({url}/tsa) and with its OCSP answer stapled, and verify it:"
        );
        println!();
        println!(
            "  cat signer.pem {} > signer-chain.pem",
            file(trust.join("chain.pem"))
        );
        println!(
            "  {signet} c2pa sign photo.jpg signed.jpg --cert signer-chain.pem --key signer.key \
             --tsa {url}/tsa --ocsp-staple"
        );
        println!("  {signet} c2pa verify signed.jpg --trust-anchors {root} --tsa-anchors {root}");
        println!();
    }
    println!("More subscribers (a one-time reference number and code each):");
    println!();
    println!(
        "  {signet} ra register --data-dir {} --subject {}",
        file(dir.clone()),
        shell_quote("/CN=C2PA Claim Signer 2/O=Signet Development/C=US")
    );
    println!();
    println!(
        "({signet} is this binary; `cargo install --path crates/signet` in the repository puts it \
         on PATH as `signet`.)"
    );
    println!();
    Ok(())
}

/// `arg` as one POSIX shell word: unchanged when it has only characters no shell treats
/// specially, else in single quotes (a `'` inside as `'\''`).
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./-_".contains(&b));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
