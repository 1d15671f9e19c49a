//! The objects a Maester test lists in the markdown of its result: Maester 2.x has no
//! structured list, only what its tests write for people to read.
//!
//! Two shapes carry objects. Lists of links, which Maester writes for the Graph objects a
//! test hands it (`  - [Adele Vance](https://entra.microsoft.com/#view/…/userId/<id>)`),
//! and tables whose first columns name things (`| Policy | Status |`, `| Display Name |
//! Cloud Only |`) with a row per object, often marked `✅ Pass` or `❌ Fail`. Summary tables
//! (`| Metric | Value |`, `| Setting | Result |`) and prose are not objects and are passed by.

use crate::entities::{kind_of_word, looks_like_upn};
use score::EntityKind;

/// One object the markdown names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) id: String,
    pub(super) name: String,
    /// What a portal link or the column header says it is, when they do.
    pub(super) kind: Option<EntityKind>,
    /// `✅` or `❌` in its row, when there is one.
    pub(super) passes: Option<bool>,
}

pub(super) fn affected_objects(markdown: &str) -> Vec<Found> {
    let lines: Vec<&str> = markdown.lines().map(str::trim).collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        if is_table_row(lines[at]) && lines.get(at + 1).is_some_and(|next| is_separator(next)) {
            let columns = Columns::from_header(&cells(lines[at]));
            at += 2;
            while at < lines.len() && is_table_row(lines[at]) {
                found.extend(columns.as_ref().and_then(|c| c.row(&cells(lines[at]))));
                at += 1;
            }
            continue;
        }
        found.extend(list_item(lines[at]));
        at += 1;
    }
    found
}

fn is_table_row(line: &str) -> bool {
    line.starts_with('|')
}

/// `| --- | :---: |`
fn is_separator(line: &str) -> bool {
    let cells = cells(line);
    !cells.is_empty()
        && cells
            .iter()
            .all(|c| !c.is_empty() && c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':')))
}

/// The cells of a table row, split on `|` but not on an escaped `\|`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = match inner.strip_suffix('|') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => inner,
    };
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '|' if !escaped => cells.push(String::new()),
            _ => {
                escaped = c == '\\' && !escaped;
                cells.last_mut().expect("starts with one cell").push(c);
            }
        }
    }
    cells.iter().map(|c| c.trim().to_string()).collect()
}

/// Which columns of a table name its objects.
#[derive(Debug)]
struct Columns {
    name: Option<usize>,
    id: Option<usize>,
    kind: Option<EntityKind>,
}

/// Headers of a column of names; summary tables have none of these.
const NAME_HEADERS: [&str; 29] = [
    "displayname",
    "name",
    "user",
    "users",
    "username",
    "account",
    "accountname",
    "member",
    "policy",
    "policyname",
    "device",
    "devicename",
    "computer",
    "computername",
    "application",
    "applicationname",
    "app",
    "appname",
    "agentname",
    "serviceprincipal",
    "group",
    "groupname",
    "mailbox",
    "site",
    "sitename",
    "identity",
    "domain",
    "domainname",
    "objectname",
];

/// Headers of a column of ids, better than a display name as the entity's id.
const ID_HEADERS: [&str; 13] = [
    "upn",
    "userprincipalname",
    "id",
    "objectid",
    "appid",
    "applicationid",
    "clientid",
    "mail",
    "email",
    "emailaddress",
    "primarysmtpaddress",
    "siteurl",
    "url",
];

