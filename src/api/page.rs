//! `GET /`: the kiosk page, plain HTML, CSS and JavaScript built into the binary (no build
//! step). It holds no data itself: everything it shows comes from the API with the key the user
//! types in (kept in the browser's local storage), so the page is served without a key.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::AppState;

const HTML: &str = include_str!("page/index.html");
const CSS: &str = include_str!("page/kiosk.css");
const JS: &str = include_str!("page/kiosk.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| asset("text/html; charset=utf-8", HTML)))
        .route("/kiosk.css", get(|| asset("text/css; charset=utf-8", CSS)))
        .route(
            "/kiosk.js",
            get(|| asset("text/javascript; charset=utf-8", JS)),
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
