//! What goes over the wire: the built assets come precompressed, hashed and cached for a year;
//! pages and JSON are compressed per response, and a response carrying a plaintext never is.

use crate::support::TestApp;
use http::{header, Request, StatusCode};
use leptos::server_fn::ServerFn;
use trekmail_tokens::api::audit::ListAuditEvents;
use trekmail_tokens::api::tokens::CreateToken;
use trekmail_tokens::model::routes;

async fn get_encoded(
    app: &TestApp,
    path: &str,
    encoding: &str,
    cookie: Option<&str>,
) -> crate::support::Response {
    let mut request = Request::get(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT_ENCODING, encoding);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(axum::body::Body::empty()).unwrap())
        .await
}

fn encoding(response: &crate::support::Response) -> Option<&str> {
    response
        .headers
        .get(header::CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn built_assets_come_precompressed_and_are_cached_for_a_year() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.Abc123.wasm"), b"raw wasm bytes").unwrap();
    std::fs::write(pkg.join("app.Abc123.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("app.Abc123.wasm.gz"), b"gzip bytes").unwrap();
    let root = site.path().display().to_string();
    let app = TestApp::with_options(|options| {
        options.site_root = root.into();
        options.hash_files = true;
    })
    .await;

    for (accepted, expected_encoding, body) in [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "raw wasm bytes"),
    ] {
        let asset = get_encoded(&app, "/pkg/app.Abc123.wasm", accepted, None).await;
        assert_eq!(asset.status, StatusCode::OK, "{accepted}");
        assert_eq!(encoding(&asset), expected_encoding, "{accepted}");
        assert_eq!(
            asset.body, body,
            "{accepted}: never compressed again per request"
        );
        assert_eq!(
            asset.headers.get(header::CACHE_CONTROL).unwrap(),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(asset.headers.get(header::VARY).unwrap(), "accept-encoding");
    }
    let missing = get_encoded(&app, "/pkg/app.Old999.wasm", "br", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.headers.get(header::CACHE_CONTROL).is_none());
    let escape = get_encoded(&app, "/pkg/../Cargo.toml", "br", None).await;
    assert_ne!(escape.status, StatusCode::OK);
}

#[tokio::test]
async fn pages_and_json_are_compressed_but_a_plaintext_token_never_is() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let page = get_encoded(&app, routes::TOKENS, "br", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(encoding(&page), Some("br"));

    // Enough events for a body worth compressing.
    for _ in 0..3 {
        crate::support::ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    }
    let events = app
        .post_with(
            ListAuditEvents::PATH,
            "application/x-www-form-urlencoded",
            String::new(),
            Some(&owner),
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(events.status, StatusCode::OK);
    assert_eq!(encoding(&events), Some("gzip"));

    let created = app
        .post_with(
            CreateToken::PATH,
            "application/json",
            serde_json::json!({ "form": {
                "name": "Uncompressed", "expiration": "30d", "expiration_date": "",
                "scopes": ["domains:read"], "domain_mode": "all", "domain_ids": []
            }})
            .to_string(),
            Some(&owner),
            &[("accept-encoding", "br, gzip")],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert!(created.body.contains("tm_live_"));
    assert_eq!(encoding(&created), None, "a plaintext is never compressed");
    let reveal = app
        .post_with(
            routes::NEW_TOKEN,
            "application/x-www-form-urlencoded",
            "name=Page+reveal&expiration=30d&scopes=domains%3Aread&domain_mode=all".into(),
            Some(&owner),
            &[("accept", "text/html"), ("accept-encoding", "br, gzip")],
        )
        .await;
    assert_eq!(reveal.status, StatusCode::OK);
    assert!(reveal.body.contains("tm_live_"));
    assert_eq!(encoding(&reveal), None, "a plaintext is never compressed");
}
