//! `signet portal add|reset`: the people of the portal's authentication bases. A directory
//! account gets the password read from standard input (one line); an eligibility entry gets
//! a secret the CA makes, printed once for handing over out of band. Either is stored only
//! as an argon2id hash, and the change is in the audit log (without the secret).

use std::io::BufRead as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Subcommand;
use signet_ra_policy::AuthenticationBase;
use zeroize::Zeroizing;

use crate::operator::Clock as _;
use crate::portal::{Base, NewSubscriber};
use crate::store::{Op, WriteError};

/// `signet portal …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PortalCommand {
    /// Add a person to an authentication base of the self-service portal: `directory` (the
    /// password is read from standard input) or `eligibility` (a secret is made and printed
    /// once). Their registrations are for --subject, --san and --profile.
    Add {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        /// directory or eligibility.
        #[arg(long)]
        base: String,
        /// Account name or enrolment number.
        #[arg(long)]
        id: String,
        #[arg(long)]
        subject: String,
        #[arg(long = "san", value_name = "email:|DNS:|URI:…")]
        sans: Vec<String>,
        #[arg(long)]
        profile: Option<String>,
    },
    /// Give a person a new password (directory, from standard input) or a new secret
    /// (eligibility, printed once), and unlock their entry.
    Reset {
        #[arg(long, default_value = "./signet-data")]
        data_dir: PathBuf,
        #[arg(long)]
        base: String,
        #[arg(long)]
        id: String,
    },
}

fn base_of(s: &str) -> Result<Base> {
    Base::parse(s).ok_or_else(|| anyhow::anyhow!("--base {s:?}: expected directory or eligibility"))
}

/// The directory password from standard input, or a new eligibility secret (and whether to
/// print it).
fn secret_for(base: Base) -> Result<(Zeroizing<String>, bool)> {
    match base.0 {
        AuthenticationBase::Directory => {
            let mut line = Zeroizing::new(String::new());
            std::io::stdin().lock().read_line(&mut line)?;
            let password = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
            crate::password::acceptable(&password)
                .map_err(|why| anyhow::anyhow!("the password (standard input): {why}"))?;
            Ok((password, false))
        }
        AuthenticationBase::Eligibility => Ok((crate::password::new_secret()?, true)),
    }
}

pub(crate) async fn portal(cmd: PortalCommand, database: Option<&str>) -> Result<()> {
    let clock = crate::operator::SystemClock;
    let actor = super::cli_operator();
    match cmd {
        PortalCommand::Add {
            data_dir,
            base,
            id,
            subject,
            sans,
            profile,
        } => {
            let base = base_of(&base)?;
            let store = super::open(&data_dir, database).await?;
            let (policy, _) = crate::pki::load_registrar(&data_dir)?;
            let (secret, show) = secret_for(base)?;
            let row = crate::portal::new_subscriber(
                &policy,
                &NewSubscriber {
                    base,
                    id: &id,
                    secret: secret.as_bytes(),
                    subject: &subject,
                    sans: &sans,
                    profile: profile.as_deref(),
                },
                clock.now(),
            )?;
            let audit = crate::audit::op(
                clock.now(),
                format!("operator:{actor}"),
                crate::audit::action::SUBSCRIBER_ENROLLED,
                Some(format!("{}:{id}", base.as_str())),
                &serde_json::json!({"subject": row.subject, "profile": row.profile,
                                    "subject_alt_names": sans}),
            );
            let subject = row.subject.clone();
            match store.write(vec![Op::InsertSubscriber(row), audit]).await {
                Ok(()) => {}
                Err(WriteError::Conflict { .. }) => {
                    bail!(
                        "{} already lists {id:?} (use `signet portal reset`)",
                        base.as_str()
                    )
                }
                Err(e) => return Err(e.into()),
            }
            println!("{}:{id}: {subject}", base.as_str());
            if show {
                println!("secret: {}", secret.as_str());
            }
        }
        PortalCommand::Reset { data_dir, base, id } => {
            let base = base_of(&base)?;
            let store = super::open(&data_dir, database).await?;
            let (secret, show) = secret_for(base)?;
            let op = Op::SetSubscriberSecret {
                base: base.as_str(),
                id: id.clone(),
                secret_hash: crate::password::hash(secret.as_bytes())?,
            };
            let audit = crate::audit::op(
                clock.now(),
                format!("operator:{actor}"),
                crate::audit::action::SUBSCRIBER_ENROLLED,
                Some(format!("{}:{id}", base.as_str())),
                &serde_json::json!({"reset": true}),
            );
            match store.write(vec![op, audit]).await {
                Ok(()) => {}
                Err(WriteError::Conflict { .. }) => bail!("{} lists no {id:?}", base.as_str()),
                Err(e) => return Err(e.into()),
            }
            println!("{}:{id}: new secret set, unlocked", base.as_str());
            if show {
                println!("secret: {}", secret.as_str());
            }
        }
    }
    Ok(())
}
