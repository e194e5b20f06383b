//! API keys: `x-api-key`, Verihubs' `App-ID` + `API-Key`, or GLAIR's basic auth + `x-api-key`,
//! all compared in constant time against every configured key (no early exit, so the time taken
//! does not tell which key, or how much of one, matched).
//!
//! With no key configured every request passes: the server then listens on a loopback address
//! only ([`crate::config::Config::check_listen`]).
//!
//! Each protected route names the least [`Role`] it needs ([`guard`]): no key, or a key that
//! matches none, is 401; a key whose role is not enough is 403 in kitascan's error shape
//! (`{"error": "FORBIDDEN", "message"}`). The key that was used goes into the request's
//! extensions as an [`Operator`], so that corrections are audited under its name.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use subtle::{Choice, ConstantTimeEq};

use super::{AppState, api_error, json_response};
use crate::config::{ApiKey, Role};
use crate::wire::verihubs;

/// The configured key a request's headers match, if any.
pub fn matching_key<'k>(keys: &'k [ApiKey], headers: &HeaderMap) -> Option<&'k ApiKey> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let x_api_key = text("x-api-key");
    let api_key = text("api-key");
    let app_id = text("app-id");
    let basic = text(header::AUTHORIZATION.as_str()).and_then(basic_credentials);
    let mut found = None;
    for k in keys {
        let ok = if let Some(x) = x_api_key {
            let basic_ok = match (&basic, &k.basic_user, &k.basic_password) {
                (Some((user, pass)), Some(u), Some(p)) => eq(user, u) & eq(pass, p),
                // Basic auth sent to a key that has none configured, or a plain x-api-key
                // client: the key alone decides.
                _ => Choice::from(1),
            };
            eq(x, &k.key) & basic_ok
        } else if let Some(v) = api_key {
            let app_ok = match (&k.app_id, app_id) {
                (Some(want), Some(got)) => eq(got, want),
                (Some(_), None) => Choice::from(0),
                (None, _) => Choice::from(1),
            };
            eq(v, &k.key) & app_ok
        } else {
            Choice::from(0)
        };
        if bool::from(ok) && found.is_none() {
            found = Some(k);
        }
    }
    found
}

fn eq(a: &str, b: &str) -> Choice {
    a.as_bytes().ct_eq(b.as_bytes())
}

/// `Basic base64(user:password)` to its two parts.
fn basic_credentials(value: &str) -> Option<(String, String)> {
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// Who a request came from: the name and role of the key it carried. With no key configured
/// (loopback only), everyone is `local` with [`Role::Admin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    pub role: Role,
}

/// The name requests are audited under when no key is configured.
pub const NO_KEY_NAME: &str = "local";

/// The middleware state of a route: the app's state and the least role it needs.
pub type Guard = (AppState, Role);

/// The middleware for routes that need at least `role`.
pub fn guard(state: &AppState, role: Role) -> Guard {
    (state.clone(), role)
}

/// The middleware guarding every endpoint but `/healthz`, the OpenAPI file and the pages.
pub async fn require(
    State((state, needed)): State<Guard>,
    mut req: Request,
    next: Next,
) -> Response {
    let keys = &state.config().server.keys;
    if keys.is_empty() {
        req.extensions_mut().insert(Operator {
            name: NO_KEY_NAME.to_string(),
            role: Role::Admin,
        });
        return next.run(req).await;
    }
    match matching_key(keys, req.headers()) {
        Some(k) if k.role >= needed => {
            tracing::debug!(client = %k.name, path = req.uri().path(), "authorised");
            req.extensions_mut().insert(Operator {
                name: k.name.clone(),
                role: k.role,
            });
            next.run(req).await
        }
        Some(k) => {
            tracing::info!(
                client = %k.name,
                role = k.role.as_str(),
                needed = needed.as_str(),
                path = req.uri().path(),
                "request refused: role not enough"
            );
            api_error(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                &format!(
                    "this key's role ({}) does not allow this; it needs the {} role",
                    k.role.as_str(),
                    needed.as_str()
                ),
            )
        }
        None => {
            tracing::info!(path = req.uri().path(), "request refused: no valid key");
            if req.uri().path() == "/ocr/v1/kitas" {
                let (_, body) = verihubs::unauthorized();
                json_response(StatusCode::UNAUTHORIZED, body)
            } else {
                api_error(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHORIZED",
                    "a valid API key is required (x-api-key, App-ID + API-Key, or basic auth + \
                     x-api-key)",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn keys() -> Vec<ApiKey> {
        vec![
            ApiKey {
                name: "plain".into(),
                key: "plain-key-0123456789".into(),
                app_id: None,
                basic_user: None,
                basic_password: None,
                role: Role::Admin,
            },
            ApiKey {
                name: "full".into(),
                key: "full-key-0123456789".into(),
                app_id: Some("app-1".into()),
                basic_user: Some("user".into()),
                basic_password: Some("pass:word".into()),
                role: Role::Upload,
            },
        ]
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn who(pairs: &[(&'static str, &str)]) -> Option<String> {
        let keys = keys();
        matching_key(&keys, &headers(pairs)).map(|k| k.name.clone())
    }

    #[test]
    fn each_scheme_matches_its_key_and_nothing_else() {
        let basic = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        assert_eq!(
            who(&[("x-api-key", "plain-key-0123456789")]).as_deref(),
            Some("plain")
        );
        assert_eq!(
            who(&[("x-api-key", "full-key-0123456789")]).as_deref(),
            Some("full")
        );
        assert_eq!(who(&[("x-api-key", "plain-key-012345678")]), None);
        assert_eq!(who(&[("x-api-key", "")]), None);
        assert_eq!(who(&[]), None);
        // Verihubs: App-ID must match when the key has one.
        assert_eq!(
            who(&[("app-id", "app-1"), ("api-key", "full-key-0123456789")]).as_deref(),
            Some("full")
        );
        assert_eq!(
            who(&[("app-id", "app-2"), ("api-key", "full-key-0123456789")]),
            None
        );
        assert_eq!(who(&[("api-key", "full-key-0123456789")]), None);
        assert_eq!(
            who(&[("app-id", "any"), ("api-key", "plain-key-0123456789")]).as_deref(),
            Some("plain")
        );
        // GLAIR: basic auth checked when the key has it.
        let good = basic("user:pass:word");
        let bad = basic("user:wrong");
        assert_eq!(
            who(&[
                ("authorization", &good),
                ("x-api-key", "full-key-0123456789")
            ])
            .as_deref(),
            Some("full")
        );
        assert_eq!(
            who(&[
                ("authorization", &bad),
                ("x-api-key", "full-key-0123456789")
            ]),
            None
        );
        assert_eq!(who(&[("authorization", &good)]), None);
    }
}
