//! The controls of a report, one per id, in the order first seen.

use crate::entities::{too_many, EntitySet};
use crate::json_path::JsonPath;
use crate::{ControlResult, Outcome, ScanError};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub(crate) struct Controls {
    list: Vec<ControlResult>,
    index: HashMap<String, usize>,
}

impl Controls {
    /// A second result for an id already seen (a copied custom test, a control listed under
    /// two groups) is folded into the first: it fails if either fails, and its entities join
    /// the first's. Refusing the whole file for it would help no one.
    pub(crate) fn add(&mut self, result: ControlResult, path: &JsonPath) -> Result<(), ScanError> {
        let Some(&at) = self.index.get(&result.id) else {
            self.index.insert(result.id.clone(), self.list.len());
            self.list.push(result);
            return Ok(());
        };
        let first = &mut self.list[at];
        if rank(result.outcome) > rank(first.outcome) {
            first.outcome = result.outcome;
            first.raw_result = result.raw_result;
        }
        first.severity = first.severity.max(result.severity);
        let mut entities = EntitySet::from_entities(std::mem::take(&mut first.entities))
            .map_err(|_| too_many(path, &first.id))?;
        for entity in result.entities {
            entities.add(entity).map_err(|_| too_many(path, &first.id))?;
        }
        first.entities = entities.into_vec();
        Ok(())
    }

    pub(crate) fn into_vec(self) -> Vec<ControlResult> {
        self.list
    }
}

/// Which of two results for one control stands: a failure over a pass over no decision.
fn rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::NotMeasured => 0,
        Outcome::Pass => 1,
        Outcome::Fail => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;
    use score::{Entity, EntityKind};

    fn control(id: &str, outcome: Outcome, raw: &str, entity: &str) -> ControlResult {
        ControlResult {
            id: id.into(),
            title: format!("{id} title"),
            outcome,
            raw_result: raw.into(),
            severity: Severity::Medium,
            entities: vec![Entity {
                id: entity.into(),
                display_name: entity.into(),
                kind: EntityKind::User,
                passes: outcome == Outcome::Pass,
            }],
            path: "$.Tests[0]".into(),
        }
    }

    #[test]
    fn the_same_id_twice_is_one_control_that_fails_if_either_fails() {
        let mut controls = Controls::default();
        let here = JsonPath::root();
        controls.add(control("MT.1001", Outcome::Pass, "Passed", "a"), &here).expect("fits");
        controls.add(control("MT.1002", Outcome::Pass, "Passed", "a"), &here).expect("fits");
        controls.add(control("MT.1001", Outcome::Fail, "Failed", "b"), &here).expect("fits");
        controls.add(control("MT.1001", Outcome::NotMeasured, "Skipped", "c"), &here).expect("fits");
        let list = controls.into_vec();
        assert_eq!(list.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["MT.1001", "MT.1002"]);
        assert_eq!((list[0].outcome, list[0].raw_result.as_str()), (Outcome::Fail, "Failed"));
        assert_eq!(list[0].entities.len(), 3);
        assert_eq!(list[0].path, "$.Tests[0]");
    }
}
