//! `$filter`: a tokenizer, a recursive-descent parser (`or` < `and` < `not` < comparison)
//! and an evaluator over entities serialised as JSON.

use super::{FieldType, ODataError, Schema};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::Value;
use std::cmp::Ordering;

/// Longest filter accepted, and deepest nesting: bounds on the work one request can ask for.
pub const MAX_FILTER_CHARS: usize = 2_000;
pub const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    DateTime(DateTime<FixedOffset>),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare { field: &'static str, op: Op, value: Literal },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
    Str(String),
    Number(String),
}

/// The marker `parse` replaces with the filter's text, so every syntax error quotes it.
const HERE: &str = "\u{0}";

fn syntax(message: impl std::fmt::Display) -> ODataError {
    ODataError::new(format!("Syntax error in $filter{HERE}: {message}."))
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ODataError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(syntax(format!("unterminated string starting at position {start}")))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                tokens.push((start, Token::Str(s)));
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => {
                // Numbers, dates and date-times all start like this.
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "-+:.".contains(chars[i])) {
                    i += 1;
                }
                tokens.push((start, Token::Number(chars[start..i].iter().collect())));
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '/') {
                    i += 1;
                }
                tokens.push((start, Token::Word(chars[start..i].iter().collect())));
            }
            other => return Err(syntax(format!("unexpected '{other}' at position {start}"))),
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    at: usize,
    schema: &'a Schema,
}

pub fn parse(text: &str, schema: &Schema) -> Result<Filter, ODataError> {
    if text.chars().count() > MAX_FILTER_CHARS {
        return Err(ODataError::new(format!("$filter is longer than {MAX_FILTER_CHARS} characters.")));
    }
    parse_tokens(text, schema).map_err(|mut e| {
        let quoted: String = text.chars().take(80).collect();
        let ellipsis = if text.chars().count() > 80 { "…" } else { "" };
        e.message = e.message.replace(HERE, &format!(" '{quoted}{ellipsis}'"));
        e
    })
}

fn parse_tokens(text: &str, schema: &Schema) -> Result<Filter, ODataError> {
    let mut p = Parser { tokens: tokenize(text)?, at: 0, schema };
    if p.tokens.is_empty() {
        return Err(syntax("the expression is empty"));
    }
    let f = p.or(0)?;
    match p.tokens.get(p.at) {
        None => Ok(f),
        Some((pos, t)) => Err(syntax(format!("unexpected {} at position {pos}", describe(t)))),
    }
}

fn describe(t: &Token) -> String {
    match t {
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
        Token::Word(w) | Token::Number(w) => format!("'{w}'"),
        Token::Str(s) => format!("string '{s}'"),
    }
}

