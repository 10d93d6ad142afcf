//! The parsers' bounds, said in the OpenAPI document: the same constants the handlers parse
//! with, so a request the document calls valid is one the server accepts, unless a rule no
//! schema can say refuses it (a card number's check digit, a date in the future, fields that
//! must agree, the object's state). `.ci/schemathesis` holds the document to that.

use super::payment_intents::{MAX_CUSTOMER, MAX_DESCRIPTION};
use crate::app::MAX_CREDENTIAL_CHARS;
use crate::app::PageToken;
use crate::connector::simulator::TEST_PAYMENT_METHODS;
use kassa_domain::catalog;
use kassa_domain::checkout::{MAX_LINE_ITEMS, MAX_QUANTITY, SessionStatus};
use kassa_domain::connector::MAX_URL_LEN as CONNECTOR_URL_LEN;
use kassa_domain::id::ID_LEN;
use kassa_domain::metadata::{MAX_KEY_CHARS, MAX_KEYS, MAX_VALUE_CHARS};
use kassa_domain::money::MAX_AMOUNT;
use kassa_domain::payment_intent::Status as PaymentIntentStatus;
use kassa_domain::token::TokenStatus;
use kassa_domain::webhook::MAX_URL_LEN;
use kassa_domain::{EventType, Reference};
use serde_json::{Map, Value, json};

/// Text without control characters (tab and line breaks aside): what every string field takes.
const TEXT: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
/// An email address (a customer's; blank clears it): something, `@`, something, trimmed.
const EMAIL: &str = "^(?=[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$)(\\s*|\\s*[^@\\s][^@]*@[\\s\\S]*\\S[\\s\\S]*)$";
/// Text with something in it.
const NAME: &str = "^(?=[\\s\\S]*\\S)[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
/// Unix seconds that fit the server's microsecond clock.
const MAX_SECONDS: i64 = i64::MAX / 1_000_000;
/// Latest timestamp a coupon or promotion code may name (year 3000).
const MAX_EXPIRY: i64 = 32_503_680_000;
/// Longest grace for a rotated webhook secret, or life of a checkout session (a week).
const WEEK: i64 = 7 * 24 * 3600;

fn amount() -> Value {
    json!({"minimum": 1, "maximum": MAX_AMOUNT})
}

fn text(max: usize) -> Value {
    json!({"maxLength": max, "pattern": TEXT})
}

fn id(prefix: &str) -> Value {
    json!({"pattern": format!("^{prefix}_[0-9A-Za-z]{{{ID_LEN}}}$")})
}

fn reference() -> Value {
    json!({"pattern": format!("^[A-Za-z0-9._-]{{1,{}}}$", Reference::MAX_LEN)})
}

fn event_types() -> Vec<&'static str> {
    EventType::ALL.iter().map(|t| t.as_str()).collect()
}