fn normalised(header: &str) -> String {
    plain(header).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A domain is listed as what it is, not guessed from the test's words.
fn header_kind(header: &str) -> Option<EntityKind> {
    kind_of_word(header).or(matches!(header, "domain" | "domainname").then_some(EntityKind::Resource))
}

impl Columns {
    fn from_header(headers: &[String]) -> Option<Columns> {
        let headers: Vec<String> = headers.iter().map(|h| normalised(h)).collect();
        let name = headers.iter().position(|h| NAME_HEADERS.contains(&h.as_str()));
        let id = headers.iter().position(|h| ID_HEADERS.contains(&h.as_str()));
        if name.is_none() && id.is_none() {
            return None;
        }
        let kind = [name, id].into_iter().flatten().find_map(|at| header_kind(&headers[at]));
        Some(Columns { name, id, kind })
    }

    fn row(&self, cells: &[String]) -> Option<Found> {
        let passes = row_mark(cells)?;
        let cell = |at: Option<usize>| at.and_then(|at| cells.get(at)).map(|c| Cell::parse(c));
        let mut found = object(cell(self.name), cell(self.id))?;
        found.kind = found.kind.or(self.kind);
        found.passes = passes;
        Some(found)
    }
}

/// `✅` passes and `❌` fails (a failure anywhere in the row wins); a row marked
/// `🗄️ Skip` was not checked and names no object (`None`).
fn row_mark(cells: &[String]) -> Option<Option<bool>> {
    let text = cells.concat();
    if text.contains('\u{1F5C4}') {
        return None;
    }
    Some(if text.contains('\u{274C}') {
        Some(false)
    } else if text.contains('\u{2705}') {
        Some(true)
    } else {
        None
    })
}

/// `- [name](link)`, or a bare user principal name; other list items are prose.
fn list_item(line: &str) -> Option<Found> {
    let item = ["- ", "* ", "+ "].iter().find_map(|bullet| line.strip_prefix(bullet)).or_else(|| {
        let (number, rest) = line.split_once(". ")?;
        number.chars().all(|c| c.is_ascii_digit()).then_some(rest)
    })?;
    let cell = Cell::parse(item.trim());
    if let Some(url) = &cell.url {
        return (!is_documentation(url)).then(|| object(Some(cell), None)).flatten();
    }
    looks_like_upn(&cell.text).then(|| Found {
        id: cell.text.clone(),
        name: cell.text,
        kind: Some(EntityKind::User),
        passes: None,
    })
}

/// A link to reading, not to an object: results sometimes end with one.
fn is_documentation(url: &str) -> bool {
    ["learn.microsoft.com", "docs.microsoft.com", "maester.dev", "github.com"]
        .iter()
        .any(|site| url.contains(site))
}

/// A cell's text, and the target of the link it starts with.
#[derive(Debug)]
struct Cell {
    text: String,
    url: Option<String>,
}

impl Cell {
    fn parse(raw: &str) -> Cell {
        match link(raw) {
            Some((label, url)) => Cell { text: plain(label), url: Some(url.trim().to_string()) },
            None => Cell { text: plain(raw), url: None },
        }
    }
}

/// `[label](url)` at the start of `text`; the label may hold escaped brackets (Maester
/// escapes them in names).
fn link(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('[')?;
    let mut escaped = false;
    let mut depth = 0usize;
    let mut close = None;
    for (at, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' if depth == 0 => {
                close = Some(at);
                break;
            }
            ']' => depth -= 1,
            _ => {}
        }
    }
    let close = close?;
    let target = rest[close + 1..].strip_prefix('(')?;
    let end = target.find(')')?;
    Some((&rest[..close], &target[..end]))
}

