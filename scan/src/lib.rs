//! Scanner reports: what Maester, ScubaGear and Prowler write, read into one shape
//! ([`ScanReport`]), and the mapping of their controls to improvement actions.
//!
//! Nothing here touches the store or the network: a report goes in as bytes, a list of
//! checked results comes out, and every refusal names the place in the file it is about.

mod controls;
pub mod detect;
mod entities;
mod json_path;
pub mod maester;
pub mod mapping;
pub mod prowler;
pub mod scubagear;
mod timestamp;

pub use detect::{detect, read};

use chrono::{DateTime, Utc};
use score::Entity;
use std::fmt;

/// The scanners Rampart reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    Maester,
    ScubaGear,
    Prowler,
}

impl Tool {
    pub const ALL: [Tool; 3] = [Tool::Maester, Tool::ScubaGear, Tool::Prowler];

    /// The lower-case name used on the command line, in mapping files and as a tag.
    pub fn key(self) -> &'static str {
        match self {
            Tool::Maester => "maester",
            Tool::ScubaGear => "scubagear",
            Tool::Prowler => "prowler",
        }
    }

    /// The name as the tool's authors write it.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Maester => "Maester",
            Tool::ScubaGear => "ScubaGear",
            Tool::Prowler => "Prowler",
        }
    }

    pub fn from_key(key: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.key().eq_ignore_ascii_case(key))
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One run of one scanner against one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanReport {
    pub tool: Tool,
    /// As the file states it, when it does.
    pub tool_version: Option<String>,
    /// The Entra tenant id (a GUID) the run was against, when the file states it.
    pub tenant_id: Option<String>,
    /// The tenant's primary domain, when the file states it.
    pub tenant_domain: Option<String>,
    /// When the run happened: every measurement taken from the report is observed then.
    pub executed_at: DateTime<Utc>,
    /// One per control id, in the order first seen (Prowler's findings aggregated per check).
    pub controls: Vec<ControlResult>,
}

/// What a scanner found for one control.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlResult {
    /// The tool's id of the control, normalised (ScubaGear's without its `v1` suffix).
    pub id: String,
    /// The tool's title for it, for a custom action made from an unmapped control.
    pub title: String,
    pub outcome: Outcome,
    /// The result exactly as the tool wrote it (`Passed`, `Warning`, `PASS`…), for display.
    pub raw_result: String,
    pub severity: Severity,
    /// The users, devices or resources the result is about, with whether each passes.
    /// For Prowler, one per resource of the check's findings; for Maester, the objects its
    /// result lists (failing in a failed test unless marked passing); none for ScubaGear.
    pub entities: Vec<Entity>,
    /// Where in the file the control is (`$.Tests[12]`), for messages.
    pub path: String,
}

/// A tool's result, reduced to what a measurement can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The control is met.
    Pass,
    /// The control is not met.
    Fail,
    /// The tool did not decide (skipped, not run, not applicable, errored, needs a human):
    /// no measurement is taken from it.
    NotMeasured,
}

/// A common scale for the tools' severities and criticalities; sets the points of a custom
/// action made from an unmapped control (see [`mapping::points_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

/// A refusal: where in the file, and what is wrong there, naming the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// A JSON path (`$.Tests[3].Result`), or `$` for the file as a whole.
    pub path: String,
    pub message: String,
}

impl ScanError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> ScanError {
        ScanError { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.path, self.message)
    }
}

impl std::error::Error for ScanError {}