/// Bounds of request body properties, by schema and property.
fn property_bounds(schema: &str, property: &str) -> Option<Value> {
    let bound = match (schema, property) {
        ("CreatePaymentIntent", "amount") => amount(),
        (_, "customer") => text(MAX_CUSTOMER),
        ("CreatePaymentIntent" | "UpdatePaymentIntent" | "CapturePaymentIntent", "description") => {
            text(MAX_DESCRIPTION)
        }
        ("CreateWebhookEndpoint" | "UpdateWebhookEndpoint", "description") => text(1000),
        (_, "statement_descriptor") => {
            json!({"pattern": "^(?=.*[A-Za-z])[^<>\\\\'\"*\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]{1,22}$"})
        }
        (_, "reference") if schema != "LineItem" => reference(),
        ("CreatePaymentIntent" | "ConfirmPaymentIntent", "payment_method") => {
            let names: Vec<&str> = TEST_PAYMENT_METHODS.iter().map(|(name, _)| *name).collect();
            json!({"enum": names})
        }
        ("CreatePaymentIntent", "token") => id("tok"),
        ("CapturePaymentIntent", "amount_to_capture") | ("CreateRefund", "amount") => amount(),
        ("CreateRefund", "payment_intent") => id("pi"),
        ("CreateRefund", "capture") => id("cap"),
        ("CardData", "number") => json!({"pattern": "^[0-9]{12,19}$"}),
        ("CardData", "cvc") => json!({"pattern": "^[0-9]{3,4}$"}),
        ("CardData", "exp_month") => json!({"minimum": 1, "maximum": 12}),
        ("CardData", "exp_year") => json!({"minimum": 0, "maximum": 9999}),
        ("PaymentMethodData", "type") => json!({"enum": ["card"]}),
        ("CreateCustomer" | "UpdateCustomer", "email") => json!({"maxLength": 254, "pattern": EMAIL}),
        ("CreateCustomer" | "UpdateCustomer", "name") => text(kassa_domain::customer::MAX_NAME),
        ("CreateCustomer" | "UpdateCustomer", "phone") => text(kassa_domain::customer::MAX_PHONE),
        ("CreateCustomer" | "UpdateCustomer", "description") => text(kassa_domain::customer::MAX_DESCRIPTION),
        ("CreateProduct" | "UpdateProduct", "name") => json!({"maxLength": catalog::MAX_NAME, "pattern": NAME}),
        ("CreateProduct" | "UpdateProduct", "description") => text(catalog::MAX_DESCRIPTION),
        ("CreatePrice", "product") => id("prod"),
        ("CreatePrice", "unit_amount") => json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ("CreatePrice" | "UpdatePrice", "nickname" | "lookup_key") => text(catalog::MAX_KEY),
        ("CreateCoupon" | "UpdateCoupon", "name") => text(100),
        ("CreateCoupon", "amount_off") => amount(),
        ("CreateCoupon", "percent_off") => json!({"minimum": 1, "maximum": 100}),
        ("CreateCoupon" | "CreatePromotionCode", "max_redemptions") => {
            json!({"minimum": 1, "maximum": u32::MAX})
        }
        ("CreateCoupon" | "CreatePromotionCode", "expires_at") => json!({"minimum": 0, "maximum": MAX_EXPIRY}),
        ("CreatePromotionCode", "code") => json!({"pattern": "^[A-Za-z0-9_-]{3,40}$"}),
        ("CreatePromotionCode", "coupon") => id("co"),
        ("PromotionRestrictions", "minimum_amount") => amount(),
        ("CreateWebhookEndpoint" | "UpdateWebhookEndpoint", "url") => json!({"maxLength": MAX_URL_LEN}),
        ("CreateWebhookEndpoint" | "UpdateWebhookEndpoint", "enabled_events") => {
            let mut names = event_types();
            names.push("*");
            json!({"minItems": 1, "uniqueItems": true, "items": {"type": "string", "enum": names}})
        }
        ("CreateConnector", "type") => json!({"enum": kassa_connectors::providers().names()}),
        ("CreateConnector" | "UpdateConnector", "credentials") => json!({"additionalProperties": {"type": "string",
            "maxLength": MAX_CREDENTIAL_CHARS, "pattern": "^(?=.*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$"}}),
        ("CreateConnector" | "UpdateConnector", "base_url") => {
            json!({"maxLength": CONNECTOR_URL_LEN, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/\\s]+[^\\s]*$"})
        }
        ("CreateConnector" | "UpdateConnector", "description") => text(1000),
        ("RotateWebhookSecret", "expires_in") => json!({"minimum": 0, "maximum": WEEK}),
        ("RedeliverEvent", "endpoint") => id("we"),
        ("CreateCheckoutSession", "amount_total") => amount(),
        ("CreateCheckoutSession", "expires_in") => json!({"minimum": 1, "maximum": WEEK}),
        ("CreateCheckoutSession", "line_items") => json!({"maxItems": MAX_LINE_ITEMS}),
        ("CreateCheckoutSession", "mode") => json!({"enum": ["payment", "setup", null]}),
        ("CreateCheckoutSession", "locale") => json!({"pattern": "^(en|ar|ja|nb|no|nn)([-_][A-Za-z0-9]{1,8})*$"}),
        ("CreateCheckoutSession", "promotion_code") => text(40),
        ("CreateCheckoutSession", "order_reference" | "order_number") => text(100),
        ("CreateCheckoutSession", "shipping_amount" | "tax_amount") => json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        ("LineItem", "name") => text(200),
        ("LineItem", "description") => text(1000),
        ("LineItem", "reference") => text(100),
        ("LineItem", "quantity") => json!({"minimum": 1, "maximum": MAX_QUANTITY}),
        ("LineItem", "unit_amount" | "discount_amount" | "tax_amount") => json!({"minimum": 0, "maximum": MAX_AMOUNT}),
        _ => return None,
    };
    Some(bound)
}

/// Bounds of query parameters, by name (and, for `expand[]`, by what the operation expands:
/// a list its items' intents, anything else its own).
fn query_bounds(method: &str, path: &str, name: &str) -> Option<Value> {
    let bound = match name {
        "page_token" => json!({"type": "string", "pattern": PageToken::PATTERN}),
        "created[gte]" | "created[gt]" | "created[lte]" | "created[lt]" => json!({"anyOf": [
            {"type": "integer", "minimum": -MAX_SECONDS, "maximum": MAX_SECONDS},
            {"type": "string", "format": "date-time"}]}),
        "reference" => {
            let mut r = reference();
            r["type"] = json!("string");
            r
        }
        "coupon" => {
            let mut r = id("co");
            r["type"] = json!("string");
            r
        }
        "status" => {
            let names: Vec<&str> = if path.ends_with("/payment_intents") {
                PaymentIntentStatus::ALL.iter().map(|s| s.as_str()).collect()
            } else if path.ends_with("/tokens") {
                TokenStatus::ALL.iter().filter(|s| **s != TokenStatus::Deleted).map(|s| s.as_str()).collect()
            } else {
                SessionStatus::ALL.iter().map(|s| s.as_str()).collect()
            };
            json!({"type": "string", "enum": names})
        }
        "type" => {
            let mut names = event_types();
            let families: Vec<String> = EventType::ALL
                .iter()
                .filter_map(|t| t.as_str().split_once('.').map(|(family, _)| format!("{family}.*")))
                .collect();
            names.extend(families.iter().map(String::as_str));
            names.sort_unstable();
            names.dedup();
            json!({"type": "string", "enum": names})
        }
        "expand[]" => {
            let allowed = if method == "get" && !path.contains('{') { "data.payment_intent" } else { "payment_intent" };
            json!({"type": "array", "items": {"type": "string", "enum": [allowed]}})
        }
        "lookup_keys[]" => json!({"type": "array", "items": {"type": "string", "pattern": TEXT}}),
        "code" | "customer" | "customer_email" | "related_object" | "payment_intent" | "email" | "product" => {
            json!({"type": "string", "pattern": TEXT})
        }
        _ => return None,
    };
    Some(bound)
}

/// The metadata map: at most so many keys of so many characters, values of at most so many.
fn metadata() -> Value {
    json!({"type": "object", "maxProperties": MAX_KEYS,
        "propertyNames": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_CHARS, "pattern": TEXT},
        "additionalProperties": {"type": "string", "maxLength": MAX_VALUE_CHARS, "pattern": TEXT}})
}

