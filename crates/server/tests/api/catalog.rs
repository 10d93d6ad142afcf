//! `/v1/products` and `/v1/prices`: what a merchant sells, each change an event.

use kassa_testkit::{json_of, spawn_app};
use serde_json::json;

#[tokio::test]
async fn products_are_priced_found_by_lookup_key_and_retired() {
    let app = spawn_app().await;
    let lamp = app.post("/v1/products", json!({"name": "Desk lamp", "metadata": {"sku": "L-1"}})).await;
    assert_eq!(lamp.status, 200, "{}", lamp.text);
    let lamp = json_of(&lamp.body, "id").to_owned();
    assert!(lamp.starts_with("prod_"));
    let standard = app
        .post(
            "/v1/prices",
            json!({"product": lamp, "currency": "EUR", "unit_amount": 4900, "lookup_key": "lamp-standard"}),
        )
        .await;
    assert_eq!(standard.status, 200, "{}", standard.text);
    let standard = json_of(&standard.body, "id").to_owned();
    let taken = app
        .post(
            "/v1/prices",
            json!({"product": lamp, "currency": "EUR", "unit_amount": 3900, "lookup_key": "lamp-standard"}),
        )
        .await;
    assert_eq!((taken.status, taken.error()["code"].as_str()), (409, Some("lookup_key_in_use")), "{}", taken.text);
    let found = app.get("/v1/prices?lookup_keys[]=lamp-standard&lookup_keys[]=none").await;
    let ids: Vec<&str> = found.body["data"].as_array().unwrap().iter().map(|p| json_of(p, "id")).collect();
    assert_eq!(ids, [standard.as_str()], "{}", found.text);

    // Retiring the price frees its key; retiring the product stops new prices.
    let retired = app.post(&format!("/v1/prices/{standard}"), json!({"active": false})).await;
    assert_eq!(retired.body["active"], false, "{}", retired.text);
    let sale = app
        .post(
            "/v1/prices",
            json!({"product": lamp, "currency": "EUR", "unit_amount": 3900, "lookup_key": "lamp-standard"}),
        )
        .await;
    assert_eq!(sale.status, 200, "{}", sale.text);
    let off = app.post(&format!("/v1/products/{lamp}"), json!({"active": false, "description": "Gone"})).await;
    assert_eq!((off.body["active"].as_bool(), off.body["description"].as_str()), (Some(false), Some("Gone")));
    let refused = app.post("/v1/prices", json!({"product": lamp, "currency": "EUR", "unit_amount": 100})).await;
    assert_eq!((refused.status, refused.error()["code"].as_str()), (409, Some("product_inactive")), "{}", refused.text);
    let of_lamp = app.get(&format!("/v1/prices?product={lamp}&active=true")).await;
    assert_eq!(of_lamp.body["data"].as_array().map(Vec::len), Some(1), "{}", of_lamp.text);

    let events = app.get("/v1/events?type=price.*").await.body;
    assert_eq!(events["data"].as_array().map(Vec::len), Some(3), "two created, one updated: {events}");
    let products = app.get("/v1/events?type=product.*").await.body;
    assert_eq!(products["data"].as_array().map(Vec::len), Some(2), "{products}");
}

#[tokio::test]
async fn bad_catalog_fields_are_named_and_nothing_is_half_written() {
    let app = spawn_app().await;
    let refused = app.post("/v1/products", json!({"name": "", "colour": "red"})).await;
    let mut params = refused.error_params();
    params.sort();
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(params, ["colour", "name"], "{}", refused.text);
    let refused = app.post("/v1/prices", json!({"product": "prod_nope", "currency": "usd", "unit_amount": -1})).await;
    let mut params = refused.error_params();
    params.sort();
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(params, ["currency", "unit_amount"], "{}", refused.text);
    let missing = app.post("/v1/prices", json!({"product": "prod_nope", "currency": "USD", "unit_amount": 100})).await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    assert_eq!(app.get("/v1/prices").await.body["data"], json!([]));
}
