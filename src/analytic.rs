//! PLACEHOLDER until the analytic module lands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueParams { pub arrival_rate: f64, pub mean_handle: f64, pub agents: u32, pub mean_patience: Option<f64>, pub threshold: f64 }
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueAnswer { pub offered_load: f64, pub wait_probability: f64, pub service_level: f64, pub asa_s: f64, pub mean_wait_s: f64, pub abandon_rate: f64, pub occupancy: f64 }
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnalyticError { #[error("not implemented")] NotYet }
pub fn solve(_p: &QueueParams) -> Result<QueueAnswer, AnalyticError> { Err(AnalyticError::NotYet) }
