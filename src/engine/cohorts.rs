//! Training programs and attrition in the engine (`[program]`, see `model::program` and
//! docs/model.md, "Training programs and attrition").
//!
//! Agents are individuals across days: with a program the engine creates each group's
//! roster (its peak headcount) up front, and shift changes reuse those same agents (the
//! `off_shift` pool), so an agent's contact count — and with it the learning curve — carries
//! over from one day to the next for the whole run, weeks included.
//!
//! At the first interval boundary of each day: classes that end return their trainees to the
//! pool with their trained curve; classes that start take their trainees out of the pool
//! (an agent still on shift at that moment joins the class when their shift ends); then each
//! roster agent not in class may leave under attrition and is replaced in place by a new
//! hire. The group's scheduled headcount is reduced by its trainees in class that day.
//!
//! Off (no `[program]`): no roster, no draws, and the hooks are one flag test each, so plain
//! scenarios keep bit-identical results.

use super::Engine;
use crate::model::program::{day_of, Curve, Program};
use crate::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Scenario;
use crate::stats::Observer;
use rand::RngExt;

/// Program state of one replication.
#[derive(Debug, Default)]
pub(super) struct ProgramState {
    /// A program is configured.
    pub(super) on: bool,
    /// The day last started (`u32::MAX` before the first).
    day: u32,
    /// Per group: trainees in class today.
    in_class_today: Vec<u32>,
    /// Per group: its agents, in creation order.
    roster: Vec<Vec<u32>>,
    /// Per agent: a personal proficiency curve (trained or new hire); `None`: the group's.
    curves: Vec<Option<Curve>>,
    /// Per agent: in class now.
    in_class: Vec<bool>,
    /// Per group: agents in class and off shift (kept out of the pool).
    held: Vec<Vec<u32>>,
    /// Per cohort: its trainees.
    members: Vec<Vec<u32>>,
    /// Per group: the attrition stream ([`Purpose::Attrition`]) and daily leave chance.
    attrition: Vec<Option<(Stream, f64)>>,
    /// Agents replaced by new hires so far.
    pub(super) leavers: u64,
}

impl ProgramState {
    pub(super) fn new(scenario: &Scenario, key: StreamKey) -> ProgramState {
        let Some(program) = &scenario.program else {
            return ProgramState::default();
        };
        let n = scenario.agent_groups.len();
        let mut attrition: Vec<Option<(Stream, f64)>> = (0..n).map(|_| None).collect();
        for a in &program.attrition {
            attrition[a.group] = Some((
                key.stream(Purpose::Attrition, a.group),
                a.daily_probability(),
            ));
        }
        ProgramState {
            on: true,
            day: u32::MAX,
            in_class_today: vec![0; n],
            roster: vec![Vec::new(); n],
            held: vec![Vec::new(); n],
            members: vec![Vec::new(); program.cohorts.len()],
            attrition,
            ..ProgramState::default()
        }
    }

    /// Trainees of group `g` in class today (0 without a program).
    #[inline]
    pub(super) fn in_class_today(&self, g: usize) -> u32 {
        self.in_class_today.get(g).copied().unwrap_or(0)
    }

    /// The agent's personal curve, if any (always `None` without a program).
    #[inline]
    pub(super) fn curve(&self, agent: u32) -> Option<Curve> {
        self.curves.get(agent as usize).copied().flatten()
    }

    /// The agent is in class (goes to the class, not the pool, when their shift ends).
    #[inline]
    pub(super) fn is_in_class(&self, agent: u32) -> bool {
        self.in_class.get(agent as usize).copied().unwrap_or(false)
    }
}

