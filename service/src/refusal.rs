//! Why a change was refused, in one shape for every form and every way in: a stable `code`
//! a page can carry back in its URL (`?error=note`), the `field` to fix (what a script's 400
//! names), and the `message` a person reads. Each set of rules lists its refusals once, in
//! a [`Refusals`] table beside the rules.

/// One reason to refuse a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// What an unknown code reads as: a link with a made-up code says no more than this.
pub const REFUSED: Refusal = Refusal { code: "refused", field: "form", message: "The change was refused." };

impl Refusal {
    pub const fn new(code: &'static str, field: &'static str, message: &'static str) -> Refusal {
        Refusal { code, field, message }
    }
}

/// The refusals one set of rules can give.
#[derive(Debug, Clone, Copy)]
pub struct Refusals(pub &'static [Refusal]);

impl Refusals {
    /// The refusal with this code, if it is one of these.
    pub fn get(&self, code: &str) -> Option<Refusal> {
        self.0.iter().find(|r| r.code == code).copied()
    }

    /// The refusal with this code; a code that is not one of these reads as [`REFUSED`].
    pub fn of(&self, code: &str) -> Refusal {
        self.get(code).unwrap_or(REFUSED)
    }

    /// The refusal a page reads back from `?error=code`, looked up in each table in turn.
    pub fn find(tables: &[Refusals], code: &str) -> Refusal {
        tables.iter().find_map(|t| t.get(code)).unwrap_or(REFUSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Refusals = Refusals(&[Refusal::new("a_name", "name", "Name: say who.")]);
    const B: Refusals = Refusals(&[Refusal::new("b_day", "day", "Day: a date.")]);

    #[test]
    fn a_code_is_found_in_its_own_table_and_anything_else_reads_plainly() {
        assert_eq!(A.of("a_name").field, "name");
        assert_eq!(A.get("b_day"), None);
        assert_eq!(Refusals::find(&[A, B], "b_day").message, "Day: a date.");
        assert_eq!(Refusals::find(&[A, B], "<script>"), REFUSED);
    }
}