/// Writes every bound into `doc`: request bodies (closed objects, bounded fields, text without
/// control characters) and query parameters.
pub(super) fn constrain(doc: &mut Value) {
    let mut bodies = Vec::new();
    for item in doc["paths"].as_object().into_iter().flat_map(Map::values) {
        for op in item.as_object().into_iter().flat_map(Map::values) {
            if let Some(r) = op.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str) {
                bodies.push(r.trim_start_matches("#/components/schemas/").to_owned());
            }
        }
    }
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut).expect("schemas");
    schemas.insert("BTreeMap".to_owned(), metadata());
    // A body with nothing required may be left out altogether (an update that changes nothing).
    let optional: std::collections::BTreeSet<String> = bodies
        .iter()
        .filter(|name| schemas.get(*name).is_some_and(|s| s.get("required").is_none_or(|r| r == &json!([]))))
        .cloned()
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = bodies.pop() {
        if !seen.insert(name.clone()) || name == "BTreeMap" {
            continue;
        }
        let Some(schema) = schemas.get_mut(&name) else { continue };
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { continue };
        for (property, value) in properties.iter_mut() {
            bodies.extend(refs_in(value));
            constrain_property(&name, property, value);
        }
        schema["additionalProperties"] = Value::Bool(false);
    }
    let paths = doc.get_mut("paths").and_then(Value::as_object_mut).expect("paths");
    for (path, item) in paths.iter_mut() {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let body = op.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str);
            if body.is_some_and(|r| optional.contains(r.trim_start_matches("#/components/schemas/"))) {
                op["requestBody"]["required"] = Value::Bool(false);
            }
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                let Some(name) = p["name"].as_str().map(str::to_owned) else { continue };
                if p["in"] != "query" {
                    continue;
                }
                if let Some(bound) = query_bounds(method, path, &name) {
                    p["schema"] = bound;
                }
                if path.ends_with("/simulator/operations") && name == "payment_intent" {
                    p["required"] = Value::Bool(true);
                }
            }
        }
    }
}

/// Components a property refers to (directly, as array items, or in a `oneOf` with null).
fn refs_in(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            found.push(r.trim_start_matches("#/components/schemas/").to_owned());
        }
        stack.extend(v.get("items"));
        stack.extend(v.get("oneOf").and_then(Value::as_array).into_iter().flatten());
    }
    found
}

/// Merges the bounds of one property into its schema; plain text gets the text pattern.
fn constrain_property(schema: &str, property: &str, value: &mut Value) {
    let is_string =
        |v: &Value| v["type"] == "string" || v["type"].as_array().is_some_and(|t| t.contains(&json!("string")));
    match property_bounds(schema, property) {
        Some(Value::Object(bounds)) => {
            let target = if value.get("oneOf").is_some() { None } else { value.as_object_mut() };
            if let Some(target) = target {
                target.extend(bounds);
            }
        }
        _ if is_string(value) && value.get("enum").is_none() && value.get("format").is_none() => {
            value["pattern"] = json!(TEXT);
        }
        _ => {}
    }
}