impl<O: Observer> Engine<'_, O> {
    /// Creates every group's roster (its peak headcount) in the off-shift pool, lowest id
    /// on top, so the same individuals work every day.
    pub(super) fn program_roster(&mut self) {
        let scenario = self.scenario;
        for (g, spec) in scenario.agent_groups.iter().enumerate() {
            let first = self.agents.len() as u32;
            for _ in 0..spec.peak_headcount() {
                self.agents.push(super::Agent::new(g as u32));
            }
            let ids: Vec<u32> = (first..self.agents.len() as u32).collect();
            self.groups[g].off_shift.extend(ids.iter().rev());
            self.program.roster[g] = ids;
        }
        self.program.curves = vec![None; self.agents.len()];
        self.program.in_class = vec![false; self.agents.len()];
    }

    /// Called at interval `k`'s boundary: starts every day reached since the last one.
    pub(super) fn program_boundary(&mut self, k: usize) {
        let t = k as f64 * self.scenario.simulation.interval;
        let day = day_of(self.scenario.calendar.as_ref(), t);
        let from = if self.program.day == u32::MAX {
            0
        } else {
            self.program.day + 1
        };
        for d in from..=day {
            self.start_day(d);
        }
        if from <= day {
            self.program.day = day;
        }
    }

    fn start_day(&mut self, day: u32) {
        let scenario = self.scenario;
        let Some(program) = &scenario.program else {
            return;
        };
        self.end_classes(program, day);
        self.start_classes(program, day);
        self.attrition(program);
        for g in 0..scenario.agent_groups.len() {
            self.program.in_class_today[g] = program.in_class(g, day);
        }
    }

    fn end_classes(&mut self, program: &Program, day: u32) {
        for (i, c) in program.cohorts.iter().enumerate() {
            if c.start_day + c.days != day {
                continue;
            }
            for a in std::mem::take(&mut self.program.members[i]) {
                self.program.in_class[a as usize] = false;
                self.program.curves[a as usize] = Some(Curve {
                    start: c.proficiency_after_class,
                    target: c.proficiency,
                    scale: c.learning_calls,
                    calls0: self.agents[a as usize].calls,
                });
                let held = &mut self.program.held[c.group];
                if let Some(pos) = held.iter().position(|&x| x == a) {
                    held.remove(pos);
                    self.groups[c.group].off_shift.push(a);
                }
            }
        }
    }

    fn start_classes(&mut self, program: &Program, day: u32) {
        for (i, c) in program.cohorts.iter().enumerate() {
            if c.start_day != day {
                continue;
            }
            // Untrained agents first (no personal curve), in roster order; then anyone free.
            let roster = &self.program.roster[c.group];
            let free = |a: &&u32| !self.program.in_class[**a as usize];
            let untrained = roster
                .iter()
                .filter(free)
                .filter(|a| self.program.curves[**a as usize].is_none());
            let trained = roster
                .iter()
                .filter(free)
                .filter(|a| self.program.curves[**a as usize].is_some());
            let chosen: Vec<u32> = untrained
                .chain(trained)
                .take(c.agents as usize)
                .copied()
                .collect();
            for &a in &chosen {
                self.program.in_class[a as usize] = true;
                let pool = &mut self.groups[c.group].off_shift;
                if let Some(pos) = pool.iter().position(|&x| x == a) {
                    pool.remove(pos);
                    self.program.held[c.group].push(a);
                }
            }
            self.program.members[i] = chosen;
        }
    }

    /// Each roster agent not in class leaves with the day's chance and is replaced in place
    /// by a new hire (contact count 0, the new-hire curve).
    fn attrition(&mut self, program: &Program) {
        for a in &program.attrition {
            let p = match &self.program.attrition[a.group] {
                Some((_, p)) => *p,
                None => continue,
            };
            let target = self.scenario.agent_groups[a.group].proficiency;
            for idx in 0..self.program.roster[a.group].len() {
                let agent = self.program.roster[a.group][idx] as usize;
                if self.program.in_class[agent] {
                    continue;
                }
                let Some((rng, _)) = &mut self.program.attrition[a.group] else {
                    continue;
                };
                if rng.random::<f64>() < p {
                    self.agents[agent].calls = 0;
                    self.program.curves[agent] = Some(Curve {
                        start: a.new_hire_proficiency,
                        target,
                        scale: a.learning_calls,
                        calls0: 0,
                    });
                    self.program.leavers += 1;
                }
            }
        }
    }
}

