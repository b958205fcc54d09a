//! The OpenAPI document against the access table.

use super::*;

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_scope() {
    let app = TestApp::new().await;
    let response = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    // `make test` then checks this file against the OpenAPI 3.1 schema (openapi-spec-validator).
    std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/openapi.json"),
        &response.body,
    )
    .unwrap();
    let document: Value = response.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let endpoint = ENDPOINTS
                .iter()
                .find(|e| e.method.as_str().eq_ignore_ascii_case(method) && e.path == path)
                .unwrap_or_else(|| {
                    panic!("{method} {path} is documented but not in the access table")
                });
            let security = operation["security"].to_string();
            match endpoint.needs {
                Needs::AnyScope => assert!(security.contains("token")),
                needs => assert!(
                    needs.names().iter().all(|s| security.contains(s)),
                    "{method} {path}: {security}"
                ),
            }
        }
    }
    assert_eq!(
        operations,
        ENDPOINTS.len(),
        "every route is documented, and only those"
    );
    for endpoint in ENDPOINTS {
        let item = &paths[endpoint.path];
        assert!(
            item[endpoint.method.as_str().to_lowercase()].is_object(),
            "{} {}",
            endpoint.method,
            endpoint.path
        );
    }
}
