//! `any` and `all` in `$filter`: `collection/any(v: …)`, the body parsed with the
//! collection's item properties in scope, named through the variable, one level deep.

use super::filter::{describe, is_keyword_literal, Filter, Parser};
use super::tokens::Token;
use super::{Items, ODataError};

/// Inside `any`/`all`: the lambda's variable and what it stands for.
pub(super) struct Scope {
    pub(super) var: String,
    pub(super) items: Items,
}

/// `controlScores/any` → (`controlScores`, false); `…/all` → (…, true); anything else `None`.
pub(super) fn lambda_of(word: &str) -> Option<(&str, bool)> {
    let (path, func) = word.rsplit_once('/')?;
    match func.to_ascii_lowercase().as_str() {
        "any" => Some((path, false)),
        "all" => Some((path, true)),
        _ => None,
    }
}

impl Parser<'_> {
    /// `collection/any(v: …)` or `/all(…)`, the word seen: the body is parsed with the
    /// collection's item properties in scope, named through the variable.
    pub(super) fn lambda(&mut self, path: &str, all: bool, depth: usize) -> Result<Filter, ODataError> {
        let (pos, word) = self.next()?;
        let word = describe(&word);
        self.at += 1; // the '(' seen by the caller
        let Some((collection, items)) = self.schema.collection(path).filter(|_| self.scope.is_none()) else {
            let names: Vec<&str> = self.schema.collections.iter().map(|(n, _)| *n).collect();
            let over =
                if names.is_empty() { "no property of this type".to_owned() } else { names.join(", ") };
            return Err(ODataError::new(format!(
                "The function {word} is not supported in $filter: any and all look into {over}, \
                 one level deep."
            )));
        };
        if self.peek() == Some(&Token::Close) {
            self.at += 1;
            if all {
                return Err(self.syntax(format!("{word} at position {pos} needs a condition")));
            }
            return Ok(Filter::Lambda { collection, all, body: None });
        }
        let var = match self.next()? {
            (_, Token::Word(v)) if !v.contains('/') && !is_keyword_literal(&v) => v,
            (at, t) => {
                return Err(self.syntax(format!(
                    "{word} at position {pos} starts with a variable name, found {} at position {at}",
                    describe(&t)
                )))
            }
        };
        match self.next()? {
            (_, Token::Symbol(':')) => {}
            (at, t) => {
                return Err(self.syntax(format!("expected ':' at position {at}, found {}", describe(&t))))
            }
        }
        self.scope = Some(Scope { var, items });
        let body = self.or(depth + 1);
        self.scope = None;
        let body = body?;
        match self.next()? {
            (_, Token::Close) => Ok(Filter::Lambda { collection, all, body: Some(Box::new(body)) }),
            (at, t) => Err(self.syntax(format!("expected ')' at position {at}, found {}", describe(&t)))),
        }
    }
}
