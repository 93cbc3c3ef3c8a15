//! `GeneralizedTime` with optional fractional seconds, under DER rules.
//!
//! The `der` crate's [`GeneralizedTime`] follows the RFC 5280 profile and rejects fractional
//! seconds. Two protocols Signet speaks allow them:
//!
//! - RFC 3161 §2.4.2 `TSTInfo.genTime` ("`YYYYMMDDhhmmss[.s...]Z`"), which most TSAs fill in with
//!   milli- or microseconds;
//! - RFC 9810 §5.1.1 `PKIHeader.messageTime`, where Bouncy Castle sends milliseconds.
//!
//! [`GeneralizedTimeFrac`] accepts both forms under the DER rules of X.690 §11.7: the time ends in
//! `Z`, seconds are present, the decimal separator is `.`, the fraction has no trailing zeros and
//! a zero fraction is omitted entirely. A value decoded from DER re-encodes to the same bytes.
//!
//! ```text
//! GeneralizedTime ::= [UNIVERSAL 24] IMPLICIT VisibleString
//! -- DER (X.690 §11.7): YYYYMMDDHHMMSS[.f*]Z, no trailing zeros in f, no "." without digits
//! ```

use core::fmt;
use core::time::Duration;

use der::asn1::GeneralizedTime;
use der::{
    DateTime, DecodeValue, EncodeValue, ErrorKind, FixedTag, Header, Length, Reader, Tag, Writer,
};

/// The most fractional-second digits accepted (nanosecond precision).
///
/// X.690 sets no bound; this one keeps the value fixed-size. Real TSAs and CMP peers send at most
/// six digits (OpenSSL's `accuracy` precision is 0–6, Bouncy Castle sends milliseconds).
pub const MAX_FRACTION_DIGITS: usize = 9;

/// Length of `YYYYMMDDHHMMSS`.
const WHOLE_LEN: usize = 14;

/// ASN.1 `GeneralizedTime` that may carry fractional seconds (DER form).
///
/// Ordered by instant: the whole-second time first, then the fraction.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GeneralizedTimeFrac {
    whole: DateTime,
    /// Fraction of a second in nanoseconds, `0..1_000_000_000`.
    nanos: u32,
    /// How many fraction digits the value is written with (0 when `nanos == 0`).
    digits: u8,
}

/// Why a [`GeneralizedTimeFrac`] could not be built from its parts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeFracError {
    /// The nanosecond part is a second or more.
    NanosOutOfRange {
        /// The value given.
        nanos: u32,
    },
}

impl fmt::Display for TimeFracError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NanosOutOfRange { nanos } => {
                write!(f, "fraction of a second out of range: {nanos} ns")
            }
        }
    }
}

impl std::error::Error for TimeFracError {}

impl GeneralizedTimeFrac {
    /// A time with whole seconds and `nanos` nanoseconds; the encoding uses the fewest digits
    /// that represent `nanos` exactly (DER: no trailing zeros).
    ///
    /// # Errors
    /// [`TimeFracError::NanosOutOfRange`] when `nanos >= 1_000_000_000`.
    pub fn new(whole: DateTime, nanos: u32) -> Result<Self, TimeFracError> {
        if nanos >= 1_000_000_000 {
            return Err(TimeFracError::NanosOutOfRange { nanos });
        }
        let mut digits = 0u8;
        if nanos != 0 {
            digits = 9;
            let mut rest = nanos;
            while rest.is_multiple_of(10) {
                rest /= 10;
                digits -= 1;
            }
        }
        Ok(Self {
            whole,
            nanos,
            digits,
        })
    }

    /// The time truncated to whole seconds.
    #[must_use]
    pub const fn whole_seconds(&self) -> DateTime {
        self.whole
    }

    /// The fractional part in nanoseconds.
    #[must_use]
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The number of fraction digits in the encoding (0 for none).
    #[must_use]
    pub fn fraction_digits(&self) -> usize {
        usize::from(self.digits)
    }

    /// Time since the Unix epoch, including the fraction.
    #[must_use]
    pub fn to_unix_duration(&self) -> Duration {
        self.whole.unix_duration() + Duration::from_nanos(u64::from(self.nanos))
    }

    /// Drops the fraction, giving the RFC 5280 form.
    #[must_use]
    pub fn truncate(&self) -> GeneralizedTime {
        GeneralizedTime::from_date_time(self.whole)
    }

    /// The ASCII fraction digits (without the `.`), as written in the encoding.
    fn fraction_ascii(&self) -> ([u8; MAX_FRACTION_DIGITS], usize) {
        let mut out = [b'0'; MAX_FRACTION_DIGITS];
        let mut rest = self.nanos;
        for slot in out.iter_mut().rev() {
            // `rest % 10` is below 10, so it fits a `u8`.
            *slot = b'0' + u8::try_from(rest % 10).unwrap_or(0);
            rest /= 10;
        }
        (out, self.fraction_digits())
    }
}

