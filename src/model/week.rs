//! The week calendar: weekdays, clock times, opening hours and the mapping between simulation
//! time (seconds since the run started) and wall-clock time (day, weekday, time of day).
//!
//! This is the one calendar model of the project: scenario expansion (profiles, shifts),
//! reports (interval labels such as `"Mon 08:30"`) and business-time rules all ask a
//! [`WeekClock`], so they agree on what "Tuesday 09:00" and "open" mean.
//!
//! Conventions (see docs/model.md, "Calendar"):
//! - simulation time 0 is the clock's start (a weekday and a time of day, e.g. Mon 08:00);
//! - day 0 is the start's calendar day, day 1 the next, …; a day runs midnight to midnight;
//! - a day is open from its opening time up to, not including, its closing time; opening
//!   hours lie inside one day (no overnight opening), and a day has one open period or none.
//!
//! Business-time queries for service levels on deferred work: [`WeekClock::open_seconds_between`]
//! ("N business hours") and [`WeekClock::next_business_day_deadline`] ("1 business day").
//!
//! Every query is O(1) except [`WeekClock::next_opening`] and the business-day deadline, which
//! look at most 8 days ahead, and `open_seconds_between`, O(days spanned).

use std::fmt;

/// Seconds in a day.
pub const DAY_S: f64 = 86_400.0;
/// Seconds in a week.
pub const WEEK_S: f64 = 7.0 * DAY_S;

/// A day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Monday to Sunday.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The weekday `i` days after Monday (wrapping every 7).
    pub fn from_index(i: usize) -> Weekday {
        Weekday::ALL[i % 7]
    }

    /// The weekday `days` days later.
    pub fn plus(self, days: usize) -> Weekday {
        Weekday::from_index(self.index() + days % 7)
    }

    /// Three-letter label, as in reports: `"Mon"`.
    pub fn short(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.index()]
    }

    /// Lower-case key, as in scenario files: `"mon"`.
    pub fn key(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }

    /// Full English name: `"Monday"`.
    pub fn name(self) -> &'static str {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][self.index()]
    }

    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Sat | Weekday::Sun)
    }

    /// Parses `"Mon"`, `"mon"`, `"MON"`, `"Monday"` or `"monday"` (three letters or the
    /// full name, any case). `None` for anything else.
    pub fn parse(s: &str) -> Option<Weekday> {
        let lower = s.trim().to_ascii_lowercase();
        Weekday::ALL
            .into_iter()
            .find(|d| lower == d.key() || lower == d.name().to_ascii_lowercase())
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}

/// `"mon"` or a range `"mon-fri"` (wrapping over Sunday, e.g. `"sat-mon"`), any case or full
/// names: the `days` entries of the scenario's `[[shifts]]` and of `ccsim roster`'s shift file.
pub fn day_range(s: &str) -> Option<Vec<Weekday>> {
    match s.split_once('-') {
        None => Weekday::parse(s).map(|d| vec![d]),
        Some((a, b)) => {
            let (a, b) = (Weekday::parse(a)?, Weekday::parse(b)?);
            let n = (b.index() + 7 - a.index()) % 7;
            Some((0..=n).map(|i| a.plus(i)).collect())
        }
    }
}

/// What a weekday or clock-time string must look like, for error messages.
pub const WEEKDAY_ALLOWED: &str =
    "a weekday: Mon, Tue, Wed, Thu, Fri, Sat or Sun (or the full name, any case)";

/// Parses a clock time `"HH:MM"` (or `"HH:MM:SS"`) into seconds after midnight: hours 0–23,
/// or exactly `"24:00"` when `allow_midnight_end` (the end of a day, for closing times).
/// The error says what is allowed.
pub fn parse_clock(s: &str, allow_midnight_end: bool) -> Result<u32, String> {
    let bad = || {
        format!(
            "{s:?} is not a clock time; write HH:MM from 00:00 to {}",
            if allow_midnight_end { "24:00" } else { "23:59" }
        )
    };
    let parts: Vec<&str> = s.trim().split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n = |i: usize| parts.get(i).map_or(0, |p| p.parse::<u32>().unwrap_or(99));
    let (h, m, sec) = (n(0), n(1), n(2));
    if m > 59 || sec > 59 {
        return Err(bad());
    }
    let total = h * 3600 + m * 60 + sec;
    match h {
        0..=23 => Ok(total),
        24 if allow_midnight_end && total == 86_400 => Ok(total),
        _ => Err(bad()),
    }
}