impl<O: Observer> Engine<'_, O> {
    /// A trainee's shift ended after their class began: they go to class, not the pool.
    pub(super) fn program_holds(&mut self, agent: u32, g: usize) {
        self.program.held[g].push(agent);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Engine;
    use crate::model::program::day_of;
    use crate::rng::StreamKey;
    use crate::scenario::Scenario;
    use crate::stats::Collector;

    const KEY: StreamKey = StreamKey {
        seed: 11,
        point: 0,
        replication: 0,
    };

    /// Two weeks, open 08:00–18:00 on weekdays, 10 agents; `program` is appended.
    fn center(program: &str) -> Scenario {
        let text = format!(
            r#"
[simulation]
interval = "30m"
replications = 1
seed = 1
[calendar]
start = "Mon 00:00"
days = 14
opening_hours = {{ weekday = "08:00-18:00", sat = "closed", sun = "closed" }}
[[call_types]]
name = "a"
arrival_rate = 60.0
handle_time = {{ distribution = "exponential", mean = "5m" }}
[[agent_groups]]
name = "g"
skills = ["a"]
agents = 10
proficiency = 0.6
{program}
"#
        );
        Scenario::from_toml_str(&text, "t.toml", "t").expect("valid")
    }

    #[test]
    fn cohort_is_off_the_phones_exactly_on_its_class_days() {
        let s = center(
            "[program]\n[[program.cohorts]]\ngroup = \"g\"\nagents = 3\nstart_day = 2\ndays = 5\n",
        );
        let mut e = Engine::new(&s, KEY, Collector::new(&s));
        let mut checked = 0;
        while e.step_any() {
            let k = e.interval;
            let scheduled = s.agent_groups[0].staffing[k];
            if scheduled == 0 || e.now >= s.simulation.horizon {
                continue;
            }
            let day = day_of(s.calendar.as_ref(), e.now);
            let in_class = if (2..7).contains(&day) { 3 } else { 0 };
            assert_eq!(
                e.groups[0].present,
                scheduled - in_class,
                "day {day} t {}",
                e.now
            );
            checked += 1;
        }
        assert!(checked > 1000);
    }

    #[test]
    fn trained_proficiency_persists_across_days() {
        let s = center(
            "[program]\n[[program.cohorts]]\ngroup = \"g\"\nagents = 4\nstart_day = 0\ndays = 1\nproficiency = 0.95\n",
        );
        let mut e = Engine::new(&s, KEY, Collector::new(&s));
        let mut last_day = 0;
        let mut trainees = Vec::new();
        while e.step_any() {
            let day = day_of(s.calendar.as_ref(), e.now);
            if day >= 1 && trainees.is_empty() {
                trainees = (0..e.agents.len() as u32)
                    .filter(|&a| e.program.curve(a).is_some())
                    .collect();
                assert_eq!(trainees.len(), 4);
            }
            last_day = day;
        }
        assert!(last_day >= 11);
        // Still trained at the end of week two, and they worked in between.
        for &a in &trainees {
            assert_eq!(
                e.program.curve(a).map(|c| c.at(e.agents[a as usize].calls)),
                Some(0.95)
            );
            assert!(
                e.agents[a as usize].calls > 100,
                "agent {a} handled {}",
                e.agents[a as usize].calls
            );
        }
        // Agents are individuals: the roster never grew past the headcount.
        assert_eq!(e.agents.len(), 10);
    }

    #[test]
    fn attrition_rate_is_reproduced() {
        // 10 agents × 14 days × daily hazard of a 90%/year rate, over many replications.
        let s = center("[program]\n[[program.attrition]]\ngroup = \"g\"\nannual_rate = 0.9\n");
        let p = s.program.as_ref().unwrap().attrition[0].daily_probability();
        let reps = 400u64;
        let mut leavers = 0;
        for r in 0..reps {
            let key = StreamKey {
                replication: r,
                ..KEY
            };
            let mut e = Engine::new(&s, key, Collector::new(&s));
            while e.step_any() {}
            leavers += e.program.leavers;
        }
        let trials = reps as f64 * 10.0 * 14.0;
        let expected = trials * p;
        let sd = (trials * p * (1.0 - p)).sqrt();
        assert!(
            ((leavers as f64) - expected).abs() < 4.0 * sd,
            "{leavers} vs {expected} ± {sd}"
        );
    }
}
