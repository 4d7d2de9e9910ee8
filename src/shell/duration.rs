//! Human durations on the command line: `500ms`, `30s`, `2m`, `1h`, `7d`, or
//! a bare number of seconds. Parsing only; no clock.

use std::time::Duration;

/// Parses `"<number><unit>"` with unit `ms`, `s`, `m`, `h` or `d` (a bare
/// number is seconds; the number may have a fraction: `1.5s`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 500ms, 30s, 2m or 1h"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86400.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}: use ms, s, m, h or d"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("{text:?}: {err}"))
}

/// Formats a duration the way [`parse_duration`] reads it, for messages.
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if !millis.is_multiple_of(1000) {
        format!("{millis}ms")
    } else if !millis.is_multiple_of(60_000) || millis == 0 {
        format!("{}s", millis / 1000)
    } else if !millis.is_multiple_of(3_600_000) {
        format!("{}m", millis / 60_000)
    } else {
        format!("{}h", millis / 3_600_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<u64, ()>) {
        let got = parse_duration(text)
            .map(|d| d.as_millis() as u64)
            .map_err(|_| ());
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn parses_units() {
        check("500ms", Ok(500));
        check("30s", Ok(30_000));
        check("30", Ok(30_000));
        check("1.5s", Ok(1_500));
        check("2m", Ok(120_000));
        check("1h", Ok(3_600_000));
        check("7d", Ok(604_800_000));
        check("", Err(()));
        check("s", Err(()));
        check("3 weeks", Err(()));
        check("-1s", Err(()));
    }

    #[test]
    fn formats_round_trip() {
        for text in ["500ms", "30s", "2m", "1h", "0s", "90s"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d, "{text}");
        }
    }
}
