//! Small pages answered by plain HTTP handlers (a new token, an import's progress): the
//! site's stylesheet, one card, and text escaped for HTML.

/// `s` safe inside HTML text and double-quoted attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page up to and including its heading; `title` and `heading` are trusted text.
pub fn start(title: &str, heading: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Rampart</title>\
         <link rel=\"stylesheet\" href=\"/rampart.css\"></head><body><main><section class=\"card narrow\">\
         <h1>{heading}</h1>"
    )
}

/// Closes what [`start`] opened.
pub const END: &str = "</section></main></body></html>";

#[cfg(test)]
mod tests {
    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(super::escape("<b a=\"1\">&"), "&lt;b a=&quot;1&quot;&gt;&amp;");
    }
}
