//! The OpenAPI document and the router are one table: every documented operation is served,
//! and every v1 route is registered with its operation.

use kassa_testkit::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let doc = app.request("GET", "/v1/openapi.json", None, None, None).await;
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS.into_iter().filter(|m| item.get(*m).is_some()) {
            operations += 1;
            let concrete = path.replace("{id}", "x_unknown");
            let body = (method != "get" && method != "delete").then(|| serde_json::json!({}));
            let res = app.request(&method.to_uppercase(), &concrete, body, Some(&app.merchant.secret_key), None).await;
            let unrouted = res.status == 405 || (res.status == 404 && res.body["error"]["code"] == "route_not_found");
            assert!(!unrouted, "{method} {path} is documented but not served: {} {}", res.status, res.text);
        }
    }
    // The operations behind the key, health, readiness and the document itself.
    assert_eq!(operations, 65, "operations in the document");
}

/// The v1 tables register routes only through `routes!`, which takes the path and the
/// operation from the handler's `#[utoipa::path]`; a plain `.route(` would serve an
/// undocumented operation.
#[test]
fn v1_routes_are_registered_with_their_operations() {
    let source = include_str!("../../src/faces/v1/mod.rs");
    let plain: Vec<&str> = source.lines().filter(|l| l.contains(".route(") || l.contains(".route_service(")).collect();
    assert!(plain.is_empty(), "v1 routes registered without their OpenAPI operation: {plain:?}");
    assert!(source.matches("routes!(").count() >= 27, "the v1 table lost its routes");
}

/// The document says every status an operation can answer: the front door's (401, 403, 429)
/// behind the key, the parsers' (400, and 422 where there is input), the limits' (413, 503),
/// the idempotency 409 on mutations; and list sizes have the parser's bounds.
#[tokio::test]
async fn every_operation_documents_the_refusals_it_can_answer() {
    let app = spawn_app().await;
    let doc = app.request("GET", "/v1/openapi.json", None, None, None).await.body;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS.into_iter().filter(|m| item.get(*m).is_some()) {
            let op = &item[method];
            let has = |status: &str| op["responses"].get(status).is_some();
            let public = op.get("security") == Some(&serde_json::json!([{}]));
            let mut expected = vec!["400", "503"];
            if !public {
                expected.extend(["401", "403", "429"]);
            }
            if method != "get" {
                expected.extend(["409", "413", "415", "422"]);
            }
            if path.contains('{') {
                expected.push("404");
            }
            for status in expected {
                assert!(has(status), "{method} {path} does not document {status}");
            }
            for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["name"] == "limit") {
                assert_eq!((p["schema"]["minimum"].as_u64(), p["schema"]["maximum"].as_u64()), (Some(1), Some(100)));
            }
        }
    }
}

/// `/docs` renders the same document for people: every operation (by its id) and every schema,
/// without a key and without a script.
#[tokio::test]
async fn the_reference_page_shows_every_operation_and_schema() {
    let app = spawn_app().await;
    let doc = app.request("GET", "/v1/openapi.json", None, None, None).await.body;
    let page = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script"), "no script needed");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS.into_iter().filter(|m| item.get(*m).is_some()) {
            let id = item[method]["operationId"].as_str().unwrap();
            assert!(html.contains(&format!("id=\"{id}\"")), "{method} {path} is missing");
            assert!(html.contains(path.as_str()), "{path} is missing");
        }
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(html.contains(&format!("id=\"schema-{name}\"")), "schema {name} is missing");
    }
}

/// The document's bounds are the parsers': values at a documented bound are accepted, values
/// one past it refused, request bodies are closed, and the page tokens a list hands out have
/// the documented shape (and any token of that shape is accepted).
#[tokio::test]
async fn the_documented_bounds_are_the_ones_the_server_enforces() {
    let app = spawn_app().await;
    let doc = app.request("GET", "/v1/openapi.json", None, None, None).await.body;
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    let create = schema("CreatePaymentIntent");
    assert_eq!(create["additionalProperties"], false, "{create}");
    let (min, max) = (&create["properties"]["amount"]["minimum"], &create["properties"]["amount"]["maximum"]);
    let post = |body: serde_json::Value| {
        app.request("POST", "/v1/payment_intents", Some(body), Some(&app.merchant.secret_key), None)
    };
    for (amount, status) in [
        (min.clone(), 200),
        (max.clone(), 200),
        ((max.as_i64().unwrap() + 1).into(), 422),
        ((min.as_i64().unwrap() - 1).into(), 422),
    ] {
        let res = post(serde_json::json!({"amount": amount, "currency": "JPY"})).await;
        assert_eq!(res.status, status, "amount {amount}: {}", res.text);
    }
    let res = post(serde_json::json!({"amount": 100, "currency": "JPY", "undocumented": 1})).await;
    assert_eq!(res.status, 422, "{}", res.text);

    let metadata = schema("BTreeMap");
    let keys = metadata["maxProperties"].as_u64().unwrap();
    let key_len = metadata["propertyNames"]["maxLength"].as_u64().unwrap() as usize;
    let many =
        |n: u64| (0..n).map(|i| (format!("{i:0>key_len$}"), serde_json::json!("v"))).collect::<serde_json::Map<_, _>>();
    let res = post(serde_json::json!({"amount": 100, "currency": "JPY", "metadata": many(keys)})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = post(serde_json::json!({"amount": 100, "currency": "JPY", "metadata": many(keys + 1)})).await;
    assert_eq!(res.status, 422, "{}", res.text);

    let list = &doc["paths"]["/v1/payment_intents"]["get"];
    let token_param = list["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "page_token").unwrap();
    assert_eq!(token_param["schema"]["pattern"], kassa_server::app::PageToken::PATTERN);
    let page = app.request("GET", "/v1/payment_intents?limit=1", None, Some(&app.merchant.secret_key), None).await;
    let token = page.body["next_page_token"].as_str().expect("a second page");
    let (created, id) = token.split_once('.').expect("created.id");
    assert!(created.parse::<i64>().is_ok() && id.starts_with("pi_"), "{token}");
    let crafted = "0.pi_0";
    let res = app
        .request(
            "GET",
            &format!("/v1/payment_intents?page_token={crafted}"),
            None,
            Some(&app.merchant.secret_key),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "any token of the documented shape is a position: {}", res.text);
}
