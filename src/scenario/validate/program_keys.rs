//! Checks and builds the `[program]` table (training cohorts, attrition, discount rate) into
//! a [`Program`]. Every bad value is an error naming its key path and what is allowed.

use super::checks::{num, Ctx};
use crate::model::program::{days_in, Attrition, Cohort, Program};
use crate::model::week::WeekClock;
use crate::model::AgentGroup;
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw_program::RawProgram;

/// Builds `[program]`; `horizon` is the run's length in seconds.
pub(super) fn program(
    cx: &Ctx,
    raw: &Option<RawProgram>,
    groups: &[AgentGroup],
    calendar: Option<&WeekClock>,
    horizon: f64,
) -> Result<Option<Box<Program>>, ScenarioError> {
    let Some(raw) = raw else { return Ok(None) };
    let days = i64::from(days_in(calendar, horizon));
    let group_index = |path: String, name: &str| {
        groups.iter().position(|g| g.name == name).ok_or_else(|| {
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            cx.err(
                path,
                format!("names no agent group {name:?}; the groups are {names:?}"),
            )
        })
    };
    let share = |path: String, v: f64| {
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(cx.err(
                path,
                format!("is {}; a proficiency must lie in [0, 1]", num(v)),
            ))
        }
    };
    let non_negative = |path: String, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(cx.err(
                path,
                format!("is {}; it must be a finite number ≥ 0", num(v)),
            ))
        }
    };
    let discount_rate = non_negative(
        "program.discount_rate".into(),
        raw.discount_rate.map_or(0.0, |a| a.mode()),
    )?;
    let mut cohorts = Vec::new();
    for (i, c) in raw.cohorts.iter().enumerate() {
        let at = |k: &str| format!("program.cohorts[{i}].{k}");
        let g = group_index(at("group"), &c.group)?;
        let group = &groups[g];
        if group.max_concurrent > 1 {
            return Err(cx.err(at("group"), "is a chat group (max_concurrent > 1); training programs apply to one-contact-at-a-time groups only"));
        }
        let peak = i64::from(group.peak_headcount());
        if c.agents < 1 || c.agents > peak {
            return Err(cx.err(
                at("agents"),
                format!(
                    "is {}; a cohort takes 1 to {peak} agents (group {:?}'s peak headcount)",
                    c.agents, group.name
                ),
            ));
        }
        if c.start_day < 0 || c.start_day >= days {
            return Err(cx.err(
                at("start_day"),
                format!(
                    "is {}; it must be a day of the run, 0 to {}",
                    c.start_day,
                    days - 1
                ),
            ));
        }
        if c.days < 1 || c.start_day + c.days > days {
            return Err(cx.err(at("days"), format!("is {}; a class lasts at least 1 day and must end within the run's {days} days (at most {} from day {})", c.days, days - c.start_day, c.start_day)));
        }
        let proficiency = share(at("proficiency"), c.proficiency.unwrap_or(1.0))?;
        cohorts.push(Cohort {
            group: g,
            agents: c.agents as u32,
            start_day: c.start_day as u32,
            days: c.days as u32,
            cost_per_trainee_day: non_negative(
                at("cost_per_trainee_day"),
                c.cost_per_trainee_day.map_or(0.0, |a| a.mode()),
            )?,
            trainer_cost: non_negative(
                at("trainer_cost"),
                c.trainer_cost.map_or(0.0, |a| a.mode()),
            )?,
            proficiency,
            proficiency_after_class: share(
                at("proficiency_after_class"),
                c.proficiency_after_class.unwrap_or(proficiency),
            )?,
            learning_calls: non_negative(at("learning_calls"), c.learning_calls.unwrap_or(0.0))?,
        });
    }
    let mut attrition: Vec<Attrition> = Vec::new();
    for (i, a) in raw.attrition.iter().enumerate() {
        let at = |k: &str| format!("program.attrition[{i}].{k}");
        let g = group_index(at("group"), &a.group)?;
        if attrition.iter().any(|x| x.group == g) {
            return Err(cx.err(
                at("group"),
                format!(
                    "group {:?} already has an attrition entry; give one per group",
                    a.group
                ),
            ));
        }
        if groups[g].max_concurrent > 1 {
            return Err(cx.err(at("group"), "is a chat group (max_concurrent > 1); attrition applies to one-contact-at-a-time groups only"));
        }
        let annual_rate = a.annual_rate.mode();
        if !(0.0..1.0).contains(&annual_rate) {
            return Err(cx.err(at("annual_rate"), format!("is {}; the share leaving per year must lie in [0, 1) (1 would mean everyone leaves)", num(annual_rate))));
        }
        let start = groups[g]
            .learning
            .map_or(groups[g].proficiency, |l| l.start);
        attrition.push(Attrition {
            group: g,
            annual_rate,
            new_hire_proficiency: share(
                at("new_hire_proficiency"),
                a.new_hire_proficiency.map_or(start, |x| x.mode()),
            )?,
            learning_calls: non_negative(
                at("learning_calls"),
                a.learning_calls
                    .unwrap_or(groups[g].learning.map_or(0.0, |l| l.calls)),
            )?,
        });
    }
    Ok(Some(Box::new(Program {
        cohorts,
        attrition,
        discount_rate,
    })))
}

