//! `GET /api/v1/scans` (with search), `GET /api/v1/scans/{id}`, `GET /api/v1/scans/{id}/image`,
//! `DELETE /api/v1/scans/{id}`, `PATCH /api/v1/scans/{id}/fields/{field}`,
//! `PUT /api/v1/scans/{id}/checked` and `GET /api/v1/scans/export`.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::auth::Operator;
use super::{AppState, ServerEvent, api_error, json_response};
use crate::kitas::FieldName;
use crate::store::{ListQuery, Store, StoreError};
use crate::wire::export;

/// The longest corrected value accepted, in characters (the longest field, an address, is a
/// few lines).
const MAX_VALUE_CHARS: usize = 500;

/// Scans per page when `limit` is not given, and the most one page may hold.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<String>,
    before: Option<String>,
    document_type: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "BAD_QUERY",
            "the query takes limit, before, document_type, q, from and to only",
        );
    };
    let limit = match p.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "BAD_QUERY",
                "limit must be a number from 1 to 100",
            );
        }
    };
    let document_type = match p.document_type.as_deref().map(str::to_ascii_uppercase) {
        None => None,
        Some(t) if t == "KITAS" || t == "KITAP" => Some(t),
        Some(_) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "BAD_QUERY",
                "document_type must be KITAS or KITAP",
            );
        }
    };
    let (from, to) = match dates(p.from.as_deref(), p.to.as_deref()) {
        Ok(range) => range,
        Err(res) => return *res,
    };
    let q = ListQuery {
        limit,
        before: p.before.filter(|b| !b.is_empty()),
        document_type,
        text: p.q.filter(|t| !t.trim().is_empty()),
        from,
        to,
    };
    match blocking(&state, move |s| s.list(&q)).await {
        Ok(page) => json_response(
            StatusCode::OK,
            serde_json::to_value(page).unwrap_or_default(),
        ),
        Err(StoreError::UnknownCursor(_)) => api_error(
            StatusCode::BAD_REQUEST,
            "BAD_QUERY",
            "before must be the id of a stored scan",
        ),
        Err(e) => store_failed(e),
    }
}

pub async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    one(&state, id).await
}

/// A scan with its reading and its audit (`audit`: who corrected, checked, when).
async fn one(state: &AppState, id: String) -> Response {
    let found = blocking(state, move |s| {
        let Some(record) = s.get(&id)? else {
            return Ok(None);
        };
        Ok(Some((record, s.audit(&id)?)))
    })
    .await;
    match found {
        Ok(Some((record, audit))) => {
            let mut body = serde_json::to_value(record).unwrap_or_default();
            if let Some(obj) = body.as_object_mut() {
                obj.insert(
                    "audit".into(),
                    serde_json::to_value(audit).unwrap_or_default(),
                );
            }
            json_response(StatusCode::OK, body)
        }
        Ok(None) => no_scan(),
        Err(e) => store_failed(e),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    value: String,
}

/// `PATCH /api/v1/scans/{id}/fields/{field}` with `{"value": "..."}`: the corrected value
/// becomes the field's `value`; what the reader read stays in `value_original`.
pub async fn correct(
    State(state): State<AppState>,
    Extension(who): Extension<Operator>,
    Path((id, field)): Path<(String, String)>,
    body: Result<axum::Json<Correction>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(name) = serde_json::from_value::<FieldName>(Value::from(field.as_str())) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "NO_FIELD",
            "a reading has no such field",
        );
    };
    let Ok(axum::Json(Correction { value })) = body else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "BAD_BODY",
            "the body must be JSON: {\"value\": \"the corrected text\"}",
        );
    };
    let value = value.trim().to_string();
    if value.chars().count() > MAX_VALUE_CHARS || value.chars().any(char::is_control) {
        return api_error(
            StatusCode::BAD_REQUEST,
            "BAD_BODY",
            "value must be one line of at most 500 characters",
        );
    }
    let key = id.clone();
    let field = name.as_str();
    let events = state.clone();
    let corrected = blocking(&state, move |s| {
        s.correct_with_event(&key, field, &value, &who.name, |scan| {
            events.reading_event(scan, true)
        })
    });
    match corrected.await {
        Ok(true) => {
            tracing::info!(scan = %id, field, "field corrected");
            state.0.fleet.wake();
            one(&state, id).await
        }
        Ok(false) => no_scan(),
        Err(e) => store_failed(e),
    }
}

