//! Refusing a form: a browser goes back to the page it came from with an error code the
//! page turns into a message; any other client gets a 400 naming the field. Either way
//! nothing has been written.

pub use service::url::with_param;

/// Browsers (they ask for HTML) are redirected to `back` plus `error={code}`; other
/// clients get `Invalid { field, message }`.
#[cfg(feature = "ssr")]
pub async fn refuse(
    back: &str,
    code: &str,
    field: &str,
    message: &str,
) -> Result<(), crate::error::AppError> {
    use crate::error::AppError;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let html = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if html {
        leptos_axum::redirect(&with_param(back, "error", code));
        Ok(())
    } else {
        Err(AppError::invalid(field, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_joins_the_query_that_is_there() {
        assert_eq!(with_param("/t/1/metrics", "error", "name"), "/t/1/metrics?error=name");
        assert_eq!(
            with_param("/t/1/metrics?range=90d", "error", "name"),
            "/t/1/metrics?range=90d&error=name"
        );
    }
}