/// Formats seconds after midnight as `"HH:MM"` (or `"HH:MM:SS"` when not on a minute).
pub fn format_clock(secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// One day's open period in seconds after midnight: open from `open` up to, not including,
/// `close` (0 ≤ open < close ≤ 86 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenHours {
    /// Opening time, seconds after midnight.
    pub open: u32,
    /// Closing time, seconds after midnight (86 400 = midnight at the day's end).
    pub close: u32,
}

impl OpenHours {
    /// Parses `"08:00-18:00"` (open before close, both within the day; `"24:00"` may close).
    pub fn parse(s: &str) -> Result<OpenHours, String> {
        let Some((a, b)) = s.split_once('-') else {
            return Err(format!(
                "{s:?} is not an opening period; write \"HH:MM-HH:MM\" such as \"08:00-18:00\", or \"closed\""
            ));
        };
        let open = parse_clock(a, false)?;
        let close = parse_clock(b, true)?;
        if open >= close {
            return Err(format!(
                "{s:?} closes before it opens; opening hours lie inside one day (open < close, at most \"24:00\")"
            ));
        }
        Ok(OpenHours { open, close })
    }

    /// Length of the open period in seconds.
    pub fn len(&self) -> f64 {
        f64::from(self.close - self.open)
    }

    /// Never true: an open period has positive length.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Maps simulation seconds to wall-clock time and answers opening-hours questions.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekClock {
    start_day: Weekday,
    /// Time of day at simulation time 0, seconds after midnight.
    start_time: f64,
    /// Opening hours per weekday, Monday first; `None` = closed all day.
    hours: [Option<OpenHours>; 7],
}

impl WeekClock {
    /// A clock starting on `start_day` at `start_time` seconds after midnight (< 86 400),
    /// with these opening hours (Monday first).
    pub fn new(start_day: Weekday, start_time: f64, hours: [Option<OpenHours>; 7]) -> WeekClock {
        WeekClock {
            start_day,
            start_time,
            hours,
        }
    }

    /// A clock open around the clock every day.
    pub fn always_open(start_day: Weekday, start_time: f64) -> WeekClock {
        let all = Some(OpenHours {
            open: 0,
            close: 86_400,
        });
        WeekClock::new(start_day, start_time, [all; 7])
    }

    /// The weekday of simulation time 0.
    pub fn start_day(&self) -> Weekday {
        self.start_day
    }

    /// The time of day at simulation time 0, seconds after midnight.
    pub fn start_time(&self) -> f64 {
        self.start_time
    }

    /// Opening hours of `day` (`None`: closed).
    pub fn hours(&self, day: Weekday) -> Option<OpenHours> {
        self.hours[day.index()]
    }

    /// True when the center opens on some day of the week.
    pub fn ever_open(&self) -> bool {
        self.hours.iter().any(Option::is_some)
    }

    /// The day `t` falls in: 0 is the start's calendar day (so with a 08:00 start, t = 16 h
    /// is day 1 at 00:00). Times before 0 count as day 0.
    pub fn day_index(&self, t: f64) -> usize {
        ((self.start_time + t.max(0.0)) / DAY_S).floor() as usize
    }

    /// Weekday of day `d` (see [`WeekClock::day_index`]).
    pub fn weekday_of_day(&self, d: usize) -> Weekday {
        self.start_day.plus(d)
    }

    /// The weekday `t` falls on.
    pub fn weekday(&self, t: f64) -> Weekday {
        self.weekday_of_day(self.day_index(t))
    }

    /// Seconds after midnight at `t`.
    pub fn time_of_day(&self, t: f64) -> f64 {
        let abs = self.start_time + t.max(0.0);
        abs - (abs / DAY_S).floor() * DAY_S
    }

    /// Simulation time of midnight starting day `d` (negative for day 0 unless the clock
    /// starts at midnight).
    pub fn day_start(&self, d: usize) -> f64 {
        d as f64 * DAY_S - self.start_time
    }

    /// `(day index, weekday, seconds after midnight)` of `t`.
    pub fn at(&self, t: f64) -> (usize, Weekday, f64) {
        let d = self.day_index(t);
        (d, self.weekday_of_day(d), self.time_of_day(t))
    }

    /// `"Mon 08:30"` (seconds shown only when not on a minute).
    pub fn label(&self, t: f64) -> String {
        let (_, day, tod) = self.at(t);
        format!("{} {}", day.short(), format_clock(tod))
    }

    /// True when the center is open at `t` (from opening up to, not including, closing).
    pub fn is_open(&self, t: f64) -> bool {
        let (_, day, tod) = self.at(t);
        self.hours(day)
            .is_some_and(|h| tod >= f64::from(h.open) && tod < f64::from(h.close))
    }

