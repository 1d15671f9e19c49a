//! Improvement actions: the ranked list, the flyout and page of one action, editing status
//! and notes, custom actions (add, edit, delete, restore), and the CSV export's rows.

pub mod browser;
pub mod csv;
pub mod custom;
pub mod custom_edit;
pub mod data;
pub mod detail;
pub mod edit;
pub mod entities;
pub mod filter;
pub mod flyout;
pub mod form;
pub mod history;
pub mod list;
pub mod query;
pub mod row;
pub mod share;

pub use crate::format::rcdata;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn rcdata_cannot_close_the_element_early() {
        assert_eq!(super::rcdata("</textarea><b>&"), "&lt;/textarea&gt;&lt;b&gt;&amp;");
    }
}
