//! Running a whole client transaction over a caller-supplied [`Transport`].
//!
//! The engine stays sans-I/O: the transport sends bytes (HTTP POST per RFC 9811, a file, a
//! test harness), reads the clock and sleeps between polls; these functions only sequence the
//! states of [`super`]. The number of polls and the waits are bounded by
//! [`ClientConfig::max_polls`](super::ClientConfig::max_polls) and
//! [`ClientConfig::max_check_after`](super::ClientConfig::max_check_after).

use signet_asn1_types::cmp::{InfoTypeAndValue, PkiFailureBit, PkiStatusInfo};

use super::{Asking, Client, ClientError, EnrollStep, Enrolled, Enrolling, Revoking};

/// Moves request bytes to the server and back.
pub trait Transport {
    /// The transport's own failure.
    type Error;
    /// Sends `request` and returns the response body.
    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error>;
    /// Waits `seconds` before the next pollReq.
    fn wait(&mut self, seconds: u64) -> Result<(), Self::Error>;
    /// Now, seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// Why a driven transaction failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriveError<E> {
    /// The transport failed.
    Transport(E),
    /// The protocol failed.
    Cmp(ClientError),
}

impl<E> From<ClientError> for DriveError<E> {
    fn from(e: ClientError) -> Self {
        Self::Cmp(e)
    }
}

impl<E: core::fmt::Display> core::fmt::Display for DriveError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport: {e}"),
            Self::Cmp(e) => write!(f, "{e}"),
        }
    }
}

impl<E: core::fmt::Debug + core::fmt::Display> std::error::Error for DriveError<E> {}

/// The caller's verdict on a received certificate before certConf: `Err((bit, text))`
/// rejects it (e.g. it does not chain to the caller's trust anchor).
pub type CertificateCheck<'c> = &'c dyn Fn(&Enrolled) -> Result<(), (PkiFailureBit, String)>;

/// Accepts every certificate the engine accepts (it checks the key itself).
pub fn accept_all(_: &Enrolled) -> Result<(), (PkiFailureBit, String)> {
    Ok(())
}

/// Runs an enrollment started with [`Client::ir`]/[`cr`](Client::cr)/[`kur`](Client::kur)/
/// [`p10cr`](Client::p10cr) to its end: answers a POP challenge, polls while the server asks,
/// confirms (or rejects, per `check`) the certificate and takes the pkiConf.
pub fn enrollment<T: Transport>(
    client: &Client<'_>,
    start: (Vec<u8>, Enrolling),
    check: CertificateCheck<'_>,
    transport: &mut T,
) -> Result<Enrolled, DriveError<T::Error>> {
    let (mut request, mut state) = start;
    loop {
        let response = transport
            .exchange(&request)
            .map_err(DriveError::Transport)?;
        match state.handle(client, &response, transport.now())? {
            EnrollStep::Done(enrolled) => return Ok(enrolled),
            EnrollStep::Answer { popdecr, next } => {
                (request, state) = (popdecr, next);
            }
            EnrollStep::Poll(polling) => {
                transport
                    .wait(polling.check_after())
                    .map_err(DriveError::Transport)?;
                (request, state) = polling.request(client, transport.now())?;
            }
            EnrollStep::Issued(issued) => {
                let (cert_conf, confirming) = match check(issued.enrolled()) {
                    Ok(()) => issued.accept(client, transport.now())?,
                    Err((bit, text)) => issued.reject(client, bit, &text, transport.now())?,
                };
                let response = transport
                    .exchange(&cert_conf)
                    .map_err(DriveError::Transport)?;
                return Ok(confirming.handle(client, &response, transport.now())?);
            }
        }
    }
}

/// Runs a revocation started with [`Client::rr`].
pub fn revocation<T: Transport>(
    client: &Client<'_>,
    start: (Vec<u8>, Revoking),
    transport: &mut T,
) -> Result<Vec<PkiStatusInfo>, DriveError<T::Error>> {
    let (request, state) = start;
    let response = transport
        .exchange(&request)
        .map_err(DriveError::Transport)?;
    Ok(state.handle(client, &response, transport.now())?)
}

/// Runs a general message exchange started with [`Client::genm`].
pub fn general<T: Transport>(
    client: &Client<'_>,
    start: (Vec<u8>, Asking),
    transport: &mut T,
) -> Result<Vec<InfoTypeAndValue>, DriveError<T::Error>> {
    let (request, state) = start;
    let response = transport
        .exchange(&request)
        .map_err(DriveError::Transport)?;
    Ok(state.handle(client, &response, transport.now())?)
}
