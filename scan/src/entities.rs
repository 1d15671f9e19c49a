//! The users, devices and resources a control's result is about: collected once each, checked
//! like every other entity, and their kind guessed from the words the tools use.

use crate::json_path::{quoted, JsonPath};
use crate::ScanError;
use score::entity::{text_problem, MAX_ENTITIES};
use score::{Entity, EntityKind};
use std::collections::HashMap;

/// The entities of one control, each once, in the order first seen.
#[derive(Debug, Default)]
pub(crate) struct EntitySet {
    entities: Vec<Entity>,
    index: HashMap<(EntityKind, String), usize>,
}

/// Adding one more would pass [`MAX_ENTITIES`].
#[derive(Debug)]
pub(crate) struct TooMany;

impl EntitySet {
    /// The same entity twice is kept once, failing if either time it failed: a resource
    /// listed as both compliant and not is not compliant.
    pub(crate) fn add(&mut self, entity: Entity) -> Result<(), TooMany> {
        let key = (entity.kind, entity.id.clone());
        if let Some(&at) = self.index.get(&key) {
            self.entities[at].passes &= entity.passes;
            return Ok(());
        }
        if self.entities.len() >= MAX_ENTITIES {
            return Err(TooMany);
        }
        self.index.insert(key, self.entities.len());
        self.entities.push(entity);
        Ok(())
    }

    pub(crate) fn from_entities(entities: Vec<Entity>) -> Result<EntitySet, TooMany> {
        let mut set = EntitySet::default();
        entities.into_iter().try_for_each(|entity| set.add(entity))?;
        Ok(set)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub(crate) fn any_failing(&self) -> bool {
        self.entities.iter().any(|e| !e.passes)
    }

    pub(crate) fn into_vec(self) -> Vec<Entity> {
        self.entities
    }
}

/// The refusal for a control that names more entities than one measurement may carry.
pub(crate) fn too_many(path: &JsonPath, control: &str) -> ScanError {
    path.error(format!(
        "the control {} names more than {MAX_ENTITIES} users, devices or resources; \
         at most {MAX_ENTITIES} are kept for one control",
        quoted(control)
    ))
}

/// Refuses an id or name that could not be shown safely (see [`text_problem`]); `what`
/// names it ("the resource uid").
pub(crate) fn check_text(text: &str, what: &str, path: &JsonPath) -> Result<(), ScanError> {
    match text_problem(text) {
        None => Ok(()),
        Some(problem) => Err(path.error(format!("{what} {} {problem}", quoted(text)))),
    }
}

/// `alice@contoso.com`: a user principal name or a mail address.
pub(crate) fn looks_like_upn(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// `0817c655-a853-4d8f-9723-3a333b5b9235`, the shape of an Entra object or tenant id.
pub(crate) fn looks_like_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The kind a word (or two words written together) names: `users`, `UPN`, `Display Name`
/// says nothing. Case, spaces, `_` and `-` are ignored.
pub(crate) fn kind_of_word(word: &str) -> Option<EntityKind> {
    let word: String = word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    let kind = match word.as_str() {
        "user" | "users" | "username" | "upn" | "userprincipalname" | "account" | "accounts"
        | "accountname" | "admin" | "admins" | "administrator" | "administrators" | "administrative"
        | "guest" | "guests" | "member" | "members" => EntityKind::User,
        "group" | "groups" | "groupname" => EntityKind::Group,
        "device" | "devices" | "devicename" | "computer" | "computers" | "computername" => EntityKind::Device,
        "mailbox" | "mailboxes" | "sharedmailbox" => EntityKind::Mailbox,
        "app"
        | "apps"
        | "appname"
        | "application"
        | "applications"
        | "applicationname"
        | "serviceprincipal"
        | "serviceprincipals"
        | "enterpriseapp"
        | "enterpriseapplication" => EntityKind::App,
        "site" | "sites" | "sitename" | "siteurl" => EntityKind::Site,
        "policy" | "policies" | "policyname" | "conditionalaccess" => EntityKind::Policy,
        "subscription" | "subscriptions" => EntityKind::Subscription,
        _ => return None,
    };
    Some(kind)
}

/// When words name several kinds ("Conditional Access policy … for admins"), the more
/// specific thing wins: a policy or an app is what is listed far more often than the users
/// it covers.
fn precedence(kind: EntityKind) -> u8 {
    match kind {
        EntityKind::Mailbox => 0,
        EntityKind::Policy => 1,
        EntityKind::App => 2,
        EntityKind::Device => 3,
        EntityKind::Group => 4,
        EntityKind::Site => 5,
        EntityKind::Subscription => 6,
        EntityKind::User => 7,
        EntityKind::Resource => 8,
    }
}

/// The kind named by a run of words, each also tried with the next one (`service principal`,
/// `conditional access`).
pub(crate) fn kind_in_words(words: &[&str]) -> Option<EntityKind> {
    let pairs = words.windows(2).map(|pair| format!("{}{}", pair[0], pair[1]));
    words
        .iter()
        .map(|w| (*w).to_string())
        .chain(pairs)
        .filter_map(|word| kind_of_word(&word))
        .min_by_key(|&kind| precedence(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, passes: bool) -> Entity {
        Entity { id: id.into(), display_name: id.into(), kind: EntityKind::User, passes }
    }

    #[test]
    fn an_entity_seen_twice_is_kept_once_and_fails_if_either_failed() {
        let mut set = EntitySet::default();
        set.add(user("a@contoso.example", true)).expect("room");
        set.add(user("b@contoso.example", true)).expect("room");
        set.add(user("a@contoso.example", false)).expect("room");
        assert!(set.any_failing());
        let entities = set.into_vec();
        assert_eq!(entities.len(), 2);
        assert!(!entities[0].passes);
    }

    #[test]
    fn no_more_than_the_limit_is_kept() {
        let mut set = EntitySet::default();
        for i in 0..MAX_ENTITIES {
            set.add(user(&format!("u{i}"), true)).expect("within the limit");
        }
        set.add(user("u0", false)).expect("an entity already held takes no room");
        assert!(set.add(user("one-more", true)).is_err());
    }

    #[test]
    fn shapes_of_ids() {
        assert!(looks_like_upn("adele.vance@contoso.onmicrosoft.com"));
        for not in ["Adele Vance", "@contoso.com", "adele@", "adele@contoso", "a b@contoso.com"] {
            assert!(!looks_like_upn(not), "{not}");
        }
        assert!(looks_like_guid("0817c655-a853-4d8f-9723-3a333b5b9235"));
        assert!(!looks_like_guid("TenantId (not connected to Graph)"));
        assert!(!looks_like_guid("0817c655a8534d8f97233a333b5b9235"));
    }

    #[test]
    fn the_more_specific_kind_named_wins() {
        let words = |text: &'static str| text.split([' ', '_']).collect::<Vec<_>>();
        assert_eq!(
            kind_in_words(&words("Conditional Access policy requires MFA for admins")),
            Some(EntityKind::Policy)
        );
        assert_eq!(kind_in_words(&words("user mailbox auditing enabled")), Some(EntityKind::Mailbox));
        assert_eq!(kind_in_words(&words("service principal no secrets")), Some(EntityKind::App));
        assert_eq!(
            kind_in_words(&words("Ensure Administrative accounts are cloud-only")),
            Some(EntityKind::User)
        );
        assert_eq!(kind_in_words(&words("meeting recording disabled")), None);
        assert_eq!(kind_of_word("User Principal Name"), Some(EntityKind::User));
        assert_eq!(kind_of_word("Display Name"), None);
    }
}