/// `PUT /api/v1/scans/{id}/checked`: an operator has checked the reading.
pub async fn mark_checked(
    State(state): State<AppState>,
    Extension(who): Extension<Operator>,
    Path(id): Path<String>,
) -> Response {
    let key = id.clone();
    match blocking(&state, move |s| s.mark_checked(&key, &who.name)).await {
        Ok(true) => {
            tracing::info!(scan = %id, "scan marked checked");
            one(&state, id).await
        }
        Ok(false) => no_scan(),
        Err(e) => store_failed(e),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/v1/scans/export?format=csv|jsonl&from=&to=`: every scan of the range, oldest
/// first ([`crate::wire::export`]).
pub async fn export(
    State(state): State<AppState>,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "BAD_QUERY",
            "the query takes format, from and to only",
        );
    };
    let (content_type, ext) = match p.format.as_deref().unwrap_or("csv") {
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "jsonl" => ("application/jsonl; charset=utf-8", "jsonl"),
        _ => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "BAD_QUERY",
                "format must be csv or jsonl",
            );
        }
    };
    let (from, to) = match dates(p.from.as_deref(), p.to.as_deref()) {
        Ok(range) => range,
        Err(res) => return *res,
    };
    match blocking(&state, move |s| s.export(from, to)).await {
        Ok(records) => {
            tracing::info!(scans = records.len(), format = ext, "scans exported");
            let body = if ext == "csv" {
                export::csv(&records)
            } else {
                export::jsonl(&records)
            };
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"kitascan-scans.{ext}\""),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => store_failed(e),
    }
}

/// `from` and `to` as milliseconds since the epoch: a date (`2026-12-07`, a UTC day: `from` is
/// its start, `to` takes the whole day in) or an RFC 3339 time (`2026-12-07T00:00:00+07:00`;
/// `to` is excluded).
fn dates(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<i64>, Option<i64>), Box<Response>> {
    let parse = |text: Option<&str>, name: &str, end: bool| match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_time(t, end).map(Some).ok_or_else(|| {
            Box::new(api_error(
                StatusCode::BAD_REQUEST,
                "BAD_QUERY",
                &format!("{name} must be a date (2026-12-07) or an RFC 3339 time"),
            ))
        }),
    };
    Ok((parse(from, "from", false)?, parse(to, "to", true)?))
}

/// A date (`YYYY-MM-DD`, UTC; with `end`, the start of the next day) or an RFC 3339 time
/// (`YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM)`) as milliseconds since the epoch.
pub fn parse_time(text: &str, end: bool) -> Option<i64> {
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    let day_ms = days_from_civil(y, m, d) * 86_400_000;
    let Some(time) = time else {
        return Some(if end { day_ms + 86_400_000 } else { day_ms });
    };
    let (clock, offset_ms) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 60 + om) * 60_000)
    };
    let mut hms = clock.split(':');
    let h = num(hms.next()?)?;
    let mi = num(hms.next()?)?;
    let (s, ms) = match hms.next() {
        None => (0, 0),
        Some(sec) => match sec.split_once('.') {
            None => (num(sec)?, 0),
            Some((s, frac)) => {
                let frac = num(frac).map(|_| frac)?;
                let ms = format!("{:0<3}", &frac[..frac.len().min(3)]);
                (num(s)?, num(&ms)?)
            }
        },
    };
    if hms.next().is_some() || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(day_ms + ((h * 60 + mi) * 60 + s) * 1000 + ms - offset_ms)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub async fn image(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match blocking(&state, move |s| s.image(&id)).await {
        Ok(Some(Some(jpeg))) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            jpeg,
        )
            .into_response(),
        Ok(Some(None)) => api_error(
            StatusCode::NOT_FOUND,
            "NO_IMAGE",
            "this scan was stored without its image",
        ),
        Ok(None) => no_scan(),
        Err(e) => store_failed(e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(who): Extension<Operator>,
    Path(id): Path<String>,
) -> Response {
    match state.delete_scan(id.clone(), who.name.clone()).await {
        Ok(true) => {
            tracing::info!(scan = %id, "scan deleted");
            state.announce(ServerEvent::deleted(&id));
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => no_scan(),
        Err(e) => store_failed(e),
    }
}

async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = state.store().clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?
}

fn no_scan() -> Response {
    api_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no scan with this id")
}

fn store_failed(e: StoreError) -> Response {
    tracing::error!(error = %e, "store query failed");
    api_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "STORE_FAILED",
        "the results store failed",
    )
}

#[cfg(test)]
mod tests {
    use super::parse_time;
    use crate::store::rfc3339;

    #[test]
    fn dates_and_times_parse_to_the_instant_they_name() {
        let at = |t: &str, end: bool| parse_time(t, end).map(rfc3339);
        assert_eq!(
            at("2026-12-07", false).as_deref(),
            Some("2026-12-07T00:00:00.000Z")
        );
        assert_eq!(
            at("2026-12-07", true).as_deref(),
            Some("2026-12-08T00:00:00.000Z")
        );
        assert_eq!(
            at("2024-02-29", false).as_deref(),
            Some("2024-02-29T00:00:00.000Z")
        );
        assert_eq!(
            at("2026-12-07T00:00:00+07:00", false).as_deref(),
            Some("2026-12-06T17:00:00.000Z")
        );
        assert_eq!(
            at("2026-12-07T10:20:30.5Z", true).as_deref(),
            Some("2026-12-07T10:20:30.500Z")
        );
        assert_eq!(
            at("2026-12-07T10:20-01:30", false).as_deref(),
            Some("2026-12-07T11:50:00.000Z")
        );
        for bad in [
            "",
            "2026-13-01",
            "2025-02-29",
            "2026-12-7x",
            "yesterday",
            "2026-12-07T25:00Z",
            "2026-12-07T10:00",
            "2026-12-07-01",
            "2026-12-07T10:00+7",
        ] {
            assert_eq!(parse_time(bad, false), None, "{bad}");
        }
    }
}
