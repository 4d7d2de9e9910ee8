//! Backoff between fetch attempts: exponential with jitter, and the
//! server's `Retry-After` when it sends one.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

/// The delay before retry number `retry` (0 = the first retry): `base *
/// 2^retry`, capped at `max`, then jittered to between half and all of it,
/// so that many workers retrying one host do not come back in step.
pub fn backoff(retry: u32, base: Duration, max: Duration) -> Duration {
    let full = base
        .saturating_mul(2u32.saturating_pow(retry.min(20)))
        .min(max);
    let half = full / 2;
    half + half.mul_f64(random_fraction())
}

/// A number in `[0, 1)`, different on every call (std's per-map hash keys
/// are random; no RNG crate is needed for jitter).
fn random_fraction() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Reads a `Retry-After` value: delay-seconds, or an HTTP date (a date in
/// the past is no delay). `now` is passed in for tests.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for retry in 0..10 {
            let full = (base * 2u32.pow(retry)).min(max);
            let delay = backoff(retry, base, max);
            assert!(delay >= full / 2 && delay <= full, "{retry}: {delay:?}");
        }
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| backoff(5, base, max)).collect();
        assert!(delays.len() > 1, "jitter varies the delay");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
