//! Every endpoint and every documented error through `app(..).oneshot`; bodies compared as
//! parsed JSON.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};
use tokio_stream::StreamExt;

use kitascan::api::{PageResult, new_id, new_scan};
use kitascan::kitas::read::{Source, read_pages};
use kitascan::kitas::{DocumentKind, Field, FieldName, Reading};
use kitascan::store::{NewScan, ScanSource};
use kitascan::wire::{glair, verihubs};

use super::bad_input::corpus;
use super::*;

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).expect("request")
}

/// The reading the library itself makes of a file: what the endpoints must return.
fn library_reading(bytes: &[u8], source: Source) -> Reading {
    let pages =
        kitascan::input::decode(bytes, &kitascan::input::Limits::default()).expect("decode");
    let images: Vec<_> = pages.into_iter().map(|p| p.image).collect();
    read_pages(&engine(), images, source)
        .expect("read")
        .expect("a page")
        .reading
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_permit_reads_the_same_through_both_endpoints_as_through_the_library() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), engine());
    let fx = fixtures();
    let want =
        tokio::task::spawn_blocking(|| library_reading(&fixtures().permit_png, Source::Auto))
            .await
            .expect("join");
    assert!(want.is_permit);

    // GLAIR: the body is exactly the library's reading in GLAIR's shape.
    let res = send(
        &state,
        upload("/ocr/v1/kitas-kitap", "permit.png", &fx.permit_png),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&res.bytes)
    );
    assert_eq!(res.json(), glair::response(&want));
    let body = res.json();
    assert_eq!(body["reason"], "File successfully read.");
    assert_eq!(
        body["read"]["permit_number"]["value"],
        fx.permit_truth.truth.permit_number.as_str()
    );
    let request_id = res.header("request-id").expect("Request-Id").to_string();
    let scan_id = res.header("scan-id").expect("Scan-Id").to_string();

    // The stored scan: source upload, the request as its reference, the whole reading, and the
    // straightened page as a JPEG.
    let stored = send(&state, get(&format!("/api/v1/scans/{scan_id}"))).await;
    assert_eq!(stored.status, StatusCode::OK);
    let stored = stored.json();
    assert_eq!(stored["id"], scan_id.as_str());
    assert_eq!(stored["reference_id"], request_id.as_str());
    assert_eq!(stored["source"], "upload");
    assert_eq!(stored["status"], "permit");
    let kind = match want.kind {
        DocumentKind::Kitas => "KITAS",
        DocumentKind::Kitap => "KITAP",
        DocumentKind::Unknown => "",
    };
    assert!(!kind.is_empty());
    assert_eq!(stored["document_type"], kind);
    assert_eq!(stored["has_image"], true);
    let reading: Reading = serde_json::from_value(stored["reading"].clone()).expect("a Reading");
    assert_eq!(reading, want);
    let image = send(&state, get(&format!("/api/v1/scans/{scan_id}/image"))).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header("content-type"), Some("image/jpeg"));
    let decoded = image::load_from_memory(&image.bytes).expect("a JPEG");
    assert!(decoded.width() > 300 && decoded.height() > 200);

    // Verihubs: 17 keys, the scan id and the request id.
    let res = send(
        &state,
        upload("/ocr/v1/kitas", "permit.png", &fx.permit_png),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    let id = body["data"]["id"].as_str().expect("data.id").to_string();
    assert_eq!(
        body,
        verihubs::success(&id, res.header("request-id").expect("Request-Id"), &want)
    );
    let sex = if fx.permit_truth.truth.gender == "M" {
        "MALE"
    } else {
        "FEMALE"
    };
    assert_eq!(body["data"]["result_data"]["sex"], sex);
    assert_eq!(
        body["data"]["result_data"]
            .as_object()
            .expect("object")
            .len(),
        17
    );
    assert_eq!(
        send(&state, get(&format!("/api/v1/scans/{id}")))
            .await
            .status,
        StatusCode::OK
    );

    // Metrics count both reads and time them.
    let metrics = send(&state, get("/metrics")).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&metrics.bytes);
    assert!(
        text.contains("kitascan_scans_total{status=\"permit\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("kitascan_read_duration_seconds_count 2"),
        "{text}"
    );
    assert!(text.contains("kitascan_queue_depth 0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_permit_is_read_as_a_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), engine());
    let fx = fixtures();
    let res = send(
        &state,
        upload("/ocr/v1/kitas", "permit.pdf", &fx.permit_pdf),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let data = &res.json()["data"]["result_data"];
    assert_eq!(
        data["permit_number"],
        fx.permit_pdf_truth.truth.permit_number.as_str()
    );
    assert_eq!(
        data["full_name"],
        fx.permit_pdf_truth.truth.full_name.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_is_not_a_permit_is_a_success_with_invalid_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), engine());
    let res = send(
        &state,
        upload("/ocr/v1/kitas-kitap", "blank.png", &blank_png()),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), glair::response(&Reading::not_a_permit()));
    let res = send(&state, upload("/ocr/v1/kitas", "blank.png", &blank_png())).await;
    assert_eq!(res.status, StatusCode::OK);
    let data = &res.json()["data"]["result_data"];
    assert!(data.as_object().expect("object").values().all(|v| v == ""));
    let list = send(&state, get("/api/v1/scans")).await.json();
    assert_eq!(list["scans"].as_array().expect("array").len(), 2);
    assert_eq!(list["scans"][0]["status"], "not_permit");
    assert_eq!(list["scans"][0]["document_type"], "");
}

#[tokio::test]
async fn every_bad_input_gets_its_documented_answer_in_both_shapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    for case in corpus() {
        for (path, want) in [
            ("/ocr/v1/kitas-kitap", &case.glair),
            ("/ocr/v1/kitas", &case.verihubs),
        ] {
            let mut req = Request::post(path);
            if let Some(ct) = &case.content_type {
                req = req.header("content-type", ct);
            }
            let res = send(
                &state,
                req.body(Body::from(case.body.clone())).expect("req"),
            )
            .await;
            assert_eq!(
                (res.status.as_u16(), res.json()),
                (want.0, want.1.clone()),
                "{} to {path}",
                case.name
            );
            assert!(res.header("request-id").is_some());
        }
    }
    // Verihubs checks the file name's extension; GLAIR goes by content.
    let res = send(&state, upload("/ocr/v1/kitas", "permit.gif", &blank_png())).await;
    assert_eq!((res.status.as_u16(), res.json()), verihubs::bad_payload());
    let res = send(
        &state,
        upload("/ocr/v1/kitas-kitap", "permit.gif", &blank_png()),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(state.store().count().expect("count"), 1);
    assert_eq!(state.store().integrity_check().expect("check"), "ok");
}

#[tokio::test]
async fn a_reader_failure_is_failed_and_ocr_50000() {
    let dir = tempfile::tempdir().expect("tempdir");
    let failing: Arc<dyn Recognizer> = Arc::new(Fake(|_: &[image::RgbImage]| Err("boom".into())));
    let state = state(config(dir.path()), failing);
    let res = send(&state, upload("/ocr/v1/kitas-kitap", "a.png", &blank_png())).await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (
            500,
            json!({"status": "FAILED", "reason": "Failed to process the file. Please try again"})
        )
    );
    let res = send(&state, upload("/ocr/v1/kitas", "a.png", &blank_png())).await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (
            500,
            json!({"message": "Internal server error", "error_code": "OCR_50000"})
        )
    );
    assert_eq!(state.store().count().expect("count"), 0);
    let text = String::from_utf8_lossy(&send(&state, get("/metrics")).await.bytes).to_string();
    assert!(
        text.contains("kitascan_scans_total{status=\"failed\"} 2"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_retry_after_before_reading_the_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.reader.workers = 1;
    c.reader.queue_capacity = 1;
    // The stand-in holds every read until the test releases it.
    let (release, gate) = mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    let blocking: Arc<dyn Recognizer> = Arc::new(Fake(move |pages: &[image::RgbImage]| {
        let _ = gate
            .lock()
            .expect("gate")
            .recv_timeout(Duration::from_secs(60));
        Ok(Some(PageResult {
            reading: Reading::not_a_permit(),
            page: pages[0].clone(),
        }))
    }));
    let state = state(c, blocking);
    // Two uploads fill the worker and the queue.
    let held: Vec<_> = (0..2)
        .map(|_| {
            let state = state.clone();
            tokio::spawn(async move {
                send(&state, upload("/ocr/v1/kitas-kitap", "a.png", &blank_png())).await
            })
        })
        .collect();
    // Wait until both are admitted (the queue depth gauge counts them).
    let mut admitted = false;
    for _ in 0..600 {
        let text = String::from_utf8_lossy(&send(&state, get("/metrics")).await.bytes).to_string();
        if text.contains("kitascan_queue_depth 2") {
            admitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(admitted, "both held uploads are admitted");
    let res = send(&state, upload("/ocr/v1/kitas-kitap", "a.png", &blank_png())).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.header("retry-after"), Some("5"));
    assert_eq!(res.json()["status"], "FAILED");
    let res = send(&state, upload("/ocr/v1/kitas", "a.png", &blank_png())).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.header("retry-after"), Some("5"));
    assert_eq!(res.json()["error_code"], "OCR_50000");
    // Released, the held uploads are read and stored.
    release.send(()).expect("release");
    release.send(()).expect("release");
    for h in held {
        assert_eq!(h.await.expect("join").status, StatusCode::OK);
    }
    assert_eq!(state.store().count().expect("count"), 2);
}

#[tokio::test]
async fn keys_are_required_by_every_scheme_except_on_open_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(with_key(config(dir.path())), not_a_permit_reader());
    // No key.
    let res = send(&state, upload("/ocr/v1/kitas", "a.png", &blank_png())).await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (401, json!({"message": "Authorization failed"}))
    );
    assert!(res.header("request-id").is_some());
    for path in [
        "/api/v1/scans",
        "/api/v1/events",
        "/metrics",
        "/api/v1/scans/x",
    ] {
        let res = send(&state, get(path)).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.json()["error"], "UNAUTHORIZED");
    }
    let res = send(&state, upload("/ocr/v1/kitas-kitap", "a.png", &blank_png())).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Wrong key, wrong App-ID.
    let mut req = upload("/ocr/v1/kitas", "a.png", &blank_png());
    req.headers_mut()
        .insert("app-id", APP_ID.parse().expect("hv"));
    req.headers_mut()
        .insert("api-key", "wrong-key-0123456789".parse().expect("hv"));
    assert_eq!(send(&state, req).await.status, StatusCode::UNAUTHORIZED);
    let mut req = upload("/ocr/v1/kitas", "a.png", &blank_png());
    req.headers_mut()
        .insert("app-id", "other-app".parse().expect("hv"));
    req.headers_mut()
        .insert("api-key", KEY.parse().expect("hv"));
    assert_eq!(send(&state, req).await.status, StatusCode::UNAUTHORIZED);
    // Verihubs' pair.
    let mut req = upload("/ocr/v1/kitas", "a.png", &blank_png());
    req.headers_mut()
        .insert("app-id", APP_ID.parse().expect("hv"));
    req.headers_mut()
        .insert("api-key", KEY.parse().expect("hv"));
    assert_eq!(send(&state, req).await.status, StatusCode::OK);
    // GLAIR's basic auth + x-api-key, and a wrong password.
    let basic = |s: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    };
    let mut req = upload("/ocr/v1/kitas-kitap", "a.png", &blank_png());
    req.headers_mut()
        .insert("authorization", basic("user:password").parse().expect("hv"));
    req.headers_mut()
        .insert("x-api-key", KEY.parse().expect("hv"));
    assert_eq!(send(&state, req).await.status, StatusCode::OK);
    let mut req = upload("/ocr/v1/kitas-kitap", "a.png", &blank_png());
    req.headers_mut()
        .insert("authorization", basic("user:nope").parse().expect("hv"));
    req.headers_mut()
        .insert("x-api-key", KEY.parse().expect("hv"));
    assert_eq!(send(&state, req).await.status, StatusCode::UNAUTHORIZED);
    // x-api-key alone.
    let mut req = get("/api/v1/scans");
    req.headers_mut()
        .insert("x-api-key", KEY.parse().expect("hv"));
    let res = send(&state, req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["scans"].as_array().expect("array").len(), 2);
    // Open without a key: health, the OpenAPI file and the page.
    for path in [
        "/healthz",
        "/api/v1/openapi.json",
        "/",
        "/kiosk.js",
        "/kiosk.css",
        "/console",
        "/console.js",
        "/console.css",
    ] {
        let res = send(&state, get(path)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.header("request-id").is_some(), "{path}");
    }
}

