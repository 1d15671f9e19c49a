//! Rampart's scoring core: values in, values out — no database, clock or network,
//! so the server and the browser compute the same numbers by construction.

pub mod action;
pub mod alert;
pub mod benchmark;
pub mod catalog;
pub mod comparison;
pub mod day_trend;
pub mod entity;
pub mod graph_state;
pub mod points;
pub mod ranking;
pub mod report;
pub mod roles;
pub mod snapshot;
pub mod source;
pub mod status;
pub mod tally;

pub use action::{Category, ImprovementAction, Level, Prerequisites, Scoring, Tier};
pub use entity::{Entity, EntityKind};
pub use points::{Percent, Points};
pub use ranking::{rank, RankedAction};
pub use source::MeasurementSource;
pub use status::{ControlState, EffectiveStatus, Measurement, Status};
pub use tally::{evaluate, ActionScore, Breakdown, SecureScore};