/// Markdown to the text it shows: escapes undone, emphasis, code marks and line breaks dropped.
fn plain(text: &str) -> String {
    let text = text.replace("<br>", " ").replace("<br/>", " ").replace("<br />", " ").replace("**", "");
    let mut out = String::with_capacity(text.len());
    let mut escaped = false;
    for c in text.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '`' if !escaped => {}
            _ => {
                escaped = false;
                out.push(c);
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Placeholders in a cell, not names.
fn meaningful(text: &str) -> bool {
    !text.is_empty() && !matches!(text.to_lowercase().as_str(), "-" | "n/a" | "..." | "…" | "none" | "null")
}

/// The object a name cell and an id cell describe, either possibly absent.
fn object(name: Option<Cell>, id: Option<Cell>) -> Option<Found> {
    let url = name.as_ref().and_then(|c| c.url.clone()).or_else(|| id.as_ref().and_then(|c| c.url.clone()));
    let (link_kind, link_id) = url.as_deref().map(portal_target).unwrap_or_default();
    let id_text = id.map(|c| c.text).filter(|t| meaningful(t));
    let name_text = name.map(|c| c.text).filter(|t| meaningful(t));
    let display = name_text.or_else(|| id_text.clone())?;
    if let Some((name, kind, id)) = graph_typed(&display) {
        return Some(Found { id, name, kind: kind.or(link_kind), passes: None });
    }
    Some(Found {
        id: id_text.or(link_id).unwrap_or_else(|| display.clone()),
        name: display,
        kind: link_kind,
        passes: None,
    })
}

/// What an Entra or Azure portal link points at, and the object's id in it:
/// `…/UserProfileMenuBlade/~/overview/userId/<id>`, `…/PolicyBlade/policyId/<id>`.
fn portal_target(url: &str) -> (Option<EntityKind>, Option<String>) {
    let segments: Vec<&str> = url.split(['/', '?', '&']).collect();
    let after = |marker: &str| {
        segments
            .windows(2)
            .find(|pair| pair[0].eq_ignore_ascii_case(marker))
            .map(|pair| pair[1])
            .filter(|value| !value.is_empty() && !value.contains(['$', '{', ' ']))
    };
    const MARKERS: [(&str, Option<EntityKind>); 8] = [
        ("objectId", None),
        ("userId", Some(EntityKind::User)),
        ("groupId", Some(EntityKind::Group)),
        ("policyId", Some(EntityKind::Policy)),
        ("deviceId", Some(EntityKind::Device)),
        ("servicePrincipalId", Some(EntityKind::App)),
        ("appId", Some(EntityKind::App)),
        ("applicationId", Some(EntityKind::App)),
    ];
    let marked = MARKERS.iter().filter(|(marker, _)| after(marker).is_some());
    let kind = blade_kind(url).or_else(|| marked.clone().find_map(|(_, kind)| *kind));
    let id = marked.map(|(marker, _)| after(marker)).next().flatten().map(str::to_string);
    (kind, id)
}

fn blade_kind(url: &str) -> Option<EntityKind> {
    const BLADES: [(&str, EntityKind); 7] = [
        ("UserProfileMenuBlade", EntityKind::User),
        ("GroupDetailsMenuBlade", EntityKind::Group),
        ("DeviceDetailsMenuBlade", EntityKind::Device),
        ("Microsoft_AAD_ConditionalAccess", EntityKind::Policy),
        ("ManagedAppMenuBlade", EntityKind::App),
        ("ApplicationMenuBlade", EntityKind::App),
        ("Microsoft_AAD_RegisteredApps", EntityKind::App),
    ];
    BLADES.iter().find(|(blade, _)| url.contains(blade)).map(|(_, kind)| *kind)
}

/// `Contoso Sync (#microsoft.graph.servicePrincipal - 1b2c…)`: how Maester lists a Graph
/// object of a type it has no portal link for.
fn graph_typed(text: &str) -> Option<(String, Option<EntityKind>, String)> {
    let open = text.rfind(" (#microsoft.graph.")?;
    let inner = text[open + 2..].strip_suffix(')')?;
    let (odata_type, id) = inner.split_once(" - ")?;
    let kind = kind_of_word(odata_type.trim_start_matches("#microsoft.graph."));
    let (name, id) = (text[..open].trim(), id.trim());
    (!name.is_empty() && !id.is_empty()).then(|| (name.to_string(), kind, id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(id: &str, name: &str, kind: Option<EntityKind>, passes: Option<bool>) -> Found {
        Found { id: id.into(), name: name.into(), kind, passes }
    }

    #[test]
    fn a_list_of_portal_links_names_objects_with_their_ids() {
        let markdown = "Your tenant has 1 or more hybrid Global Administrators:\n\n  \
            - [Adele Vance](https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/AdministrativeRole/userId/1d4e0b7c-3a2f-4f61-9b8e-2c5d7a9e0f11)\n  \
            - [Block legacy auth](https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/7a3b2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c1d)\n  \
            - [Contoso Sync (#microsoft.graph.servicePrincipal - 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9)](#)\n\
            - Review the list above with the identity team.\n\
            1. alex.wilber@contoso.example\n";
        assert_eq!(
            affected_objects(markdown),
            [
                found("1d4e0b7c-3a2f-4f61-9b8e-2c5d7a9e0f11", "Adele Vance", Some(EntityKind::User), None),
                found(
                    "7a3b2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c1d",
                    "Block legacy auth",
                    Some(EntityKind::Policy),
                    None
                ),
                found("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "Contoso Sync", Some(EntityKind::App), None),
                found(
                    "alex.wilber@contoso.example",
                    "alex.wilber@contoso.example",
                    Some(EntityKind::User),
                    None
                ),
            ]
        );
    }

    #[test]
    fn a_table_of_objects_gives_each_row_with_its_mark() {
        let markdown = "\n| Display Name | UPN | Cloud Only |\n| --- | --- | :---: |\n\
            | Bagul Atayewa | bagul@contoso.example | ❌ Fail |\n\
            | Adele Vance | adele@contoso.example | ✅ Pass |\n\
            | Old Policy | - | 🗄️ Skip |\n\
            | ... | ... | ... |\n";
        assert_eq!(
            affected_objects(markdown),
            [
                found("bagul@contoso.example", "Bagul Atayewa", Some(EntityKind::User), Some(false)),
                found("adele@contoso.example", "Adele Vance", Some(EntityKind::User), Some(true)),
            ]
        );
    }

    #[test]
    fn the_header_names_the_kind_and_links_in_cells_give_ids() {
        let markdown = "| Policy | Status |\n| --- | --- |\n\
            | [MFA for admins](https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/0f1e2d3c-4b5a-4697-8877-665544332211) | ✅ Pass |\n\
            | Require compliant device \\| legacy | ❌ Fail |\n\n\
            | Computer Name | Operating System |\n| --- | --- |\n| CONTOSO-LT-042 | Windows 11 |\n";
        let objects = affected_objects(markdown);
        assert_eq!(
            objects[0],
            found(
                "0f1e2d3c-4b5a-4697-8877-665544332211",
                "MFA for admins",
                Some(EntityKind::Policy),
                Some(true)
            )
        );
        assert_eq!(
            objects[1],
            found(
                "Require compliant device | legacy",
                "Require compliant device | legacy",
                Some(EntityKind::Policy),
                Some(false)
            )
        );
        assert_eq!(objects[2], found("CONTOSO-LT-042", "CONTOSO-LT-042", Some(EntityKind::Device), None));
    }

    #[test]
    fn summary_tables_and_prose_name_nothing() {
        let markdown = "Well done.\n\n| Metric | Value |\n| --- | --- |\n| Total Users | 120 |\n\n\
            | Setting | Result |\n| --- | --- |\n| Users can register applications | ❌ Fail |\n\n\
            - Navigate to **Entra ID** and select [Users](https://entra.microsoft.com/)\n\
            - [Conditional Access overview](https://learn.microsoft.com/entra/identity/conditional-access/overview)\n";
        assert_eq!(affected_objects(markdown), []);
    }

    #[test]
    fn links_to_apps_prefer_the_object_id() {
        let (kind, id) = portal_target("https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/aaaa/appId/bbbb");
        assert_eq!((kind, id.as_deref()), (Some(EntityKind::App), Some("aaaa")));
        let (kind, id) = portal_target("https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/cccc");
        assert_eq!((kind, id.as_deref()), (Some(EntityKind::App), Some("cccc")));
        assert_eq!(portal_target("#"), (None, None));
    }
}