/// A stored scan with a reading saying `kind` (fake identity), created `age_ms` ago.
pub(super) fn scan_of(kind: DocumentKind, age_ms: i64) -> NewScan {
    let mut reading = Reading::not_a_permit();
    reading.is_permit = kind != DocumentKind::Unknown;
    reading.kind = kind;
    reading.fields.insert(
        FieldName::FullName,
        Field {
            value: "TEST PERSON".into(),
            value_original: "TEST PERSON".into(),
            confidence: 0.9,
            confidence_text: 0.9,
            polygon: Vec::new(),
            page_index: 0,
        },
    );
    let jpeg = {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([200, 200, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("jpeg");
        out.into_inner()
    };
    let mut scan = new_scan(new_id(), new_id(), ScanSource::Camera, &reading, Some(jpeg));
    scan.created_at -= age_ms;
    scan
}

#[tokio::test]
async fn scans_list_newest_first_by_keyset_filter_get_image_and_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let mut ids = Vec::new();
    for i in 0..5 {
        let kind = if i % 2 == 0 {
            DocumentKind::Kitas
        } else {
            DocumentKind::Kitap
        };
        ids.push(state.record(scan_of(kind, 0)).await.expect("record").id);
    }
    let mut no_image = scan_of(DocumentKind::Unknown, 0);
    no_image.image = None;
    let no_image = state.record(no_image).await.expect("record").id;

    let page = send(&state, get("/api/v1/scans?limit=4")).await.json();
    assert_eq!(
        scan_ids(&page),
        [no_image.as_str(), &ids[4], &ids[3], &ids[2]]
    );
    let next = page["next_before"].as_str().expect("a next page");
    let page = send(&state, get(&format!("/api/v1/scans?limit=4&before={next}")))
        .await
        .json();
    assert_eq!(scan_ids(&page), [&ids[1], &ids[0]]);
    assert_eq!(page["next_before"], Value::Null);
    let kitap = send(&state, get("/api/v1/scans?document_type=kitap"))
        .await
        .json();
    assert_eq!(scan_ids(&kitap), [&ids[3], &ids[1]]);
    for bad in [
        "/api/v1/scans?limit=0",
        "/api/v1/scans?limit=101",
        "/api/v1/scans?limit=x",
        "/api/v1/scans?document_type=passport",
        "/api/v1/scans?before=no-such-id",
        "/api/v1/scans?sort=asc",
    ] {
        let res = send(&state, get(bad)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(res.json()["error"], "BAD_QUERY", "{bad}");
    }

    let one = send(&state, get(&format!("/api/v1/scans/{}", ids[0]))).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(
        one.json()["reading"]["fields"]["full_name"]["value"],
        "TEST PERSON"
    );
    assert_eq!(one.json()["source"], "camera");
    let image = send(&state, get(&format!("/api/v1/scans/{}/image", ids[0]))).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header("content-type"), Some("image/jpeg"));
    assert!(image.bytes.starts_with(&[0xff, 0xd8, 0xff]));
    let res = send(&state, get(&format!("/api/v1/scans/{no_image}/image"))).await;
    assert_eq!(
        (res.status, res.json()["error"].clone()),
        (StatusCode::NOT_FOUND, json!("NO_IMAGE"))
    );

    let delete = |id: &str| {
        Request::delete(format!("/api/v1/scans/{id}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(
        send(&state, delete(&ids[0])).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&state, delete(&ids[0])).await.status,
        StatusCode::NOT_FOUND
    );
    for path in [
        format!("/api/v1/scans/{}", ids[0]),
        format!("/api/v1/scans/{}/image", ids[0]),
    ] {
        let res = send(&state, get(&path)).await;
        assert_eq!(
            (res.status, res.json()["error"].clone()),
            (StatusCode::NOT_FOUND, json!("NOT_FOUND"))
        );
    }
    let res = send(&state, get("/no/such/endpoint")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.header("request-id").is_some());
}

#[tokio::test]
async fn retention_purges_only_scans_older_than_the_configured_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.store.retention_days = 2;
    let state = state(c, not_a_permit_reader());
    let day = 86_400_000;
    let old = state
        .record(scan_of(DocumentKind::Kitas, 3 * day))
        .await
        .expect("record")
        .id;
    let recent = state
        .record(scan_of(DocumentKind::Kitas, day))
        .await
        .expect("record")
        .id;
    assert_eq!(state.purge_expired().await.expect("purge"), 1);
    assert_eq!(
        send(&state, get(&format!("/api/v1/scans/{old}")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&state, get(&format!("/api/v1/scans/{recent}")))
            .await
            .status,
        StatusCode::OK
    );
}

/// Reads server-sent events from a response body until `pred` accepts one.
pub(super) async fn next_event(
    stream: &mut axum::body::BodyDataStream,
    buffer: &mut String,
) -> (String, Value) {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let mut kind = String::new();
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(k) = line.strip_prefix("event:") {
                    kind = k.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            if !data.is_empty() {
                return (kind, serde_json::from_str(&data).expect("JSON data"));
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(30), stream.next())
            .await
            .expect("an event in time")
            .expect("the stream stays open")
            .expect("a chunk");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_announce_the_state_then_each_stored_and_deleted_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let res = app(state.clone())
        .oneshot(get("/api/v1/events"))
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let mut stream = res.into_body().into_data_stream();
    let mut buffer = String::new();
    assert_eq!(
        next_event(&mut stream, &mut buffer).await,
        (
            "state".to_string(),
            json!({"state": "idle", "reason": null})
        )
    );
    // An upload: the worker goes reading, the scan is announced, the worker goes idle.
    let up = send(&state, upload("/ocr/v1/kitas", "a.png", &blank_png())).await;
    assert_eq!(up.status, StatusCode::OK);
    let id = up.json()["data"]["id"].as_str().expect("id").to_string();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        seen.push(next_event(&mut stream, &mut buffer).await);
    }
    assert_eq!(
        seen[0],
        (
            "state".to_string(),
            json!({"state": "reading", "reason": null})
        )
    );
    let scan = seen
        .iter()
        .find(|(k, _)| k == "scan")
        .map(|(_, d)| d.clone())
        .expect("a scan event");
    assert_eq!(scan["id"], id.as_str());
    assert_eq!(scan["source"], "upload");
    assert_eq!(scan["status"], "not_permit");
    assert!(seen.contains(&(
        "state".to_string(),
        json!({"state": "idle", "reason": null})
    )));
    // A daemon state change and a deletion.
    state.set_daemon_state(kitascan::api::DaemonState::new("adjust", Some("glare")));
    assert_eq!(
        next_event(&mut stream, &mut buffer).await,
        (
            "state".to_string(),
            json!({"state": "adjust", "reason": "glare"})
        )
    );
    let del = Request::delete(format!("/api/v1/scans/{id}"))
        .body(Body::empty())
        .expect("req");
    assert_eq!(send(&state, del).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        next_event(&mut stream, &mut buffer).await,
        ("deleted".to_string(), json!({"id": id}))
    );
}

#[tokio::test]
async fn health_metrics_page_and_an_openapi_document_that_lists_every_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let health = send(&state, get("/healthz")).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");

    let metrics = send(&state, get("/metrics")).await;
    let text = String::from_utf8_lossy(&metrics.bytes).to_string();
    for family in [
        "# TYPE kitascan_scans counter",
        "# TYPE kitascan_read_duration_seconds histogram",
        "# TYPE kitascan_queue_depth gauge",
    ] {
        assert!(text.contains(family), "{family} in {text}");
    }

    let page = send(&state, get("/")).await;
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(html.contains("/kiosk.js") && html.contains("say-id"));

    // Every path and method the document lists is served (not 404 or 405), and the router
    // serves nothing it does not list.
    let doc = send(&state, get("/api/v1/openapi.json")).await.json();
    assert_eq!(doc["openapi"], "3.0.3");
    let stored = state
        .record(scan_of(DocumentKind::Kitas, 0))
        .await
        .expect("record")
        .id;
    let paths = doc["paths"].as_object().expect("paths");
    let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "/",
            "/api/v1/events",
            "/api/v1/kiosk/events",
            "/api/v1/openapi.json",
            "/api/v1/scans",
            "/api/v1/scans/export",
            "/api/v1/scans/{id}",
            "/api/v1/scans/{id}/checked",
            "/api/v1/scans/{id}/fields/{field}",
            "/api/v1/scans/{id}/image",
            "/console",
            "/healthz",
            "/metrics",
            "/ocr/v1/kitas",
            "/ocr/v1/kitas-kitap",
        ]
    );
    for (path, item) in paths {
        for method in item.as_object().expect("methods").keys() {
            if path == "/api/v1/events" || path == "/api/v1/kiosk/events" {
                continue; // an endless stream, checked in its own test
            }
            // A delete gets a scan of its own, so that the other methods still find theirs.
            let id = if method == "delete" {
                state
                    .record(scan_of(DocumentKind::Kitap, 0))
                    .await
                    .expect("record")
                    .id
            } else {
                stored.clone()
            };
            let uri = path.replace("{id}", &id).replace("{field}", "full_name");
            let req = Request::builder()
                .method(method.to_ascii_uppercase().as_str())
                .uri(&uri)
                .body(Body::empty())
                .expect("request");
            let status = send(&state, req).await.status;
            assert!(
                status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}: {status}"
            );
        }
    }
}

