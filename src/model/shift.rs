//! What a shift plan leaves for the engine besides per-interval headcount: the breaks owed
//! during each shift-day. Built by the scenario from
//! `[[shifts]]` (see docs/model.md, "Shifts, breaks and shrinkage").

/// The breaks of one shift on one day: `agents` breaks of `length` seconds, each taken by
/// the first agent of the group who is free at or after `earliest` (simulation seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakSlot {
    /// When the break window opens (simulation seconds).
    pub earliest: f64,
    /// Latest planned start (simulation seconds). A break not started by then is taken at
    /// the first free moment after it: this time is part of the plan, not a deadline.
    pub latest: f64,
    /// Length of each break in seconds (> 0).
    pub length: f64,
    /// End of the shift: a break still owed then is dropped (nobody was ever free).
    pub expires: f64,
    /// Breaks owed: the shift's agents that day.
    pub agents: u32,
}
