//! `$filter`: a tokenizer and a recursive-descent parser (`or` < `and` < `not` <
//! comparison) that checks every property and literal against the entity's schema,
//! including those of the items `any` and `all` look into.

use super::evaluate::parse_datetime;
use super::lambda::{lambda_of, Scope};
use super::tokens::{syntax, tokenize, Token};
use super::{FieldType, Items, ODataError, Schema};
use chrono::{DateTime, FixedOffset};

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
    Compare {
        field: &'static str,
        op: Op,
        value: Literal,
    },
    /// `startswith(field, 'text')` and its kin, on a string property.
    Text {
        func: TextFn,
        field: &'static str,
        text: String,
    },
    /// `controlScores/any(c: c/score gt 0)`, or `all`: `body` tried on each item of the
    /// collection, whose fields it names (the empty name: a plain value itself).
    /// `any()` without a body asks whether the collection has items at all.
    Lambda {
        collection: &'static str,
        all: bool,
        body: Option<Box<Filter>>,
    },
}

/// The string functions `$filter` takes. Like Graph, they ignore letter case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFn {
    StartsWith,
    EndsWith,
    Contains,
}

impl TextFn {
    fn named(name: &str) -> Option<TextFn> {
        match name.to_ascii_lowercase().as_str() {
            "startswith" => Some(TextFn::StartsWith),
            "endswith" => Some(TextFn::EndsWith),
            "contains" => Some(TextFn::Contains),
            _ => None,
        }
    }
}

pub(super) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) tokens: Vec<(usize, Token)>,
    pub(super) at: usize,
    pub(super) schema: &'a Schema,
    pub(super) scope: Option<Scope>,
}

pub fn parse(text: &str, schema: &Schema) -> Result<Filter, ODataError> {
    if text.chars().count() > MAX_FILTER_CHARS {
        return Err(ODataError::new(format!("$filter is longer than {MAX_FILTER_CHARS} characters.")));
    }
    let mut p = Parser { text, tokens: tokenize(text)?, at: 0, schema, scope: None };
    if p.tokens.is_empty() {
        return Err(syntax(text, "the expression is empty"));
    }
    let f = p.or(0)?;
    match p.tokens.get(p.at) {
        None => Ok(f),
        Some((pos, t)) => Err(p.syntax(format!("unexpected {} at position {pos}", describe(t)))),
    }
}

pub(super) fn describe(t: &Token) -> String {
    match t {
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
        Token::Word(w) | Token::Number(w) => format!("'{w}'"),
        Token::Str(s) => format!("string '{s}'"),
        Token::Symbol(c) => format!("'{c}'"),
    }
}