#[cfg(test)]
mod tests {
    use crate::scenario::error::ScenarioError;
    use crate::scenario::validated::Scenario;

    fn error(program: &str) -> (String, String) {
        let text = format!(
            "[simulation]\ninterval = \"1h\"\n[calendar]\nstart = \"Mon 00:00\"\ndays = 14\n\
             [[call_types]]\nname = \"a\"\narrival_rate = 10.0\nhandle_time = {{ distribution = \"constant\", value = \"5m\" }}\n\
             [[agent_groups]]\nname = \"g\"\nskills = [\"a\"]\nagents = 10\nproficiency = 0.7\n{program}"
        );
        match Scenario::from_toml_str(&text, "t.toml", "t") {
            Err(ScenarioError::Invalid { path, message, .. }) => (path, message),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn cohort(extra: &str) -> String {
        format!("[[program.cohorts]]\ngroup = \"g\"\nagents = 3\nstart_day = 2\ndays = 5\n{extra}")
    }

    #[test]
    fn bad_program_keys_name_their_path() {
        let c = |k: &str, v: &str| cohort("").replace(&format!("{k} = "), &format!("{k} = {v} #"));
        let cases = [
            (
                c("days", "13"),
                "program.cohorts[0].days",
                "within the run's 14 days",
            ),
            (c("agents", "11"), "program.cohorts[0].agents", "1 to 10"),
            (
                c("start_day", "-1"),
                "program.cohorts[0].start_day",
                "0 to 13",
            ),
            (
                cohort("trainer_cost = -5.0"),
                "program.cohorts[0].trainer_cost",
                "≥ 0",
            ),
            (
                cohort("cost_per_trainee_day = -1.0"),
                "program.cohorts[0].cost_per_trainee_day",
                "≥ 0",
            ),
            (
                cohort("proficiency = 1.5"),
                "program.cohorts[0].proficiency",
                "[0, 1]",
            ),
            (
                c("group", "\"x\""),
                "program.cohorts[0].group",
                "no agent group",
            ),
            (
                "[[program.attrition]]\ngroup = \"g\"\nannual_rate = 1.0\n".to_string(),
                "program.attrition[0].annual_rate",
                "[0, 1)",
            ),
            (
                "[[program.attrition]]\ngroup = \"g\"\nannual_rate = -0.1\n".to_string(),
                "program.attrition[0].annual_rate",
                "[0, 1)",
            ),
            (
                "[program]\ndiscount_rate = -0.1\n".to_string(),
                "program.discount_rate",
                "≥ 0",
            ),
        ];
        for (program, path, allowed) in cases {
            let (p, m) = error(&program);
            assert_eq!(p, path, "{program}");
            assert!(m.contains(allowed), "{path}: {m}");
        }
    }
}
