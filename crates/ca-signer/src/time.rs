//! Time helpers: the RFC 5280 §4.1.2.5 encoding rule and day arithmetic on [`DateTime`].
//!
//! "CAs conforming to this profile MUST always encode certificate validity dates through the
//! year 2049 as UTCTime; certificate validity dates in 2050 or later MUST be encoded as
//! GeneralizedTime." The same rule holds for CRL `thisUpdate`/`nextUpdate` (§5.1.2.4) and
//! revocation dates (§5.1.2.6).

use core::time::Duration;

use signet_asn1_types::der::DateTime;
use signet_asn1_types::der::asn1::{GeneralizedTime, UtcTime};
use signet_asn1_types::x509_cert::time::Time;

/// Seconds in a day.
pub(crate) const DAY: u64 = 86_400;

/// `time` as an RFC 5280 `Time`: UTCTime through 2049, GeneralizedTime from 2050.
pub(crate) fn rfc5280_time(time: DateTime) -> Time {
    if time.year() < 2050
        && let Ok(utc) = UtcTime::from_date_time(time)
    {
        return Time::UtcTime(utc);
    }
    Time::GeneralTime(GeneralizedTime::from_date_time(time))
}

/// Whether `time` is encoded as RFC 5280 requires.
pub(crate) fn is_rfc5280_encoded(time: &Time) -> bool {
    match time {
        Time::UtcTime(_) => true,
        Time::GeneralTime(t) => t.to_date_time().year() >= 2050,
    }
}

/// `time + seconds`, or `None` beyond the representable range.
pub(crate) fn add_seconds(time: DateTime, seconds: u64) -> Option<DateTime> {
    let sum = time
        .unix_duration()
        .checked_add(Duration::from_secs(seconds))?;
    DateTime::from_unix_duration(sum).ok()
}

/// Seconds since the epoch.
pub(crate) fn secs(time: DateTime) -> u64 {
    time.unix_duration().as_secs()
}