impl From<GeneralizedTime> for GeneralizedTimeFrac {
    fn from(time: GeneralizedTime) -> Self {
        Self {
            whole: time.to_date_time(),
            nanos: 0,
            digits: 0,
        }
    }
}

impl From<DateTime> for GeneralizedTimeFrac {
    fn from(whole: DateTime) -> Self {
        Self {
            whole,
            nanos: 0,
            digits: 0,
        }
    }
}

impl fmt::Display for GeneralizedTimeFrac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.whole;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            w.year(),
            w.month(),
            w.day(),
            w.hour(),
            w.minutes(),
            w.seconds()
        )?;
        let (ascii, n) = self.fraction_ascii();
        if let Some(frac) = ascii.get(..n).filter(|d| !d.is_empty()) {
            f.write_str(".")?;
            f.write_str(core::str::from_utf8(frac).map_err(|_| fmt::Error)?)?;
        }
        f.write_str("Z")
    }
}

fn two_digits(tag: Tag, pair: &[u8]) -> der::Result<u8> {
    match pair {
        [hi @ b'0'..=b'9', lo @ b'0'..=b'9'] => Ok((hi - b'0') * 10 + (lo - b'0')),
        _ => Err(tag.value_error().into()),
    }
}

/// Parses `YYYYMMDDHHMMSS[.f+]Z` under DER rules.
fn parse(bytes: &[u8]) -> der::Result<GeneralizedTimeFrac> {
    let tag = Tag::GeneralizedTime;
    let err = || der::Error::from(tag.value_error());
    let whole = bytes.get(..WHOLE_LEN).ok_or_else(err)?;
    let rest = bytes.get(WHOLE_LEN..).ok_or_else(err)?;
    let field = |range: core::ops::Range<usize>| -> der::Result<u8> {
        two_digits(tag, whole.get(range).ok_or_else(err)?)
    };
    let year = u16::from(field(0..2)?) * 100 + u16::from(field(2..4)?);
    let dt = DateTime::new(
        year,
        field(4..6)?,
        field(6..8)?,
        field(8..10)?,
        field(10..12)?,
        field(12..14)?,
    )
    .map_err(|_| der::Error::from(ErrorKind::DateTime))?;

    let (last, middle) = rest.split_last().ok_or_else(err)?;
    if *last != b'Z' {
        return Err(err());
    }
    if middle.is_empty() {
        return Ok(dt.into());
    }
    let (dot, frac) = middle.split_first().ok_or_else(err)?;
    if *dot != b'.' || frac.is_empty() || frac.len() > MAX_FRACTION_DIGITS {
        return Err(err());
    }
    if frac.last() == Some(&b'0') {
        // X.690 §11.7.3: trailing zeros are not allowed (and an all-zero fraction is omitted).
        return Err(tag.non_canonical_error().into());
    }
    let mut nanos: u32 = 0;
    for d in frac {
        if !d.is_ascii_digit() {
            return Err(err());
        }
        nanos = nanos * 10 + u32::from(d - b'0');
    }
    for _ in frac.len()..MAX_FRACTION_DIGITS {
        nanos *= 10;
    }
    GeneralizedTimeFrac::new(dt, nanos).map_err(|_| err())
}

impl<'a> DecodeValue<'a> for GeneralizedTimeFrac {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let len = usize::try_from(header.length())?;
        if len > WHOLE_LEN + 2 + MAX_FRACTION_DIGITS {
            return Err(reader.error(Tag::GeneralizedTime.length_error()));
        }
        let mut buf = [0u8; WHOLE_LEN + 2 + MAX_FRACTION_DIGITS];
        let slot = buf
            .get_mut(..len)
            .ok_or_else(|| reader.error(Tag::GeneralizedTime.length_error()))?;
        reader.read_into(slot)?;
        parse(slot).map_err(|e| reader.error(e.kind()))
    }
}

impl EncodeValue for GeneralizedTimeFrac {
    fn value_len(&self) -> der::Result<Length> {
        let frac = match self.fraction_digits() {
            0 => 0,
            n => n + 1,
        };
        Length::try_from(WHOLE_LEN + frac + 1)
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        // The whole-second part is exactly the RFC 5280 encoding minus its trailing `Z`.
        let whole = self.truncate();
        let mut buf = [0u8; WHOLE_LEN + 1];
        let mut w = der::SliceWriter::new(&mut buf);
        whole.encode_value(&mut w)?;
        let encoded = w.finish()?;
        writer.write(encoded.get(..WHOLE_LEN).ok_or(ErrorKind::Overlength)?)?;
        let (ascii, n) = self.fraction_ascii();
        if n > 0 {
            writer.write_byte(b'.')?;
            writer.write(ascii.get(..n).ok_or(ErrorKind::Overlength)?)?;
        }
        writer.write_byte(b'Z')
    }
}

impl FixedTag for GeneralizedTimeFrac {
    const TAG: Tag = Tag::GeneralizedTime;
}

#[cfg(test)]
mod tests;
