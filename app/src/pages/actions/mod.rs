//! Improvement actions: the ranked list, the flyout and page of one action, editing status
//! and notes, and the CSV export's rows.

pub mod csv;
pub mod custom;
pub mod data;
pub mod detail;
pub mod edit;
pub mod filter;
pub mod flyout;
pub mod form;
pub mod history;
pub mod list;
pub mod query;
pub mod row;

/// Text for elements whose content Leptos writes unescaped on the server (`<title>`,
/// `<textarea>`): both are RCDATA, so the browser decodes the entities back to the text.
/// In the browser the text goes in through the DOM and must stay as it is.
pub fn rcdata(s: &str) -> String {
    if cfg!(feature = "ssr") {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        s.to_owned()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn rcdata_cannot_close_the_element_early() {
        assert_eq!(super::rcdata("</textarea><b>&"), "&lt;/textarea&gt;&lt;b&gt;&amp;");
    }
}