    /// `t` itself when open, else the next opening after `t`; `None` when the center never
    /// opens.
    pub fn next_opening(&self, t: f64) -> Option<f64> {
        if self.is_open(t) {
            return Some(t);
        }
        let d0 = self.day_index(t);
        (d0..d0 + 8).find_map(|d| {
            let h = self.hours(self.weekday_of_day(d))?;
            let open = self.day_start(d) + f64::from(h.open);
            (open >= t).then_some(open)
        })
    }

    /// Closing time (simulation seconds) of the day `t` falls in; `None` when that day is
    /// closed. May lie before `t` (after closing on an open day).
    pub fn day_close(&self, t: f64) -> Option<f64> {
        let d = self.day_index(t);
        let h = self.hours(self.weekday_of_day(d))?;
        Some(self.day_start(d) + f64::from(h.close))
    }

    /// Opening time (simulation seconds) of the day `t` falls in; `None` when that day is
    /// closed.
    pub fn day_open(&self, t: f64) -> Option<f64> {
        let d = self.day_index(t);
        let h = self.hours(self.weekday_of_day(d))?;
        Some(self.day_start(d) + f64::from(h.open))
    }

    /// Open (business) seconds in [a, b): the time the center is open between two instants;
    /// 0 when b ≤ a. O(days between a and b).
    pub fn open_seconds_between(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        let (d0, d1) = (self.day_index(a), self.day_index(b));
        (d0..=d1)
            .filter_map(|d| {
                let h = self.hours(self.weekday_of_day(d))?;
                let day = self.day_start(d);
                let from = (day + f64::from(h.open)).max(a);
                let to = (day + f64::from(h.close)).min(b);
                (to > from).then_some(to - from)
            })
            .sum()
    }

