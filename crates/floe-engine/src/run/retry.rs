//! Retry delays: exponential backoff with a cap and jitter; a longer `Retry-After` wins.

use std::time::Duration;

use floe_compiler::RetrySettings;

/// The wait after failed attempt `attempt` (from 1) before the next one. `unit` is a uniform
/// random number in [0, 1) that spreads the delay by ±`jitter`.
pub fn delay(settings: &RetrySettings, attempt: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(64) as i32;
    let base = settings.initial.as_secs_f64() * settings.multiplier.powi(exponent);
    let capped = base.min(settings.max_delay.as_secs_f64());
    let spread = 1.0 + settings.jitter * (2.0 * unit - 1.0);
    let jittered = Duration::from_secs_f64((capped * spread).clamp(0.0, settings.max_delay.as_secs_f64()));
    match retry_after {
        Some(asked) if asked > jittered => asked,
        _ => jittered,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn settings(jitter: f64) -> RetrySettings {
        RetrySettings {
            attempts: 10,
            initial: Duration::from_millis(100),
            multiplier: 2.0,
            max_delay: Duration::from_millis(1000),
            jitter,
            on: Cow::Borrowed(&[]),
        }
    }

    #[test]
    fn grows_exponentially_up_to_the_cap() {
        let s = settings(0.0);
        let ms: Vec<u128> = (1..=6).map(|a| delay(&s, a, None, 0.5).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn jitter_spreads_both_ways_within_the_cap() {
        let s = settings(0.5);
        assert_eq!(delay(&s, 1, None, 0.0).as_millis(), 50);
        assert_eq!(delay(&s, 1, None, 0.999_999).as_millis(), 149);
        assert_eq!(delay(&s, 9, None, 0.999_999).as_millis(), 1000, "jitter never passes the cap");
    }

    #[test]
    fn a_longer_retry_after_wins() {
        let s = settings(0.0);
        assert_eq!(delay(&s, 1, Some(Duration::from_secs(3)), 0.5), Duration::from_secs(3));
        assert_eq!(delay(&s, 3, Some(Duration::from_millis(10)), 0.5), Duration::from_millis(400));
    }
}
