//! The operator's API through `app(..).oneshot`: what each key role may do (and the 403 beyond
//! it), the security headers on every response, search, corrections with their audit kept
//! across a restart, marking checked, export, and the walk-up screen's stream.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use kitascan::api::{DaemonState, app};
use kitascan::config::Role;
use kitascan::kitas::DocumentKind;
use kitascan::store::{ScanSource, now_ms, rfc3339};

use super::router::{next_event, scan_of};
use super::*;

fn request(method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(k) = key {
        b = b.header("x-api-key", k);
    }
    match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .expect("request")
}

/// The status alone: endless streams are not read.
async fn status(state: &kitascan::api::AppState, req: Request<Body>) -> (StatusCode, Value) {
    let res = app(state.clone()).oneshot(req).await.expect("infallible");
    let status = res.status();
    let is_stream = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if is_stream {
        return (status, Value::Null);
    }
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Every operation the OpenAPI document gives an `x-role` is allowed to that role and the ones
/// above it, and refused with 403 in kitascan's error shape to the ones below; the document
/// and the router agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_may_do_what_the_document_says_and_gets_403_beyond_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(with_roles(config(dir.path())), not_a_permit_reader());
    let doc: Value = serde_json::from_str(kitascan::api::OPENAPI).expect("JSON");
    let keys = [
        (Role::Upload, UPLOAD_KEY),
        (Role::Read, READ_KEY),
        (Role::Admin, KEY),
    ];
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("methods") {
            let Some(needed) = op["x-role"].as_str() else {
                assert_eq!(op["security"], json!([]), "{method} {path}: open or x-role");
                continue;
            };
            let needed = match needed {
                "upload" => Role::Upload,
                "read" => Role::Read,
                "admin" => Role::Admin,
                other => panic!("{method} {path}: unknown role {other}"),
            };
            for (role, key) in keys {
                let id = state
                    .record(scan_of(DocumentKind::Kitas, 0))
                    .await
                    .expect("record")
                    .id;
                let uri = path.replace("{id}", &id).replace("{field}", "full_name");
                let req = if path.starts_with("/ocr/") {
                    let mut req = upload(&uri, "a.png", &blank_png());
                    req.headers_mut()
                        .insert("x-api-key", key.parse().expect("hv"));
                    req
                } else {
                    let body = (method == "patch").then(|| json!({"value": "X"}));
                    request(&method.to_ascii_uppercase(), &uri, Some(key), body)
                };
                let (got, body) = status(&state, req).await;
                if role < needed {
                    assert_eq!(got, StatusCode::FORBIDDEN, "{role:?} {method} {uri}");
                    assert_eq!(body["error"], "FORBIDDEN", "{role:?} {method} {uri}");
                    let message = body["message"].as_str().expect("a message");
                    assert!(message.contains(needed.as_str()), "{message}");
                } else {
                    assert!(got.is_success(), "{role:?} {method} {uri}: {got} {body}");
                }
                checked += 1;
            }
        }
    }
    // The two uploads, the walk-up stream, list, one, image, events, metrics, delete,
    // correct, check, export: each with three keys.
    assert_eq!(checked, 12 * 3);
    // No key, or a wrong one, is still 401, whatever the role needed.
    for path in ["/api/v1/kiosk/events", "/api/v1/scans/export"] {
        let (got, body) = status(&state, request("GET", path, None, None)).await;
        assert_eq!(got, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["error"], "UNAUTHORIZED");
    }
}

/// `curl -I` of the pages and the API, and any other answer (401, 404), carries the security
/// headers; the policy allows no inline script and no framing.
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(with_key(config(dir.path())), not_a_permit_reader());
    for (method, path, key) in [
        ("HEAD", "/", None),
        ("HEAD", "/console", None),
        ("HEAD", "/api/v1/scans", Some(KEY)),
        ("GET", "/api/v1/scans", Some(KEY)),
        ("GET", "/api/v1/scans", None),
        ("GET", "/console.js", None),
        ("GET", "/healthz", None),
        ("GET", "/no/such/path", None),
    ] {
        let res = send(&state, request(method, path, key, None)).await;
        let what = format!("{method} {path} ({})", res.status);
        let csp = res.header("content-security-policy").expect(&what);
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"), "{what}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{what}");
    }
}

/// A stored scan of `name`, `permit`, created `days_ago` whole days before now.
async fn store_person(
    state: &kitascan::api::AppState,
    name: &str,
    permit: &str,
    days_ago: i64,
) -> String {
    let mut scan = scan_of(DocumentKind::Kitas, days_ago * 86_400_000);
    scan.full_name = name.into();
    scan.permit_number = permit.into();
    scan.reading["fields"]["full_name"]["value"] = json!(name);
    scan.reading["fields"]["full_name"]["value_original"] = json!(name);
    scan.reading["fields"]["permit_number"]["value"] = json!(permit);
    scan.reading["fields"]["permit_number"]["value_original"] = json!(permit);
    state.record(scan).await.expect("record").id
}