    /// The "one business day" deadline of an item received at `t`: its clock starts at `t` if
    /// open, else at the next opening; the deadline is the same clock time on the next open
    /// day, moved to that day's opening if earlier and to its closing if later (Fri 16:30 with
    /// Mon–Fri 08–17 → Mon 16:30; Sat 12:00 → clock starts Mon 08:00 → Tue 08:00). `None`
    /// when the center never opens.
    pub fn next_business_day_deadline(&self, t: f64) -> Option<f64> {
        let start = self.next_opening(t)?;
        let (d0, _, tod) = self.at(start);
        (d0 + 1..d0 + 8).find_map(|d| {
            let h = self.hours(self.weekday_of_day(d))?;
            let clamped = tod.clamp(f64::from(h.open), f64::from(h.close));
            Some(self.day_start(d) + clamped)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = 3600.0;

    /// Mon–Fri 08:00–18:00, Sat 09:00–13:00, Sun closed.
    fn center(start_day: Weekday, start_time: f64) -> WeekClock {
        let wk = Some(OpenHours::parse("08:00-18:00").unwrap());
        let sat = Some(OpenHours::parse("09:00-13:00").unwrap());
        WeekClock::new(start_day, start_time, [wk, wk, wk, wk, wk, sat, None])
    }

    #[test]
    fn weekdays_parse_in_any_common_form() {
        for s in ["Mon", "mon", "MON", "Monday", "monday", " mon "] {
            assert_eq!(Weekday::parse(s), Some(Weekday::Mon), "{s}");
        }
        assert_eq!(Weekday::parse("sun"), Some(Weekday::Sun));
        for s in ["", "mo", "Mond", "lundi", "8"] {
            assert_eq!(Weekday::parse(s), None, "{s}");
        }
        assert_eq!(Weekday::Sat.plus(2), Weekday::Mon);
        assert_eq!(Weekday::Sun.to_string(), "Sun");
    }

    #[test]
    fn clock_times_and_ranges() {
        assert_eq!(parse_clock("08:30", false), Ok(8 * 3600 + 1800));
        assert_eq!(parse_clock("00:00", false), Ok(0));
        assert_eq!(parse_clock("24:00", true), Ok(86_400));
        for bad in ["24:00", "25:00", "8:30", "08:60", "08h30", "", "-1:00"] {
            assert!(parse_clock(bad, false).is_err(), "{bad}");
        }
        assert!(parse_clock("24:01", true).is_err());
        assert_eq!(format_clock(8.5 * H), "08:30");
        assert_eq!(format_clock(8.5 * H + 15.0), "08:30:15");
        assert!(OpenHours::parse("18:00-08:00").is_err());
        assert!(OpenHours::parse("08:00-08:00").is_err());
        assert!(OpenHours::parse("08:00-25:00").is_err());
        assert!(OpenHours::parse("08:00").is_err());
        assert_eq!(OpenHours::parse("00:00-24:00").unwrap().len(), DAY_S);
    }

    #[test]
    fn a_start_that_is_not_midnight_shifts_days_and_labels() {
        let c = center(Weekday::Mon, 8.0 * H);
        assert_eq!(c.label(0.0), "Mon 08:00");
        assert_eq!(c.label(1800.0), "Mon 08:30");
        // 16 h after Mon 08:00 is Tue 00:00: day 1.
        assert_eq!(c.at(16.0 * H), (1, Weekday::Tue, 0.0));
        assert_eq!(c.at(16.0 * H - 1.0).0, 0);
        assert_eq!(c.day_start(1), 16.0 * H);
        assert_eq!(c.day_start(0), -8.0 * H);
    }

    #[test]
    fn the_week_wraps_around() {
        let c = center(Weekday::Sat, 12.0 * H);
        // Sat 12:00 + 36 h = Mon 00:00; + 7 days = the next Saturday.
        assert_eq!(c.at(36.0 * H), (2, Weekday::Mon, 0.0));
        assert_eq!(c.weekday(WEEK_S), Weekday::Sat);
        assert_eq!(c.label(WEEK_S + 3.0 * H), "Sat 15:00");
        assert_eq!(c.weekday(2.0 * WEEK_S + 1.5 * DAY_S), Weekday::Mon);
    }

    #[test]
    fn opening_hours_queries() {
        let c = center(Weekday::Fri, 16.5 * H); // Fri 16:30
        assert!(c.is_open(0.0));
        assert!(c.is_open(1.5 * H - 1.0)); // 17:59:59
        assert!(!c.is_open(1.5 * H)); // 18:00: closing is not open
        assert_eq!(c.day_close(0.0), Some(1.5 * H));
        assert_eq!(c.day_open(0.0), Some(-8.5 * H));
        // After Friday's close the next opening is Saturday 09:00.
        let sat9 = 7.5 * H + 9.0 * H;
        assert_eq!(c.next_opening(2.0 * H), Some(sat9));
        assert_eq!(c.label(sat9), "Sat 09:00");
        // After Saturday's close: Sunday is closed, so Monday 08:00.
        let mon8 = sat9 + 4.0 * H + 11.0 * H + DAY_S + 8.0 * H;
        assert_eq!(c.next_opening(sat9 + 4.0 * H), Some(mon8));
        assert_eq!(c.label(mon8), "Mon 08:00");
        assert_eq!(c.day_close(sat9 + 20.0 * H), None); // Sunday
        assert_eq!(c.next_opening(mon8 + 60.0), Some(mon8 + 60.0));
        let never = WeekClock::new(Weekday::Mon, 0.0, [None; 7]);
        assert_eq!(never.next_opening(0.0), None);
        assert!(!never.ever_open());
        assert!(WeekClock::always_open(Weekday::Mon, 0.0).is_open(5.0 * DAY_S));
    }

    #[test]
    fn business_time() {
        // Mon–Fri 08:00–17:00, clock starting Mon 00:00.
        let wk = Some(OpenHours::parse("08:00-17:00").unwrap());
        let c = WeekClock::new(Weekday::Mon, 0.0, [wk, wk, wk, wk, wk, None, None]);
        let at = |d: f64, h: f64| d * DAY_S + h * H;
        assert_eq!(c.open_seconds_between(at(0.0, 7.0), at(0.0, 9.0)), H);
        assert_eq!(c.open_seconds_between(at(0.0, 16.0), at(1.0, 9.0)), 2.0 * H);
        assert_eq!(c.open_seconds_between(at(4.0, 16.0), at(7.0, 9.0)), 2.0 * H);
        assert_eq!(c.open_seconds_between(at(0.0, 9.0), at(0.0, 8.0)), 0.0);
        // Fri 16:30 → Mon 16:30; Sat 12:00 → Tue 08:00; Mon 07:00 → Tue 08:00.
        assert_eq!(
            c.next_business_day_deadline(at(4.0, 16.5)),
            Some(at(7.0, 16.5))
        );
        assert_eq!(
            c.next_business_day_deadline(at(5.0, 12.0)),
            Some(at(8.0, 8.0))
        );
        assert_eq!(
            c.next_business_day_deadline(at(0.0, 7.0)),
            Some(at(1.0, 8.0))
        );
        // A short next day: Thu 16:00 with Friday 08:00–12:00 → Fri 12:00 (its close).
        let fri = Some(OpenHours::parse("08:00-12:00").unwrap());
        let short = WeekClock::new(Weekday::Mon, 0.0, [wk, wk, wk, wk, fri, None, None]);
        assert_eq!(
            short.next_business_day_deadline(at(3.0, 16.0)),
            Some(at(4.0, 12.0))
        );
        let never = WeekClock::new(Weekday::Mon, 0.0, [None; 7]);
        assert_eq!(never.next_business_day_deadline(0.0), None);
    }
}
