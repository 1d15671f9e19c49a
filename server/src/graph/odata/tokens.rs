//! The words of a `$filter`: properties, keywords, quoted strings, numbers and dates,
//! parentheses, each with where it starts (for messages that say where).

use super::ODataError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Open,
    Close,
    Word(String),
    Str(String),
    Number(String),
    /// Any other character: the parser reports it where it stands, so a clearer error met
    /// earlier (an unsupported function, say) wins.
    Symbol(char),
}

/// Quotes the filter (its start, if long) so the client sees which of its filters failed.
pub(super) fn syntax(text: &str, message: impl std::fmt::Display) -> ODataError {
    let quoted: String = text.chars().take(80).collect();
    let ellipsis = if text.chars().count() > 80 { "…" } else { "" };
    ODataError::new(format!("Syntax error in $filter '{quoted}{ellipsis}': {message}."))
}

pub(super) fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ODataError> {
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
                            return Err(syntax(
                                text,
                                format!("unterminated string starting at position {start}"),
                            ))
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
            other => {
                tokens.push((start, Token::Symbol(other)));
                i += 1;
            }
        }
    }
    Ok(tokens)
}
