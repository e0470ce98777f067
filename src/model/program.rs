//! Training as a program over days: cohorts taken off the phones for their class days and
//! raised to a trained proficiency, and attrition replacing leavers with new hires. The
//! engine keeps each agent as an individual across days (see `engine::cohorts`); this file
//! owns the validated plan and the per-agent proficiency curve.
//!
//! Rules (docs/model.md, "Training programs and attrition"):
//! - a cohort's agents are off the phones on days `start_day .. start_day + days`: the
//!   group's scheduled headcount is reduced by the cohort size on those days;
//! - when the class ends each trainee works at `proficiency_after_class`, then learns on the
//!   job toward `proficiency` over `learning_calls` contacts (exponential, like a group's
//!   learning curve);
//! - attrition: at each day start each agent of the group leaves with probability
//!   1 − (1 − annual_rate)^(1/365) and is replaced at once by a new hire starting at
//!   `new_hire_proficiency` and learning toward the group's proficiency.

use super::week::{WeekClock, DAY_S};

/// The program day that simulation time `t` falls in: the calendar's day index (days run
/// midnight to midnight) or, without a calendar, whole days counted from time 0.
pub fn day_of(calendar: Option<&WeekClock>, t: f64) -> u32 {
    match calendar {
        Some(c) => c.day_index(t) as u32,
        None => (t / DAY_S).floor() as u32,
    }
}

/// Days a run of `horizon` seconds touches (the last second's day plus one).
pub fn days_in(calendar: Option<&WeekClock>, horizon: f64) -> u32 {
    day_of(calendar, (horizon - 1.0).max(0.0)) + 1
}

/// One class of trainees from one agent group.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// Index of the agent group the trainees come from.
    pub group: usize,
    /// Number of trainees (≤ the group's peak headcount).
    pub agents: u32,
    /// First class day (day 0 is the run's first day).
    pub start_day: u32,
    /// Days in class (≥ 1); the class ends before the horizon's last day.
    pub days: u32,
    /// Currency per trainee per class day (wages while off the phones plus fees).
    pub cost_per_trainee_day: f64,
    /// One-off currency for the trainer, charged on the first class day.
    pub trainer_cost: f64,
    /// Proficiency the on-the-job curve rises to after the class.
    pub proficiency: f64,
    /// Proficiency on the first day back on the phones.
    pub proficiency_after_class: f64,
    /// Contacts over which the gap to `proficiency` shrinks by a factor e (0: none).
    pub learning_calls: f64,
}

impl Cohort {
    /// True when the cohort is in class on `day`.
    pub fn in_class(&self, day: u32) -> bool {
        day >= self.start_day && day < self.start_day + self.days
    }

    /// The one-off cost booked on `day`: the trainer on the first class day plus the
    /// trainee-days of that day. Both are cash out on the day they occur, never a per-day
    /// rate over the whole horizon.
    pub fn cost_on(&self, day: u32) -> f64 {
        let mut cost = 0.0;
        if day == self.start_day {
            cost += self.trainer_cost;
        }
        if self.in_class(day) {
            cost += f64::from(self.agents) * self.cost_per_trainee_day;
        }
        cost
    }
}

/// Staff turnover of one agent group.
#[derive(Debug, Clone, PartialEq)]
pub struct Attrition {
    /// Index of the agent group.
    pub group: usize,
    /// Share of agents leaving per year, in [0, 1).
    pub annual_rate: f64,
    /// A new hire's proficiency on their first day.
    pub new_hire_proficiency: f64,
    /// Contacts over which a new hire's gap to the group proficiency shrinks by e (0: none).
    pub learning_calls: f64,
}

impl Attrition {
    /// Chance that a given agent leaves on a given day: the daily hazard compounding to the
    /// annual rate over 365 days.
    pub fn daily_probability(&self) -> f64 {
        1.0 - (1.0 - self.annual_rate).powf(1.0 / 365.0)
    }
}

/// A training program with attrition over the run's days (`[program]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    /// Classes, in file order.
    pub cohorts: Vec<Cohort>,
    /// Turnover per group (at most one entry per group).
    pub attrition: Vec<Attrition>,
    /// Discount rate per year for NPV (e.g. 0.08).
    pub discount_rate: f64,
}

impl Program {
    /// Trainees of group `g` in class on `day`.
    pub fn in_class(&self, g: usize, day: u32) -> u32 {
        self.cohorts
            .iter()
            .filter(|c| c.group == g && c.in_class(day))
            .map(|c| c.agents)
            .sum()
    }

    /// One-off program cost booked on `day` (all cohorts).
    pub fn cost_on(&self, day: u32) -> f64 {
        self.cohorts.iter().map(|c| c.cost_on(day)).sum()
    }
}

/// A per-agent proficiency curve: `start` rising toward `target`, the gap shrinking by a
/// factor e every `scale` contacts counted from `calls0` (the agent's count when the curve
/// began). `scale` 0 means the agent stays at `start`, so a cohort without on-the-job
/// learning keeps the level it left class with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curve {
    /// Proficiency at the curve's first contact.
    pub start: f64,
    /// Proficiency approached with experience.
    pub target: f64,
    /// Contacts per e-fold of the gap (0: stays at `start`).
    pub scale: f64,
    /// The agent's contact count when the curve began.
    pub calls0: u32,
}

impl Curve {
    /// Proficiency after `calls` contacts in the run.
    #[inline]
    pub fn at(&self, calls: u32) -> f64 {
        if self.scale <= 0.0 {
            return self.start;
        }
        let n = f64::from(calls.saturating_sub(self.calls0));
        self.target - (self.target - self.start) * (-n / self.scale).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort() -> Cohort {
        Cohort {
            group: 0,
            agents: 3,
            start_day: 2,
            days: 4,
            cost_per_trainee_day: 100.0,
            trainer_cost: 500.0,
            proficiency: 1.0,
            proficiency_after_class: 0.8,
            learning_calls: 50.0,
        }
    }

    #[test]
    fn class_days_and_costs() {
        let c = cohort();
        let days: Vec<bool> = (0..8).map(|d| c.in_class(d)).collect();
        assert_eq!(days, [false, false, true, true, true, true, false, false]);
        assert_eq!(c.cost_on(1), 0.0);
        assert_eq!(c.cost_on(2), 800.0);
        assert_eq!(c.cost_on(3), 300.0);
        assert_eq!(c.cost_on(6), 0.0);
        let p = Program {
            cohorts: vec![c.clone(), Cohort { group: 1, ..c }],
            ..Program::default()
        };
        assert_eq!(p.in_class(0, 3), 3);
        assert_eq!(p.in_class(1, 3), 3);
        assert_eq!(p.in_class(0, 6), 0);
    }

    #[test]
    fn curve_rises_from_start_to_target() {
        let k = Curve {
            start: 0.8,
            target: 1.0,
            scale: 50.0,
            calls0: 10,
        };
        assert_eq!(k.at(10), 0.8);
        assert!((k.at(60) - (1.0 - 0.2 * (-1.0f64).exp())).abs() < 1e-12);
        assert_eq!(Curve { scale: 0.0, ..k }.at(1000), 0.8);
    }

    #[test]
    fn daily_hazard_compounds_to_the_annual_rate() {
        let a = Attrition {
            group: 0,
            annual_rate: 0.3,
            new_hire_proficiency: 0.5,
            learning_calls: 0.0,
        };
        let stay = (1.0 - a.daily_probability()).powi(365);
        assert!((1.0 - stay - 0.3).abs() < 1e-12);
    }
}
