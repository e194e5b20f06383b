//! `GET /api/v1/scans`, `GET /api/v1/scans/{id}`, `GET /api/v1/scans/{id}/image`,
//! `DELETE /api/v1/scans/{id}`.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{AppState, ServerEvent, api_error, json_response};
use crate::store::{ListQuery, Store, StoreError};

/// Scans per page when `limit` is not given, and the most one page may hold.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<String>,
    before: Option<String>,
    document_type: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = params else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "BAD_QUERY",
            "the query takes limit, before and document_type only",
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
    let q = ListQuery {
        limit,
        before: p.before.filter(|b| !b.is_empty()),
        document_type,
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
    match blocking(&state, move |s| s.get(&id)).await {
        Ok(Some(record)) => json_response(
            StatusCode::OK,
            serde_json::to_value(record).unwrap_or_default(),
        ),
        Ok(None) => no_scan(),
        Err(e) => store_failed(e),
    }
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

pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.delete_scan(id.clone()).await {
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
