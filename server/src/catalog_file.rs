//! Reads the catalog data file and checks every entry before the server starts.

use score::catalog::{check_action, Catalog};
use score::ImprovementAction;
use std::path::Path;

/// The built-in catalog, compiled in so the binary runs on its own.
pub const BUILT_IN: &str = include_str!("../../catalog/actions.toml");
pub const BUILT_IN_NAME: &str = "catalog/actions.toml (built in)";

/// Keys an `[[action]]` entry may carry; anything else is a typo worth stopping for.
const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "category",
    "product",
    "max_points",
    "scoring",
    "unit",
    "implementation_cost",
    "user_impact",
    "complexity",
    "tier",
    "threats",
    "prerequisites",
    "remediation",
    "manage_url",
    "tags",
    "deprecated",
];
const REQUIRED_KEYS: &[&str] = &[
    "id",
    "title",
    "category",
    "product",
    "max_points",
    "scoring",
    "implementation_cost",
    "user_impact",
    "complexity",
    "tier",
];

/// A catalog that cannot be used, with the file, entry and field at fault.
#[derive(Debug, thiserror::Error)]
#[error("catalog {file}: {detail}")]
pub struct CatalogError {
    pub file: String,
    pub detail: String,
}

pub fn load(path: Option<&Path>) -> Result<Catalog, CatalogError> {
    match path {
        None => parse(BUILT_IN, BUILT_IN_NAME),
        Some(p) => {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p)
                .map_err(|e| CatalogError { file: name.clone(), detail: format!("cannot be read: {e}") })?;
            parse(&text, &name)
        }
    }
}

pub fn parse(text: &str, file: &str) -> Result<Catalog, CatalogError> {
    let err = |detail: String| CatalogError { file: file.to_owned(), detail };
    let table: toml::Table = toml::from_str(text).map_err(|e| err(format!("is not valid TOML: {e}")))?;
    let version = match table.get("version") {
        Some(toml::Value::String(v)) if !v.trim().is_empty() => v.clone(),
        _ => return Err(err("field `version`: a non-empty string is required at the top".into())),
    };
    let entries = match table.get("action") {
        Some(toml::Value::Array(a)) => a,
        _ => return Err(err("no [[action]] entries".into())),
    };
    let mut actions = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        let Some(fields) = entry.as_table() else {
            return Err(err(format!("action #{n}: is not a table")));
        };
        let id = fields.get("id").and_then(|v| v.as_str()).unwrap_or("?").to_owned();
        let at =
            |field: &str, message: String| err(format!("action #{n} ({id}): field `{field}`: {message}"));
        if let Some(unknown) = fields.keys().find(|k| !KNOWN_KEYS.contains(&k.as_str())) {
            return Err(at(unknown, "is not a known field".into()));
        }
        if let Some(missing) = REQUIRED_KEYS.iter().find(|k| !fields.contains_key(**k)) {
            return Err(at(missing, "is required".into()));
        }
        // Deserialize field by field first, so a wrong value is reported against its key.
        for (key, value) in fields {
            check_field(key, value).map_err(|m| at(key, m))?;
        }
        let action: ImprovementAction =
            entry.clone().try_into().map_err(|e: toml::de::Error| at("?", e.message().to_owned()))?;
        check_action(&action).map_err(|(field, message)| at(field, message))?;
        actions.push(action);
    }
    let catalog = Catalog { version, actions };
    catalog.validate().map_err(|issue| err(issue.to_string()))?;
    Ok(catalog)
}

fn check_field(key: &str, value: &toml::Value) -> Result<(), String> {
    fn as_<T: serde::de::DeserializeOwned>(v: &toml::Value) -> Result<(), String> {
        v.clone().try_into::<T>().map(|_| ()).map_err(|e| e.message().to_owned())
    }
    match key {
        "category" => as_::<score::Category>(value),
        "implementation_cost" | "user_impact" | "complexity" => as_::<score::Level>(value),
        "tier" => as_::<score::Tier>(value),
        "max_points" => match value.as_integer() {
            Some(v) if (1..=i64::from(score::action::MAX_POINTS_LIMIT)).contains(&v) => Ok(()),
            _ => {
                Err(format!("must be an integer from 1 to {}, got {value}", score::action::MAX_POINTS_LIMIT))
            }
        },
        "scoring" => match value.as_str() {
            Some("binary" | "partial") => Ok(()),
            _ => Err(format!("must be \"binary\" or \"partial\", got {value}")),
        },
        "threats" | "tags" => as_::<Vec<String>>(value),
        "prerequisites" => as_::<score::Prerequisites>(value),
        "deprecated" => as_::<bool>(value),
        _ => as_::<String>(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_catalog_is_valid_and_complete() {
        let c = parse(BUILT_IN, BUILT_IN_NAME).expect("built-in catalog loads");
        assert!(c.actions.len() >= 60, "at least 60 actions, found {}", c.actions.len());
        for cat in score::Category::ALL {
            assert!(c.actions.iter().any(|a| a.category == cat), "no action in {cat}");
        }
        for product in [
            "Entra ID",
            "Exchange Online",
            "SharePoint Online",
            "OneDrive",
            "Teams",
            "Information Protection",
            "Defender for Endpoint",
            "Defender for Office 365",
            "Defender for Cloud Apps",
            "Defender for Identity",
            "Azure",
        ] {
            assert!(c.actions.iter().any(|a| a.product == product), "no action for {product}");
        }
        assert!(c.actions.iter().all(|a| (1..=10).contains(&a.max_points)));
    }

    fn entry(extra: &str) -> String {
        format!(
            "version = \"1\"\n[[action]]\nid = \"Ok1\"\ntitle = \"t\"\ncategory = \"Data\"\nproduct = \"Teams\"\n\
             max_points = 3\nscoring = \"binary\"\nimplementation_cost = \"Low\"\nuser_impact = \"Low\"\n\
             complexity = \"Low\"\ntier = \"Core\"\n\n[[action]]\nid = \"Bad2\"\ntitle = \"t\"\ncategory = \"Data\"\n\
             product = \"Teams\"\nscoring = \"binary\"\nimplementation_cost = \"Low\"\nuser_impact = \"Low\"\n\
             complexity = \"Low\"\ntier = \"Core\"\n{extra}\n"
        )
    }

    #[test]
    fn errors_name_file_entry_and_field() {
        let e = parse(&entry("max_points = 12"), "x.toml").expect_err("12 points is too many");
        assert_eq!(
            e.to_string(),
            "catalog x.toml: action #2 (Bad2): field `max_points`: must be an integer from 1 to 10, got 12"
        );
        let e = parse(&entry("max_points = 2\ncategory2 = 1"), "x.toml").expect_err("unknown key");
        assert!(e.to_string().contains("action #2 (Bad2): field `category2`: is not a known field"), "{e}");
        let e = parse(&entry(""), "x.toml").expect_err("missing key");
        assert!(e.to_string().contains("field `max_points`: is required"), "{e}");
        let text = entry("max_points = 2")
            .replace("category = \"Data\"\nproduct", "category = \"Network\"\nproduct");
        let e = parse(&text, "x.toml").expect_err("bad category");
        assert!(e.to_string().contains("action #1 (Ok1): field `category`"), "{e}");
        let e = parse("version = \"1\"\n[[action]\n", "broken.toml").expect_err("bad toml");
        assert!(e.to_string().starts_with("catalog broken.toml: is not valid TOML"), "{e}");
    }
}
