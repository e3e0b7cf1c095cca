//! Reconnection policy: what a close code means, and how long to wait before the next try.

use std::time::Duration;

/// What to do after the socket closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconnect {
    /// Try again after a back-off that grows with each failed attempt.
    Backoff,
    /// Try again now.
    Immediately,
    /// Try again now, over TLS (close code 4000).
    WithTls,
    /// Do not try again: the server refused this client (4001–4099).
    Never,
}

/// Maps a close code (or `None` for a network error) to the Pusher protocol's policy.
///
/// 4000 asks for TLS; 4001–4099 refuse; 4100–4199 ask for a back-off; 4200–4299 ask for an
/// immediate retry; anything else is treated as a network problem and backed off.
pub fn on_close(code: Option<u16>) -> Reconnect {
    match code {
        Some(4000) => Reconnect::WithTls,
        Some(4001..=4099) => Reconnect::Never,
        Some(4200..=4299) => Reconnect::Immediately,
        _ => Reconnect::Backoff,
    }
}

/// Delay before retry number `attempt` (1-based): 1 s, 2 s, 4 s, … capped at `cap` (30 s by
/// default, `maxReconnectGapInSeconds`), plus up to a quarter more of jitter from `unit` (a
/// number in `[0, 1)`).
pub fn backoff(attempt: u32, unit: f64, cap: Duration) -> Duration {
    const BASE_MS: u64 = 1_000;
    let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    let exp = attempt.saturating_sub(1).min(16);
    let nominal = (BASE_MS << exp).min(cap_ms);
    let jitter = (nominal as f64 * 0.25 * unit.clamp(0.0, 1.0)) as u64;
    Duration::from_millis(nominal + jitter)
}

/// A small xorshift generator for jitter; seeded, so schedules can be replayed in tests.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A generator from `seed` (zero is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Self {
        Jitter(if seed == 0 {
            0x2545_f491_4f6c_dd1d
        } else {
            seed
        })
    }
    /// The next number in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_code_table() {
        let table = [
            (None, Reconnect::Backoff),
            (Some(1000), Reconnect::Backoff),
            (Some(1006), Reconnect::Backoff),
            (Some(4000), Reconnect::WithTls),
            (Some(4001), Reconnect::Never),
            (Some(4009), Reconnect::Never),
            (Some(4099), Reconnect::Never),
            (Some(4100), Reconnect::Backoff),
            (Some(4199), Reconnect::Backoff),
            (Some(4200), Reconnect::Immediately),
            (Some(4201), Reconnect::Immediately),
            (Some(4299), Reconnect::Immediately),
            (Some(4300), Reconnect::Backoff),
            (Some(3999), Reconnect::Backoff),
        ];
        for (code, want) in table {
            assert_eq!(on_close(code), want, "code {code:?}");
        }
    }

    #[test]
    fn backoff_table() {
        let ms = |a, u| backoff(a, u, Duration::from_secs(30)).as_millis();
        assert_eq!(ms(1, 0.0), 1_000);
        assert_eq!(ms(2, 0.0), 2_000);
        assert_eq!(ms(3, 0.0), 4_000);
        assert_eq!(ms(5, 0.0), 16_000);
        assert_eq!(ms(6, 0.0), 30_000);
        assert_eq!(ms(60, 0.0), 30_000);
        assert_eq!(ms(1, 0.999_999), 1_249);
        assert_eq!(ms(60, 0.5), 33_750);
        assert_eq!(ms(0, 0.0), 1_000);
        // A smaller cap (maxReconnectGapInSeconds: 5).
        let capped = |a| backoff(a, 0.0, Duration::from_secs(5)).as_millis();
        assert_eq!(
            [capped(1), capped(3), capped(4), capped(9)],
            [1_000, 4_000, 5_000, 5_000]
        );
    }

    #[test]
    fn jitter_stays_in_unit_range() {
        let mut j = Jitter::new(7);
        for _ in 0..1000 {
            let u = j.next_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