impl Parser<'_> {
    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.tokens.get(self.at), Some((_, Token::Word(w))) if w.eq_ignore_ascii_case(kw))
    }

    fn next(&mut self) -> Result<(usize, Token), ODataError> {
        let t = self.tokens.get(self.at).cloned().ok_or_else(|| syntax("the expression ends too early"))?;
        self.at += 1;
        Ok(t)
    }

    fn or(&mut self, depth: usize) -> Result<Filter, ODataError> {
        let mut left = self.and(depth)?;
        while self.peek_keyword("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Filter, ODataError> {
        let mut left = self.unary(depth)?;
        while self.peek_keyword("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary(depth)?));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, ODataError> {
        if depth >= MAX_DEPTH {
            return Err(ODataError::new(format!("$filter nests deeper than {MAX_DEPTH} levels.")));
        }
        if self.peek_keyword("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary(depth + 1)?)));
        }
        if matches!(self.tokens.get(self.at), Some((_, Token::Open))) {
            self.at += 1;
            let inner = self.or(depth + 1)?;
            return match self.next()? {
                (_, Token::Close) => Ok(inner),
                (pos, t) => Err(syntax(format!("expected ')' at position {pos}, found {}", describe(&t)))),
            };
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Filter, ODataError> {
        let (left_pos, left) = self.next()?;
        let (op_pos, op) = self.next()?;
        let op = match &op {
            Token::Word(w) => match w.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                _ => return Err(unknown_operator(op_pos, w)),
            },
            t => {
                return Err(syntax(format!(
                    "expected an operator at position {op_pos}, found {}",
                    describe(t)
                )))
            }
        };
        let (right_pos, right) = self.next()?;
        // `5 lt currentScore` reads as `currentScore gt 5`.
        match (self.field(&left), self.field(&right)) {
            (Some(field), _) => {
                let value = literal(&right, right_pos, field)?;
                Ok(Filter::Compare { field: field.0, op, value })
            }
            (None, Some(field)) => {
                let value = literal(&left, left_pos, field)?;
                Ok(Filter::Compare { field: field.0, op: flip(op), value })
            }
            (None, None) => match &left {
                Token::Word(w) if !is_keyword_literal(w) => Err(self.unknown_field(w)),
                _ => Err(syntax(format!("position {left_pos}: a comparison needs a property on one side"))),
            },
        }
    }

    fn field(&self, t: &Token) -> Option<(&'static str, FieldType)> {
        match t {
            Token::Word(w) => self.schema.scalar_field(w),
            _ => None,
        }
    }

    fn unknown_field(&self, name: &str) -> ODataError {
        match self.schema.selectable.iter().find(|s| s.eq_ignore_ascii_case(name)) {
            Some(s) => {
                ODataError::new(format!("The property '{s}' cannot be used in $filter: it is not a scalar."))
            }
            None => ODataError::new(format!(
                "Could not find a property named '{name}' on type '{}'.",
                self.schema.entity
            )),
        }
    }
}

fn unknown_operator(pos: usize, w: &str) -> ODataError {
    syntax(format!("'{w}' at position {pos} is not an operator (eq, ne, gt, ge, lt, le)"))
}

fn is_keyword_literal(w: &str) -> bool {
    ["true", "false", "null"].iter().any(|k| k.eq_ignore_ascii_case(w))
}

fn flip(op: Op) -> Op {
    match op {
        Op::Gt => Op::Lt,
        Op::Ge => Op::Le,
        Op::Lt => Op::Gt,
        Op::Le => Op::Ge,
        same => same,
    }
}

/// The literal, checked against the type of the property it is compared with.
fn literal(t: &Token, pos: usize, (name, ty): (&'static str, FieldType)) -> Result<Literal, ODataError> {
    let mismatch = || {
        ODataError::new(format!(
            "The value at position {pos} cannot be compared with '{name}', which is a {}.",
            ty.describe()
        ))
    };
    let value = match t {
        Token::Word(w) if w.eq_ignore_ascii_case("null") => return Ok(Literal::Null),
        Token::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
        Token::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
        Token::Str(s) => Literal::String(s.clone()),
        Token::Number(n) if ty == FieldType::DateTime => {
            Literal::DateTime(parse_datetime(n).ok_or_else(mismatch)?)
        }
        Token::Number(n) => {
            Literal::Number(n.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(mismatch)?)
        }
        Token::Word(_) | Token::Open | Token::Close => return Err(mismatch()),
    };
    let fits = matches!(
        (ty, &value),
        (FieldType::String, Literal::String(_))
            | (FieldType::Number, Literal::Number(_))
            | (FieldType::Bool, Literal::Bool(_))
            | (FieldType::DateTime, Literal::DateTime(_))
    );
    if fits {
        Ok(value)
    } else {
        Err(mismatch())
    }
}

pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        Some(d.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
    })
}

impl Filter {
    pub fn matches(&self, item: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(item) && b.matches(item),
            Filter::Or(a, b) => a.matches(item) || b.matches(item),
            Filter::Not(a) => !a.matches(item),
            Filter::Compare { field, op, value } => compare(item.get(*field), *op, value),
        }
    }
}

fn compare(actual: Option<&Value>, op: Op, expected: &Literal) -> bool {
    let actual = actual.filter(|v| !v.is_null());
    let ordering = match (actual, expected) {
        (None, Literal::Null) => Some(Ordering::Equal),
        (None, _) | (Some(_), Literal::Null) => {
            // Only equality is defined against null.
            return op == Op::Ne;
        }
        (Some(v), expected) => order(v, expected),
    };
    let Some(o) = ordering else { return false };
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
    }
}

/// How an entity's value orders against a literal; `None` when they cannot be compared.
fn order(v: &Value, expected: &Literal) -> Option<Ordering> {
    match expected {
        Literal::String(s) => Some(v.as_str()?.cmp(s.as_str())),
        Literal::Number(n) => v.as_f64()?.partial_cmp(n),
        Literal::Bool(b) => Some(v.as_bool()?.cmp(b)),
        Literal::DateTime(t) => Some(parse_datetime(v.as_str()?)?.cmp(t)),
        Literal::Null => None,
    }
}

/// Orders two entities' values of one property for `$orderby`: nulls first, as OData does.
pub fn order_values(a: Option<&Value>, b: Option<&Value>, ty: FieldType) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => match ty {
            FieldType::Number => a.as_f64().partial_cmp(&b.as_f64()).unwrap_or(Ordering::Equal),
            FieldType::Bool => a.as_bool().cmp(&b.as_bool()),
            FieldType::DateTime => {
                a.as_str().and_then(parse_datetime).cmp(&b.as_str().and_then(parse_datetime))
            }
            FieldType::String => a.as_str().cmp(&b.as_str()),
        },
    }
}
