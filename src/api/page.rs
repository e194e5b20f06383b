//! The two pages, plain HTML, CSS and JavaScript built into the binary (no build step, no
//! inline script or style: the Content-Security-Policy allows neither).
//!
//! - `GET /`: the walk-up screen, for the person at the tray: the instruction and, for
//!   `kiosk.show_secs`, the kind, name and permit number of their own reading (from
//!   `/api/v1/kiosk/events`, with the kiosk's key, kept in the kiosk browser's local storage).
//! - `GET /console`: the operator console: history, search, a reading's page, corrections and
//!   export, with the operator's key (typed once, kept in the tab's session storage).
//!
//! Neither holds data itself: everything comes from the API with a key, so the pages are served
//! without one.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::AppState;

const HTML: &str = include_str!("page/index.html");
const CSS: &str = include_str!("page/kiosk.css");
const JS: &str = include_str!("page/kiosk.js");
const CONSOLE_HTML: &str = include_str!("page/console.html");
const CONSOLE_CSS: &str = include_str!("page/console.css");
const CONSOLE_JS: &str = include_str!("page/console.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| asset("text/html; charset=utf-8", HTML)))
        .route("/kiosk.css", get(|| asset("text/css; charset=utf-8", CSS)))
        .route(
            "/kiosk.js",
            get(|| asset("text/javascript; charset=utf-8", JS)),
        )
        .route(
            "/console",
            get(|| asset("text/html; charset=utf-8", CONSOLE_HTML)),
        )
        .route(
            "/console.css",
            get(|| asset("text/css; charset=utf-8", CONSOLE_CSS)),
        )
        .route(
            "/console.js",
            get(|| asset("text/javascript; charset=utf-8", CONSOLE_JS)),
        )
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSP allows no inline script or style: every script is a file, and no element
    /// carries a `style` attribute or an event handler attribute.
    #[test]
    fn the_pages_have_no_inline_script_or_style() {
        for html in [HTML, CONSOLE_HTML] {
            let lower = html.to_ascii_lowercase();
            for (i, _) in lower.match_indices("<script") {
                let tag = &lower[i..i + lower[i..].find('>').unwrap()];
                assert!(tag.contains(" src="), "an inline script: {tag}");
                assert!(lower[i..].starts_with(&format!("{tag}></script>")), "{tag}");
            }
            assert!(!lower.contains("<style"), "an inline style sheet");
            assert!(!lower.contains(" style="), "a style attribute");
            assert!(!lower.contains(" onclick=") && !lower.contains(" onload="));
            assert!(!lower.contains("javascript:"));
        }
        for js in [JS, CONSOLE_JS] {
            // A style set as an attribute would be inline style under the CSP.
            assert!(!js.contains("setAttribute(\"style\"") && !js.contains(".style."));
            assert!(!js.contains("innerHTML"), "text is set as text");
        }
    }
}
