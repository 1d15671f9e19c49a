//! Paged lists (History's events, the portfolio's tenants): which page is shown, and the
//! links to the others.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per page of a paged list.
pub const PAGE_SIZE: u32 = 50;

/// One page of a list of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageOf {
    /// 1-based; a page past the end shows the last one.
    pub page: u32,
    /// At least 1, so an empty list still has a page to show.
    pub pages: u32,
    pub total: u32,
}

impl PageOf {
    pub fn new(total: u32, asked: u32) -> PageOf {
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        PageOf { page: asked.clamp(1, pages), pages, total }
    }

    /// Index of the page's first row and how many it shows.
    pub fn window(self) -> (usize, usize) {
        let start = (self.page - 1) * PAGE_SIZE;
        let len = self.total.saturating_sub(start).min(PAGE_SIZE);
        (start as usize, len as usize)
    }
}

/// Page numbers to offer: the first, the last, and two either side of the current one.
fn page_numbers(p: PageOf) -> Vec<Option<u32>> {
    let mut out: Vec<Option<u32>> = Vec::new();
    for n in 1..=p.pages {
        if n == 1 || n == p.pages || n.abs_diff(p.page) <= 2 {
            out.push(Some(n));
        } else if out.last() != Some(&None) {
            out.push(None);
        }
    }
    out
}

/// Links to the other pages (nothing for a list of one page); `link` gives a page's address.
#[component]
pub fn Pager(
    id: &'static str,
    label: &'static str,
    page: PageOf,
    link: impl Fn(u32) -> String + Send + Sync + 'static,
) -> impl IntoView {
    (page.pages > 1).then(|| {
        view! {
            <nav class="pager" id=id aria-label=label>
                {(page.page > 1).then(|| view! { <a href=link(page.page - 1) rel="prev" id="page-prev">"← Previous"</a> })}
                {page_numbers(page).into_iter().map(|n| match n {
                    Some(n) if n == page.page => {
                        view! { <span aria-current="page" class="current">{n}</span> }.into_any()
                    }
                    Some(n) => view! { <a href=link(n) data-page=n>{n}</a> }.into_any(),
                    None => view! { <span class="gap">"…"</span> }.into_any(),
                }).collect_view()}
                {(page.page < page.pages).then(|| view! { <a href=link(page.page + 1) rel="next" id="page-next">"Next →"</a> })}
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pager_offers_both_ends_and_the_pages_around_the_current_one() {
        let nums = |page, pages| page_numbers(PageOf { page, pages, total: pages * 50 });
        assert_eq!(nums(1, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(nums(6, 12), [Some(1), None, Some(4), Some(5), Some(6), Some(7), Some(8), None, Some(12)]);
        assert_eq!(nums(1, 1), [Some(1)]);
    }

    #[test]
    fn a_page_past_the_end_shows_the_last_and_windows_stay_in_the_list() {
        assert_eq!(PageOf::new(0, 1), PageOf { page: 1, pages: 1, total: 0 });
        assert_eq!(PageOf::new(0, 1).window(), (0, 0));
        assert_eq!(PageOf::new(120, 9), PageOf { page: 3, pages: 3, total: 120 });
        assert_eq!(PageOf::new(120, 9).window(), (100, 20));
        assert_eq!(PageOf::new(100, 2).window(), (50, 50));
    }
}