impl Parser<'_> {
    pub(super) fn syntax(&self, message: impl std::fmt::Display) -> ODataError {
        syntax(self.text, message)
    }

    pub(super) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    pub(super) fn next(&mut self) -> Result<(usize, Token), ODataError> {
        let t =
            self.tokens.get(self.at).cloned().ok_or_else(|| self.syntax("the expression ends too early"))?;
        self.at += 1;
        Ok(t)
    }

    pub(super) fn or(&mut self, depth: usize) -> Result<Filter, ODataError> {
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

    /// Every level of `not` and of parentheses counts towards `MAX_DEPTH`, so the recursion
    /// here (and later in `matches`) stays shallow whatever the request.
    fn unary(&mut self, depth: usize) -> Result<Filter, ODataError> {
        if depth >= MAX_DEPTH {
            return Err(ODataError::new(format!("$filter nests deeper than {MAX_DEPTH} levels.")));
        }
        if self.peek_keyword("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or(depth + 1)?;
            return match self.next()? {
                (_, Token::Close) => Ok(inner),
                (pos, t) => {
                    Err(self.syntax(format!("expected ')' at position {pos}, found {}", describe(&t))))
                }
            };
        }
        if let (Some(Token::Word(w)), Some((_, Token::Open))) = (self.peek(), self.tokens.get(self.at + 1)) {
            if let Some(func) = TextFn::named(w) {
                return self.text_function(func);
            }
            if let Some((path, all)) = lambda_of(w) {
                let path = path.to_owned();
                return self.lambda(&path, all, depth);
            }
        }
        self.comparison()
    }

    /// `name(property, 'text')`, the name already seen: the property must be a string.
    fn text_function(&mut self, func: TextFn) -> Result<Filter, ODataError> {
        let (name_pos, name) = self.next()?;
        let name = describe(&name);
        self.at += 1; // the '(' seen by the caller
        let (field_pos, field_token) = self.next()?;
        let field = match &field_token {
            Token::Word(w) => self.field(&field_token).ok_or_else(|| self.unknown_field(w))?,
            other => {
                return Err(self.syntax(format!(
                    "{name} at position {name_pos} takes a property first, found {} at position {field_pos}",
                    describe(other)
                )))
            }
        };
        if field.1 != FieldType::String {
            return Err(ODataError::new(format!(
                "{name} at position {name_pos} works on text; '{}' is a {}.",
                field.0,
                field.1.describe()
            )));
        }
        match self.next()? {
            (_, Token::Symbol(',')) => {}
            (pos, t) => {
                return Err(self.syntax(format!("expected ',' at position {pos}, found {}", describe(&t))))
            }
        }
        let text = match self.next()? {
            (_, Token::Str(s)) => s,
            (pos, t) => {
                return Err(self.syntax(format!(
                    "{name} compares with a quoted string; found {} at position {pos}",
                    describe(&t)
                )))
            }
        };
        match self.next()? {
            (_, Token::Close) => Ok(Filter::Text { func, field: field.0, text }),
            (pos, t) => Err(self.syntax(format!("expected ')' at position {pos}, found {}", describe(&t)))),
        }
    }

    fn comparison(&mut self) -> Result<Filter, ODataError> {
        let (left_pos, left) = self.operand()?;
        let (op_pos, op) = self.next()?;
        let op = self.operator(&left, op_pos, &op)?;
        let (right_pos, right) = self.operand()?;
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
            (None, None) => {
                match (&left, &right) {
                    (Token::Word(w), _) | (_, Token::Word(w)) if !is_keyword_literal(w) => {
                        Err(self.unknown_field(w))
                    }
                    _ => Err(self
                        .syntax(format!("position {left_pos}: a comparison needs a property on one side"))),
                }
            }
        }
    }

    /// A property or a literal.
    fn operand(&mut self) -> Result<(usize, Token), ODataError> {
        match self.next()? {
            (pos, t @ (Token::Open | Token::Close | Token::Symbol(_))) => {
                Err(self.syntax(format!("unexpected {} at position {pos}", describe(&t))))
            }
            operand => Ok(operand),
        }
    }

    fn operator(&self, left: &Token, pos: usize, op: &Token) -> Result<Op, ODataError> {
        match (left, op) {
            (_, Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => Ok(Op::Eq),
                "ne" => Ok(Op::Ne),
                "gt" => Ok(Op::Gt),
                "ge" => Ok(Op::Ge),
                "lt" => Ok(Op::Lt),
                "le" => Ok(Op::Le),
                _ => Err(self.syntax(format!("'{w}' at position {pos} is not an operator ({OPERATORS})"))),
            },
            // Scripts written for Graph may try other functions or `…/any(…)`; say so plainly
            // rather than report a misplaced parenthesis.
            (Token::Word(f), Token::Open) => Err(ODataError::new(format!(
                "The function '{f}' is not supported in $filter; compare properties with {OPERATORS}, \
                 or use startswith, endswith or contains on text."
            ))),
            (_, t) => {
                Err(self.syntax(format!("expected an operator at position {pos}, found {}", describe(t))))
            }
        }
    }

    fn field(&self, t: &Token) -> Option<(&'static str, FieldType)> {
        let Token::Word(w) = t else { return None };
        match &self.scope {
            None => self.schema.scalar_field(w),
            Some(Scope { var, items: Items::Values(ty) }) => (w == var).then_some(("", *ty)),
            Some(Scope { var, items: Items::Entities { scalar, .. } }) => {
                let property = w.strip_prefix(var.as_str())?.strip_prefix('/')?;
                scalar.iter().copied().find(|(n, _)| n.eq_ignore_ascii_case(property))
            }
        }
    }

    fn unknown_field(&self, name: &str) -> ODataError {
        match &self.scope {
            Some(Scope { var, items: Items::Values(_) }) => {
                return ODataError::new(format!(
                    "Inside any/all, compare the items themselves as '{var}'; '{name}' is not that."
                ))
            }
            Some(Scope { var, items: Items::Entities { entity, .. } }) => {
                return ODataError::new(format!(
                    "Inside any/all, name the items' properties as '{var}/…'; '{name}' is not a \
                     property of type '{entity}' that $filter can use."
                ))
            }
            None => {}
        }
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

const OPERATORS: &str = "eq, ne, gt, ge, lt, le";

pub(super) fn is_keyword_literal(w: &str) -> bool {
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
        Token::Word(_) | Token::Open | Token::Close | Token::Symbol(_) => return Err(mismatch()),
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
