//! What a share says, as plain text: the same facts for email, webhook and ticket.

/// The facts about one action that every target receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareContent {
    pub title: String,
    pub tenant: String,
    pub status: String,
    /// "7.50 of 10.00"
    pub points: String,
    pub rank: String,
    pub link: String,
    pub remediation: String,
    /// Who shared it (their email).
    pub sharer: String,
    /// The sharer's own words; may be empty.
    pub message: String,
}

/// One line: titles and tenant names come from the catalog or an administrator, and a line
/// break in a subject or ticket summary would break its layout.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ShareContent {
    /// The email subject and the ticket's short description.
    pub fn subject(&self) -> String {
        let s =
            format!("Security improvement action: {} ({})", one_line(&self.title), one_line(&self.tenant));
        // ServiceNow's short_description holds 160 characters.
        if s.chars().count() > 160 {
            format!("{}…", s.chars().take(159).collect::<String>())
        } else {
            s
        }
    }

    /// The full text: the sharer's message first, then the action's facts and remediation.
    pub fn body(&self) -> String {
        let mut out = format!("{} shared an improvement action from Rampart.\n\n", self.sharer);
        if !self.message.is_empty() {
            out.push_str(&format!("Message from {}:\n{}\n\n", self.sharer, self.message));
        }
        out.push_str(&format!(
            "Action: {}\nTenant: {}\nStatus: {}\nPoints: {}\nRank: {}\nLink: {}\n",
            one_line(&self.title),
            one_line(&self.tenant),
            self.status,
            self.points,
            self.rank,
            self.link
        ));
        if !self.remediation.trim().is_empty() {
            out.push_str(&format!("\nHow to implement it:\n{}\n", self.remediation.trim()));
        }
        out
    }

    /// The body for a Teams or Slack webhook. Slack reads `<…>` as links and mentions
    /// (`<!channel>`) and Teams renders some HTML, so `&`, `<` and `>` are escaped: the
    /// text shows as typed and cannot ping a channel or inject markup.
    pub fn webhook_text(&self) -> String {
        self.body().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> ShareContent {
        ShareContent {
            title: "Require MFA\nfor admins".into(),
            tenant: "Contoso".into(),
            status: "To address".into(),
            points: "0.00 of 10.00".into(),
            rank: "1".into(),
            link: "http://rampart.test/tenants/t/actions/AdminMFAV2".into(),
            remediation: "Turn it on.".into(),
            sharer: "admin@contoso.example".into(),
            message: "Please look <!channel> & fix".into(),
        }
    }

    #[test]
    fn the_body_has_the_facts_the_link_and_the_message() {
        let body = content().body();
        for part in [
            "Require MFA for admins",
            "Tenant: Contoso",
            "Status: To address",
            "Points: 0.00 of 10.00",
            "Rank: 1",
            "Link: http://rampart.test/tenants/t/actions/AdminMFAV2",
            "Turn it on.",
            "Please look",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
        assert_eq!(content().subject(), "Security improvement action: Require MFA for admins (Contoso)");
    }

    #[test]
    fn webhook_text_cannot_mention_or_inject_markup() {
        let text = content().webhook_text();
        assert!(text.contains("&lt;!channel&gt; &amp; fix"), "{text}");
        assert!(!text.contains('<'));
    }

    #[test]
    fn long_subjects_fit_a_ticket_summary() {
        let mut c = content();
        c.title = "x".repeat(300);
        assert_eq!(c.subject().chars().count(), 160);
    }
}
