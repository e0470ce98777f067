//! Per-call-type service-level thresholds: a wait (`"20s"`, judged when the contact is
//! answered) or business time (`"4 business hours"`, `"1 business day"`, judged when its
//! handling ends), and the business-time rules of docs/model.md ("Email and business-time
//! service levels"), written on top of [`WeekClock`]'s open-hours queries.
//!
//! Rules (the only reading; they move the figure by several points):
//! - open hours run from opening up to, not including, closing; business time counts open
//!   hours only; an item is *answered* when its handling ends (the reply is sent);
//! - the clock starts at receipt if the center is open, otherwise at the next opening;
//! - "N business hours": business time from clock start to answer ≤ N hours;
//! - "N business days": answered by the same clock time as the clock start on the N-th next
//!   open day, moved to that day's opening if it opens later and to its close if it closes
//!   earlier (Fri 16:30 with Mon–Fri 08–17 → Mon 16:30; Sat 12:00 → Mon 08:00 → Tue 08:00).

use super::week::WeekClock;

/// Longest `"N business days"` accepted: a year of working days is already far beyond any
/// promise a center makes.
pub const MAX_BUSINESS_DAYS: u32 = 366;

/// A call type's service-level threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlThreshold {
    /// Answered (reached an agent) within this many seconds of waiting: the classic
    /// telephone service level.
    Wait(f64),
    /// Handling ended within this many seconds of business time after the clock start.
    BusinessSeconds(f64),
    /// Handling ended by the deadline on the N-th next open day (N ≥ 1).
    BusinessDays(u32),
}

impl SlThreshold {
    /// True for the business-time forms (judged when handling ends, on the calendar).
    pub fn is_business(self) -> bool {
        !matches!(self, SlThreshold::Wait(_))
    }

    /// Parses a threshold string: a duration is handled by the caller (`parse_duration`);
    /// this reads `"N business hours"` (N > 0, fractions allowed) and `"N business days"`
    /// (a whole N from 1), singular or plural, any case. `None` for anything else.
    pub fn parse_business(s: &str) -> Option<SlThreshold> {
        let lower = s.trim().to_ascii_lowercase();
        let mut words = lower.split_whitespace();
        let (Some(n), Some("business"), Some(unit), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return None;
        };
        match unit {
            "hour" | "hours" => {
                let h: f64 = n.parse().ok()?;
                (h.is_finite() && h > 0.0 && h <= 24.0 * 366.0)
                    .then_some(SlThreshold::BusinessSeconds(h * 3600.0))
            }
            "day" | "days" => {
                let d: u32 = n.parse().ok()?;
                (1..=MAX_BUSINESS_DAYS)
                    .contains(&d)
                    .then_some(SlThreshold::BusinessDays(d))
            }
            _ => None,
        }
    }
}

/// The `"N business days"` deadline of an item received at `t` (see the module rules):
/// `None` when the center never opens. For N = 1 it is
/// [`WeekClock::next_business_day_deadline`] itself.
pub fn business_days_deadline(clock: &WeekClock, t: f64, n: u32) -> Option<f64> {
    if n <= 1 {
        return clock.next_business_day_deadline(t);
    }
    let start = clock.next_opening(t)?;
    let (d0, _, tod) = clock.at(start);
    // The center opens at least once a week, so the N-th open day is within 7·N days.
    let mut left = n;
    for d in d0 + 1..=d0 + 7 * n as usize {
        let Some(h) = clock.hours(clock.weekday_of_day(d)) else {
            continue;
        };
        left -= 1;
        if left == 0 {
            let clamped = tod.clamp(f64::from(h.open), f64::from(h.close));
            return Some(clock.day_start(d) + clamped);
        }
    }
    None
}

