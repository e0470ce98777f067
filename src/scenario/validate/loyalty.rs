//! Building the satisfaction and loyalty keys of `[experience]`: the top-box satisfaction
//! drops (`[experience.satisfaction]`), the CSAT spread, loyalty by journey outcome
//! (`[experience.loyalty]`), the alternative churn and word-of-mouth figures, and the optional
//! spend premium (`[experience.spend_premium]`). Defaults and sources: docs/model.md §4.

use super::checks::{non_negative, num, probability, Ctx};
use crate::model::experience::{DropUnit, SatisfactionWeights, SpendPremium, WordOfMouth};
use crate::model::ExperienceParams;
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::raw::{RawExperience, RawLoyalty};

/// Applies the satisfaction and loyalty keys of `r` to `e` (defaults already in `e`).
pub fn satisfaction_and_loyalty(
    cx: &Ctx,
    r: &RawExperience,
    e: &mut ExperienceParams,
) -> Result<(), ScenarioError> {
    if let Some(s) = &r.satisfaction {
        let w = &mut e.satisfaction;
        if let Some(unit) = &s.unit {
            let unit = match unit.as_str() {
                "points" => DropUnit::Points,
                "relative" => DropUnit::Relative,
                other => {
                    return Err(cx.err(
                        "experience.satisfaction.unit",
                        format!("must be \"points\" (drops subtract from the top-box share) or \"relative\" (drops multiply it by 1 − drop), got \"{other}\""),
                    ))
                }
            };
            // The other unit's defaults are calibrated for it: start from them.
            *w = SatisfactionWeights::defaults_for(unit);
        }
        if let Some(b) = s.base {
            w.base = probability(cx, "experience.satisfaction.base", b)
                .map_err(|_| {
                    cx.err(
                        "experience.satisfaction.base",
                        format!("is the top-box share (\"very satisfied\") of a perfect journey, a number from 0 to 1 (SQM: 0.82), got {}", num(b)),
                    )
                })?;
        }
        let relative = w.unit == DropUnit::Relative;
        let fields: [(&str, Option<f64>, &mut f64); 7] = [
            ("per_wait_minute", s.per_wait_minute, &mut w.per_wait_minute),
            ("per_hold", s.per_hold, &mut w.per_hold),
            ("per_hold_minute", s.per_hold_minute, &mut w.per_hold_minute),
            ("per_transfer", s.per_transfer, &mut w.per_transfer),
            ("per_repeat", s.per_repeat, &mut w.per_repeat),
            ("unresolved", s.unresolved, &mut w.unresolved),
            ("per_abandon", s.per_abandon, &mut w.per_abandon),
        ];
        for (key, value, slot) in fields {
            let Some(v) = value else { continue };
            let path = format!("experience.satisfaction.{key}");
            *slot = if relative {
                probability(cx, &path, v).map_err(|_| {
                    cx.err(
                        &path,
                        format!("is a relative drop of the top-box share (unit = \"relative\"): a number from 0 to 1, got {}", num(v)),
                    )
                })?
            } else {
                non_negative(cx, &path, v).map_err(|_| {
                    cx.err(
                        &path,
                        format!("is a drop of the top-box share in points (0.1 = 10 points): a number from 0 to 1e12, got {}", num(v)),
                    )
                })?
            };
        }
    }
    if let Some(list) = &r.csat_spread {
        let ok = list.len() == 3
            && list.iter().all(|x| (0.0..=50.0).contains(x))
            && list[0] <= list[1]
            && list[1] <= list[2];
        if !ok {
            return Err(cx.err(
                "experience.csat_spread",
                format!(
                    "needs 3 increasing logit offsets from 0 to 50 (for CSAT ≥ 4, ≥ 3, ≥ 2), got {list:?}"
                ),
            ));
        }
        e.csat_spread.offsets = [list[0], list[1], list[2]];
    }
    if let Some(list) = &r.churn_by_csat {
        if list.len() != 5 {
            return Err(cx.err(
                "experience.churn_by_csat",
                format!(
                    "needs 5 probabilities (for CSAT 1, 2, 3, 4, 5), got {}",
                    list.len()
                ),
            ));
        }
        let mut c = [0.0; 5];
        for (i, &p) in list.iter().enumerate() {
            c[i] = probability(cx, &format!("experience.churn_by_csat[{i}]"), p)?;
        }
        e.churn_by_csat = Some(c);
    }
    let amex_keys = r.word_of_mouth_unhappy.is_some() || r.word_of_mouth_happy.is_some();
    let mode = r.loyalty.as_ref().and_then(|l| l.word_of_mouth.as_deref());
    match mode {
        Some("amex") | None if amex_keys || mode == Some("amex") => {
            let WordOfMouth::Amex {
                mut unhappy,
                mut happy,
            } = WordOfMouth::AMEX_2011
            else {
                unreachable!("AMEX_2011 is the Amex variant")
            };
            if let Some(x) = r.word_of_mouth_unhappy {
                unhappy = non_negative(cx, "experience.word_of_mouth_unhappy", x)?;
            }
            if let Some(x) = r.word_of_mouth_happy {
                happy = non_negative(cx, "experience.word_of_mouth_happy", x)?;
            }
            e.loyalty.word_of_mouth = WordOfMouth::Amex { unhappy, happy };
        }
        None | Some("sqm") => {
            if amex_keys {
                return Err(cx.err(
                    "experience.loyalty.word_of_mouth",
                    "is \"sqm\", but experience.word_of_mouth_unhappy/happy are AmEx figures: set word_of_mouth = \"amex\" or drop them",
                ));
            }
        }
        Some(other) => {
            return Err(cx.err(
                "experience.loyalty.word_of_mouth",
                format!("must be \"sqm\" (by journey outcome, the default) or \"amex\" (AmEx 2011: 16 / 9 people), got \"{other}\""),
            ))
        }
    }
    if let Some(l) = &r.loyalty {
        loyalty(cx, l, e)?;
    }
    if let Some(p) = &r.spend_premium {
        let path = "experience.spend_premium";
        let Some(spend) = p.spend else {
            return Err(cx.err(
                format!("{path}.spend"),
                "is required: a customer's spend over the period the upside counts (currency)",
            ));
        };
        let d = SpendPremium::amex_2011(0.0);
        e.spend_premium = Some(SpendPremium {
            share: probability(
                cx,
                &format!("{path}.share"),
                p.share.map_or(d.share, |a| a.mode()),
            )?,
            premium: non_negative(
                cx,
                &format!("{path}.premium"),
                p.premium.map_or(d.premium, |a| a.mode()),
            )?,
            spend: non_negative(cx, &format!("{path}.spend"), spend)?,
        });
    }
    Ok(())
}