#[tokio::test]
async fn an_upload_whose_body_never_finishes_is_refused_and_frees_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.server.read_timeout_secs = 1;
    c.reader.workers = 1;
    c.reader.queue_capacity = 1;
    let state = state(c, not_a_permit_reader());
    let (ct, body) = multipart("image", "a.png", &blank_png());
    // The first half of the body, then nothing, ever.
    let head = axum::body::Bytes::from(body[..body.len() / 2].to_vec());
    let stalled = || {
        tokio_stream::iter(vec![Ok::<_, std::io::Error>(head.clone())])
            .chain(tokio_stream::pending())
    };
    for path in ["/ocr/v1/kitas-kitap", "/ocr/v1/kitas"] {
        let req = Request::post(path)
            .header("content-type", &ct)
            .body(Body::from_stream(stalled()))
            .expect("request");
        let status = send(&state, req).await.status.as_u16();
        assert!(status == 400 || status == 422, "{path}: {status}");
    }
    // Both places are free again.
    for _ in 0..2 {
        let res = send(&state, upload("/ocr/v1/kitas", "a.png", &blank_png())).await;
        assert_eq!(res.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn with_store_images_off_the_reading_is_kept_without_its_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.store.store_images = false;
    let state = state(c, not_a_permit_reader());
    let res = send(&state, upload("/ocr/v1/kitas", "a.png", &blank_png())).await;
    assert_eq!(res.status, StatusCode::OK);
    let id = res.json()["data"]["id"].as_str().expect("id").to_string();
    let one = send(&state, get(&format!("/api/v1/scans/{id}")))
        .await
        .json();
    assert_eq!(one["has_image"], false);
    let res = send(&state, get(&format!("/api/v1/scans/{id}/image"))).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["error"], "NO_IMAGE");
}

/// The ids of a page of `/api/v1/scans`, in order.
fn scan_ids(page: &Value) -> Vec<&str> {
    page["scans"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect()
}