/// Whether an item received at `arrival` and answered (handling ended) at `answered` meets
/// a business-time threshold; a [`SlThreshold::Wait`] is never judged here (false). A
/// center that never opens meets nothing (validation refuses such scenarios).
pub fn met_in_business_time(
    clock: &WeekClock,
    threshold: SlThreshold,
    arrival: f64,
    answered: f64,
) -> bool {
    match threshold {
        SlThreshold::Wait(_) => false,
        // Closed time counts nothing, so business time from the clock start (the next
        // opening) equals business time from receipt.
        SlThreshold::BusinessSeconds(limit) => {
            clock.open_seconds_between(arrival, answered) <= limit
        }
        SlThreshold::BusinessDays(n) => {
            business_days_deadline(clock, arrival, n).is_some_and(|d| answered <= d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::week::{OpenHours, Weekday, DAY_S};

    const H: f64 = 3600.0;

    /// Mon–Fri 08:00–17:00, clock starting Mon 00:00.
    fn office() -> WeekClock {
        let wk = Some(OpenHours::parse("08:00-17:00").unwrap());
        WeekClock::new(Weekday::Mon, 0.0, [wk, wk, wk, wk, wk, None, None])
    }

    fn at(d: f64, h: f64) -> f64 {
        d * DAY_S + h * H
    }

    #[test]
    fn parses_business_forms_only() {
        let p = SlThreshold::parse_business;
        assert_eq!(p("1 business day"), Some(SlThreshold::BusinessDays(1)));
        assert_eq!(p(" 2 Business Days "), Some(SlThreshold::BusinessDays(2)));
        assert_eq!(
            p("4 business hours"),
            Some(SlThreshold::BusinessSeconds(4.0 * H))
        );
        assert_eq!(
            p("0.5 business hour"),
            Some(SlThreshold::BusinessSeconds(0.5 * H))
        );
        for bad in [
            "0 business days",
            "1.5 business days",
            "-1 business days",
            "0 business hours",
            "1 business week",
            "1 day",
            "business day",
            "20s",
            "NaN business hours",
            "inf business hours",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    /// The examples: Fri 16:30 → Mon 16:30; Sat 12:00 or Sun → clock starts Mon
    /// 08:00 → Tue 08:00.
    #[test]
    fn one_business_day_examples() {
        let c = office();
        let fri = at(4.0, 16.5);
        assert_eq!(business_days_deadline(&c, fri, 1), Some(at(7.0, 16.5)));
        assert_eq!(
            business_days_deadline(&c, at(5.0, 12.0), 1),
            Some(at(8.0, 8.0))
        );
        assert_eq!(
            business_days_deadline(&c, at(6.0, 3.0), 1),
            Some(at(8.0, 8.0))
        );
        // Closing time itself is closed: 17:00 Monday starts the clock Tue 08:00.
        assert_eq!(
            business_days_deadline(&c, at(0.0, 17.0), 1),
            Some(at(2.0, 8.0))
        );
        let one = SlThreshold::BusinessDays(1);
        assert!(met_in_business_time(&c, one, fri, at(7.0, 16.5)));
        assert!(!met_in_business_time(&c, one, fri, at(7.0, 16.5) + 1.0));
    }

    /// N business days: the N-th next open day, clamped to its hours; N = 1 is the week
    /// clock's own deadline.
    #[test]
    fn n_business_days() {
        let c = office();
        // Thu 10:00 + 2 business days → Mon 10:00.
        assert_eq!(
            business_days_deadline(&c, at(3.0, 10.0), 2),
            Some(at(7.0, 10.0))
        );
        // A short Friday (08–12): Wed 15:00 + 2 → Fri 12:00 (its close).
        let wk = Some(OpenHours::parse("08:00-17:00").unwrap());
        let fri = Some(OpenHours::parse("08:00-12:00").unwrap());
        let short = WeekClock::new(Weekday::Mon, 0.0, [wk, wk, wk, wk, fri, None, None]);
        assert_eq!(
            business_days_deadline(&short, at(2.0, 15.0), 2),
            Some(at(4.0, 12.0))
        );
        for t in [at(0.0, 3.0), at(2.0, 9.25), at(4.0, 16.5), at(5.0, 12.0)] {
            assert_eq!(
                business_days_deadline(&c, t, 1),
                c.next_business_day_deadline(t)
            );
        }
        let never = WeekClock::new(Weekday::Mon, 0.0, [None; 7]);
        assert_eq!(business_days_deadline(&never, 0.0, 3), None);
        assert!(!met_in_business_time(
            &never,
            SlThreshold::BusinessDays(1),
            0.0,
            1.0
        ));
    }

    /// "N business hours" counts open time only: Mon 16:00 → Tue 09:00 is 2 business hours.
    #[test]
    fn business_hours() {
        let c = office();
        let four = SlThreshold::BusinessSeconds(4.0 * H);
        assert!(met_in_business_time(&c, four, at(0.0, 16.0), at(1.0, 11.0)));
        assert!(!met_in_business_time(
            &c,
            four,
            at(0.0, 16.0),
            at(1.0, 11.0) + 1.0
        ));
        // Received Saturday: the clock starts Monday 08:00.
        assert!(met_in_business_time(&c, four, at(5.0, 10.0), at(7.0, 12.0)));
        assert!(!met_in_business_time(&c, SlThreshold::Wait(20.0), 0.0, 0.0));
    }
}
