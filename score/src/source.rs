//! Where a measurement came from: the flyout says which source gave the value in effect,
//! and when two sources disagree about one action the newest observation wins.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum MeasurementSource {
    /// The daily Microsoft 365 sync (and the demo's simulation of it).
    GraphSync,
    /// `POST /api/v1/measurements` from an agent or script.
    #[default]
    Ingest,
    Maester,
    ScubaGear,
    Prowler,
    /// A Microsoft Graph export imported from files.
    Import,
}

impl MeasurementSource {
    pub const ALL: [MeasurementSource; 6] = [
        MeasurementSource::GraphSync,
        MeasurementSource::Ingest,
        MeasurementSource::Maester,
        MeasurementSource::ScubaGear,
        MeasurementSource::Prowler,
        MeasurementSource::Import,
    ];

    /// The name in the database and in JSON.
    pub fn key(self) -> &'static str {
        match self {
            MeasurementSource::GraphSync => "graphSync",
            MeasurementSource::Ingest => "ingest",
            MeasurementSource::Maester => "maester",
            MeasurementSource::ScubaGear => "scubaGear",
            MeasurementSource::Prowler => "prowler",
            MeasurementSource::Import => "import",
        }
    }

    pub fn from_key(key: &str) -> Option<MeasurementSource> {
        MeasurementSource::ALL.into_iter().find(|s| s.key() == key)
    }

    /// How a page names it.
    pub fn label(self) -> &'static str {
        match self {
            MeasurementSource::GraphSync => "Microsoft 365 sync",
            MeasurementSource::Ingest => "Ingest API",
            MeasurementSource::Maester => "Maester",
            MeasurementSource::ScubaGear => "ScubaGear",
            MeasurementSource::Prowler => "Prowler",
            MeasurementSource::Import => "Graph export import",
        }
    }
}

impl fmt::Display for MeasurementSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_and_match_json() {
        for s in MeasurementSource::ALL {
            assert_eq!(MeasurementSource::from_key(s.key()), Some(s));
            assert_eq!(serde_json::to_string(&s).expect("serialises"), format!("\"{}\"", s.key()));
        }
    }
}
