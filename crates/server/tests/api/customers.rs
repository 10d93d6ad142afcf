//! `/v1/customers`: the people a merchant's payments are for, with their own events.

use kassa_testkit::{json_of, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_customer_is_created_changed_found_by_email_and_deleted_each_with_its_event() {
    let app = spawn_app().await;
    let created = app
        .post(
            "/v1/customers",
            json!({"email": "Ada@Example.com", "name": "Ada Lovelace", "phone": "+44 20 7946 0000",
                "metadata": {"tier": "gold", "source": "shop"}}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = json_of(&created.body, "id").to_owned();
    assert!(id.starts_with("cus_"), "{id}");
    assert_eq!(created.body["object"], "customer");

    let changed = app
        .post(&format!("/v1/customers/{id}"), json!({"name": "", "description": "VIP", "metadata": {"tier": ""}}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        (&changed.body["name"], &changed.body["description"], &changed.body["metadata"]),
        (&json!(null), &json!("VIP"), &json!({"source": "shop"})),
        "cleared, set, merged: {}",
        changed.text
    );
    let unchanged = app.post(&format!("/v1/customers/{id}"), json!({"description": "VIP"})).await;
    assert_eq!(unchanged.status, 200);

    let other = app.post("/v1/customers", json!({"email": "grace@example.com"})).await.body;
    let found = app.get("/v1/customers?email=ada@example.COM").await;
    let ids: Vec<&str> = found.body["data"].as_array().unwrap().iter().map(|c| json_of(c, "id")).collect();
    assert_eq!(ids, [id.as_str()], "{}", found.text);
    let all = app.get("/v1/customers?limit=1").await;
    assert_eq!(all.body["data"][0]["id"], other["id"], "newest first");
    assert_eq!(all.body["has_more"], true, "{}", all.text);

    let deleted =
        app.request("DELETE", &format!("/v1/customers/{id}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!((deleted.status, &deleted.body["deleted"]), (200, &json!(true)), "{}", deleted.text);
    assert_eq!(app.get(&format!("/v1/customers/{id}")).await.status, 404);
    let gone = app.request("DELETE", &format!("/v1/customers/{id}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!(gone.status, 404);

    let events = app.get(&format!("/v1/events?related_object={id}")).await.body;
    let mut types: Vec<&str> = events["data"].as_array().unwrap().iter().map(|e| json_of(e, "type")).collect();
    types.sort();
    assert_eq!(types, ["customer.created", "customer.deleted", "customer.updated"], "one per change: {events}");
}

#[tokio::test]
async fn bad_customer_fields_are_named_and_another_merchant_s_customer_does_not_exist() {
    let app = spawn_app().await;
    let refused = app.post("/v1/customers", json!({"email": "not-an-address", "name": 5, "colour": "blue"})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let mut params = refused.error_params();
    params.sort();
    assert_eq!(params, ["colour", "email", "name"], "{}", refused.text);
    assert_eq!(app.get("/v1/customers").await.body["data"], json!([]), "nothing half-written");

    let mine = app.post("/v1/customers", json!({"name": "Mine"})).await.body;
    let other = app.create_merchant("Another shop").await;
    let path = format!("/v1/customers/{}", json_of(&mine, "id"));
    let theirs = app.request("GET", &path, None, Some(&other.secret_key), None).await;
    assert_eq!(theirs.status, 404, "{}", theirs.text);
}