fn ids(page: &Value) -> Vec<String> {
    page["scans"]
        .as_array()
        .expect("scans")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn search_by_name_or_number_date_range_and_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let anna = store_person(&state, "ANNA SMITH", "2C21AB0001-X", 0).await;
    let boris = store_person(&state, "BORIS SMITHSON", "2C21AB0002-Y", 2).await;
    let carla = store_person(&state, "CARLA JONES", "2D11CD0003-Z", 0).await;
    let get = |q: &str| {
        send(
            &state,
            request("GET", &format!("/api/v1/scans?{q}"), None, None),
        )
    };
    // Newest stored first.
    assert_eq!(ids(&get("q=smith").await.json()), [boris, anna.clone()]);
    assert_eq!(ids(&get("q=2D11").await.json()), vec![carla.clone()]);
    let today = &rfc3339(now_ms())[..10];
    assert_eq!(
        ids(&get(&format!("q=smith&from={today}&to={today}"))
            .await
            .json()),
        vec![anna.clone()]
    );
    assert_eq!(
        ids(&get(&format!("to={today}&document_type=KITAP")).await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&get("from=2000-01-01T00:00:00%2B07:00&q=jones").await.json()),
        [carla]
    );
    for bad in ["from=yesterday", "to=2026-02-30", "from=2026-12-07T10:00"] {
        let res = get(bad).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(res.json()["error"], "BAD_QUERY");
    }
}