/// `[experience.loyalty]` beyond the word-of-mouth mode.
fn loyalty(cx: &Ctx, l: &RawLoyalty, e: &mut ExperienceParams) -> Result<(), ScenarioError> {
    let path = "experience.loyalty";
    if let Some(list) = &l.defection {
        let list: Vec<f64> = list.iter().map(|a| a.mode()).collect();
        let d = fixed::<3>(
            cx,
            &format!("{path}.defection"),
            &list,
            "3 probabilities (first-contact resolved, resolved after repeat, unresolved)",
        )?;
        for (i, &p) in d.iter().enumerate() {
            e.loyalty.defection[i] = probability(cx, &format!("{path}.defection[{i}]"), p)?;
        }
    }
    let sqm = matches!(e.loyalty.word_of_mouth, WordOfMouth::Sqm { .. });
    if (l.tell_share.is_some() || l.people_told.is_some()) && !sqm {
        return Err(cx.err(
            format!("{path}.tell_share"),
            "and people_told apply to word_of_mouth = \"sqm\" only",
        ));
    }
    if let WordOfMouth::Sqm { tell, people } = &mut e.loyalty.word_of_mouth {
        const CLASSES: &str = "4 values (first-contact resolved, resolved after repeat, unresolved, unresolved and very dissatisfied)";
        if let Some(list) = &l.tell_share {
            let list: Vec<f64> = list.iter().map(|a| a.mode()).collect();
            let t = fixed::<4>(cx, &format!("{path}.tell_share"), &list, CLASSES)?;
            for (i, &p) in t.iter().enumerate() {
                tell[i] = probability(cx, &format!("{path}.tell_share[{i}]"), p)?;
            }
        }
        if let Some(list) = &l.people_told {
            let t = fixed::<4>(cx, &format!("{path}.people_told"), list, CLASSES)?;
            for (i, &x) in t.iter().enumerate() {
                people[i] = non_negative(cx, &format!("{path}.people_told[{i}]"), x)?;
            }
        }
    }
    let nps = &mut e.loyalty.nps;
    for (key, list, slot) in [
        ("nps_high", &l.nps_high, &mut nps.high),
        ("nps_low", &l.nps_low, &mut nps.low),
    ] {
        if let Some(list) = list {
            let [p, n] = fixed::<2>(cx, &format!("{path}.{key}"), list, "[top-box share, NPS]")?;
            *slot = (p, n);
        }
    }
    if let Some(p) = l.nps_passives {
        nps.passives = p.mode();
    }
    if l.nps_high.is_some() || l.nps_low.is_some() || l.nps_passives.is_some() {
        // Name a key the file gives: the anchors when it gives one, else the passives.
        let key = if l.nps_high.is_some() || l.nps_low.is_some() {
            "nps_high"
        } else {
            "nps_passives"
        };
        nps.check().map_err(|m| {
            cx.err(
                format!("{path}.{key}"),
                format!("no NPS curve fits nps_high, nps_low and nps_passives: {m}"),
            )
        })?;
    }
    Ok(())
}

/// `list` as exactly `N` finite numbers.
fn fixed<const N: usize>(
    cx: &Ctx,
    path: &str,
    list: &[f64],
    what: &str,
) -> Result<[f64; N], ScenarioError> {
    if list.len() != N || !list.iter().all(|x| x.is_finite()) {
        return Err(cx.err(path, format!("needs {what}, got {} value(s)", list.len())));
    }
    let mut out = [0.0; N];
    out.copy_from_slice(list);
    Ok(out)
}