/// A read key cannot correct; an admin's correction becomes `value`, the reader's text stays in
/// `value_original`, the audit names the key, and all of it is there after a restart.
#[tokio::test]
async fn a_correction_is_refused_to_read_saved_for_admin_audited_and_kept_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = with_roles(config(dir.path()));
    let first = state(config.clone(), not_a_permit_reader());
    let id = store_person(&first, "ANNA SMTH", "2C21AB0001-X", 0).await;
    let path = format!("/api/v1/scans/{id}/fields/full_name");
    let fix = json!({"value": "ANNA SMITH"});
    let refused = send(
        &first,
        request("PATCH", &path, Some(READ_KEY), Some(fix.clone())),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let saved = send(&first, request("PATCH", &path, Some(KEY), Some(fix))).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert_eq!(
        saved.json()["reading"]["fields"]["full_name"]["value"],
        "ANNA SMITH"
    );
    let checked = send(
        &first,
        request(
            "PUT",
            &format!("/api/v1/scans/{id}/checked"),
            Some(KEY),
            None,
        ),
    )
    .await;
    assert_eq!(checked.json()["checked_by"], "tests");
    // Bad corrections.
    for (p, body, code) in [
        (
            format!("/api/v1/scans/{id}/fields/shoe_size"),
            json!({"value": "9"}),
            "NO_FIELD",
        ),
        (path.clone(), json!({"text": "x"}), "BAD_BODY"),
        (path.clone(), json!({"value": "two\nlines"}), "BAD_BODY"),
        (path.clone(), json!({"value": "x".repeat(501)}), "BAD_BODY"),
        (
            "/api/v1/scans/nope/fields/full_name".into(),
            json!({"value": "x"}),
            "NOT_FOUND",
        ),
    ] {
        let res = send(&first, request("PATCH", &p, Some(KEY), Some(body))).await;
        assert_eq!(res.json()["error"], code, "{p}");
    }
    drop(first);

    let again = state(config, not_a_permit_reader());
    let one = send(
        &again,
        request("GET", &format!("/api/v1/scans/{id}"), Some(READ_KEY), None),
    )
    .await
    .json();
    assert_eq!(one["full_name"], "ANNA SMITH", "the list's column follows");
    assert_eq!(one["reading"]["fields"]["full_name"]["value"], "ANNA SMITH");
    assert_eq!(
        one["reading"]["fields"]["full_name"]["value_original"],
        "ANNA SMTH"
    );
    assert_eq!(one["checked_by"], "tests");
    let audit: Vec<(Value, Value, Value, Value)> = one["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .map(|a| {
            (
                a["who"].clone(),
                a["action"].clone(),
                a["old_value"].clone(),
                a["new_value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        audit,
        [
            (
                json!("tests"),
                json!("correct"),
                json!("ANNA SMTH"),
                json!("ANNA SMITH")
            ),
            (json!("tests"), json!("check"), Value::Null, Value::Null),
        ]
    );
    let found = send(
        &again,
        request("GET", "/api/v1/scans?q=anna%20smith", Some(READ_KEY), None),
    )
    .await;
    assert_eq!(ids(&found.json()), [id]);
}

/// The CSV export of a day holds every reading of that day and no other, under a header row
/// naming every field; JSON lines hold the same readings.
#[tokio::test]
async fn the_export_of_a_day_holds_every_reading_of_that_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state(config(dir.path()), not_a_permit_reader());
    let mut today = Vec::new();
    for i in 0..3 {
        today.push(
            store_person(
                &state,
                &format!("PERSON {i}"),
                &format!("2C21AB000{i}-X"),
                0,
            )
            .await,
        );
    }
    let old = store_person(&state, "OLD PERSON", "2C21AB0009-X", 3).await;
    let day = &rfc3339(now_ms())[..10];
    let res = send(
        &state,
        request(
            "GET",
            &format!("/api/v1/scans/export?format=csv&from={day}&to={day}"),
            None,
            None,
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(res.bytes.clone()).expect("UTF-8");
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header: Vec<&str> = rows[0].split(',').collect();
    for name in kitascan::kitas::FieldName::ALL {
        assert!(header.contains(&name.as_str()), "{name:?} in the header");
    }
    let mut exported: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').next().expect("id"))
        .collect();
    exported.sort_unstable();
    let mut want: Vec<&str> = today.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(exported, want);
    assert!(!text.contains(&old) && !text.contains("OLD PERSON"));
    assert!(rows[1].contains("PERSON 0"));
    let jsonl = send(
        &state,
        request(
            "GET",
            &format!("/api/v1/scans/export?format=jsonl&from={day}"),
            None,
            None,
        ),
    )
    .await;
    let lines: Vec<Value> = String::from_utf8_lossy(&jsonl.bytes)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], today[0].as_str());
    assert_eq!(lines[0]["fields"]["full_name"]["value"], "PERSON 0");
    let bad = send(
        &state,
        request("GET", "/api/v1/scans/export?format=xlsx", None, None),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// The walk-up screen's stream: the state, then for a camera reading of a permit only its kind,
/// name and permit number with `show_secs`; nothing for an upload or a page that is not a
/// permit, and no `scan` events; the live view's small frames with their outline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walk_up_stream_carries_only_kind_name_and_number_of_camera_permits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = with_roles(config(dir.path()));
    c.kiosk.show_secs = 7;
    let state = state(c, not_a_permit_reader());
    let res = app(state.clone())
        .oneshot(request(
            "GET",
            "/api/v1/kiosk/events",
            Some(UPLOAD_KEY),
            None,
        ))
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.into_body().into_data_stream();
    let mut buffer = String::new();
    assert_eq!(
        next_event(&mut stream, &mut buffer).await,
        ("state".into(), json!({"state": "idle", "reason": null}))
    );
    // An upload (someone else's), a camera page that is not a permit, then a camera permit.
    let mut upload = scan_of(DocumentKind::Kitas, 0);
    upload.source = ScanSource::Upload;
    state.record(upload).await.expect("record");
    state
        .record(scan_of(DocumentKind::Unknown, 0))
        .await
        .expect("record");
    state.set_daemon_state(DaemonState::new("read_ok", None));
    state
        .record(scan_of(DocumentKind::Kitap, 0))
        .await
        .expect("record");
    assert_eq!(
        next_event(&mut stream, &mut buffer).await,
        ("state".into(), json!({"state": "read_ok", "reason": null}))
    );
    assert_eq!(
        next_event(&mut stream, &mut buffer).await,
        (
            "reading".into(),
            json!({"document_type": "KITAP", "full_name": "TEST PERSON",
                   "permit_number": "", "show_secs": 7})
        )
    );
    // The live view: a downscaled frame with the region found, scaled alike.
    let frame = image::RgbImage::from_pixel(1280, 720, image::Rgb([90, 90, 90]));
    state.live_frame(
        &frame,
        Some([
            [128.0, 72.0],
            [1152.0, 72.0],
            [1152.0, 648.0],
            [128.0, 648.0],
        ]),
    );
    let (kind, data) = next_event(&mut stream, &mut buffer).await;
    assert_eq!(kind, "frame");
    assert_eq!(
        (data["width"].clone(), data["height"].clone()),
        (json!(320), json!(180))
    );
    assert_eq!(
        data["outline"],
        json!([[32.0, 18.0], [288.0, 18.0], [288.0, 162.0], [32.0, 162.0]])
    );
    let jpeg = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        data["jpeg"].as_str().expect("base64"),
    )
    .expect("base64");
    let small = image::load_from_memory(&jpeg).expect("a JPEG");
    assert_eq!((small.width(), small.height()), (320, 180));
    state.live_frame(&frame, None);
    assert_eq!(
        next_event(&mut stream, &mut buffer).await.1["outline"],
        Value::Null
    );
    // The operators' stream never carries the walk-up screen's events.
    let res = app(state.clone())
        .oneshot(request("GET", "/api/v1/events", Some(READ_KEY), None))
        .await
        .expect("infallible");
    let mut ops = res.into_body().into_data_stream();
    let mut ops_buffer = String::new();
    next_event(&mut ops, &mut ops_buffer).await;
    state
        .record(scan_of(DocumentKind::Kitas, 0))
        .await
        .expect("record");
    state.set_daemon_state(DaemonState::new("idle", None));
    assert_eq!(next_event(&mut ops, &mut ops_buffer).await.0, "scan");
    assert_eq!(next_event(&mut ops, &mut ops_buffer).await.0, "state");
}
