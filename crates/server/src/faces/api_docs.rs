//! `GET /docs`: the native API's reference in the browser, rendered on the server from the same
//! OpenAPI document `/v1/openapi.json` serves (so it cannot drift, and it works offline, with no
//! script): every operation by tag with its parameters, body and answers, and every schema.

use crate::faces::v1::{V1Error, openapi};
use crate::http::HttpState;
use crate::http::face::Face;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The reference pages.
pub struct ApiDocs;

impl Face for ApiDocs {
    type Error = V1Error;

    fn routes() -> Router<HttpState> {
        Router::new()
    }

    fn public_routes() -> Router<HttpState> {
        Router::new().route("/docs", get(page))
    }
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1d1d1f}\
code,pre{font:13px ui-monospace,monospace}h2{border-bottom:1px solid #ddd;margin-top:2rem}\
details{border:1px solid #e3e3e3;border-radius:6px;margin:.4rem 0;padding:.4rem .7rem}summary{cursor:pointer}\
.m{display:inline-block;min-width:4rem;font-weight:600;text-transform:uppercase}table{border-collapse:collapse;width:100%}\
td,th{border-top:1px solid #eee;padding:.25rem .4rem;text-align:left;vertical-align:top}nav a{margin-right:.8rem}";

async fn page() -> Response {
    static HTML: OnceLock<String> = OnceLock::new();
    let body = HTML.get_or_init(|| render(openapi::spec()).into_string());
    let mut r = (StatusCode::OK, body.clone()).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// `#/components/schemas/Refund` → `Refund`.
fn schema_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A schema in one line: a link to a named one, a type, a list of something.
fn type_of(schema: &Value) -> Markup {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = schema_name(r);
        return html! { a href={ "#schema-" (name) } { (name) } };
    }
    if let Some(any) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
        let named: Vec<&Value> = any.iter().filter(|s| s.get("type") != Some(&Value::from("null"))).collect();
        return html! { @for (i, s) in named.iter().enumerate() { @if i > 0 { " | " } (type_of(s)) } };
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => {
            kinds.iter().filter_map(Value::as_str).filter(|k| *k != "null").collect::<Vec<_>>().join(" | ")
        }
        Some(Value::String(k)) => k.clone(),
        _ => "object".to_owned(),
    };
    html! {
        @if kind == "array" { "list of " (type_of(schema.get("items").unwrap_or(&Value::Null))) }
        @else {
            (kind)
            @if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                " (" @for (i, v) in values.iter().enumerate() { @if i > 0 { ", " } code { (v.as_str().unwrap_or_default()) } } ")"
            }
            @if let (Some(min), Some(max)) = (schema.get("minimum"), schema.get("maximum")) { " " (min) "–" (max) }
        }
    }
}

fn operation(method: &str, path: &str, op: &Value) -> Markup {
    let params = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let body = op.pointer("/requestBody/content/application~1json/schema");
    let responses = op.get("responses").and_then(Value::as_object).cloned().unwrap_or_default();
    let anchor = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_owned();
    html! {
        details id=(anchor) {
            summary { span.m { (method) } code { (path) } " " (op.get("summary").and_then(Value::as_str).unwrap_or_default()) }
            @if let Some(d) = op.get("description").and_then(Value::as_str) { p { (d) } }
            @if !params.is_empty() {
                h4 { "Parameters" }
                table { @for p in &params { tr {
                    td { code { (p["name"].as_str().unwrap_or_default()) } }
                    td { (p["in"].as_str().unwrap_or_default()) @if p["required"] == true { ", required" } }
                    td { (type_of(p.get("schema").unwrap_or(&Value::Null))) }
                    td { (p.get("description").and_then(Value::as_str).unwrap_or_default()) }
                } } }
            }
            @if let Some(b) = body { h4 { "Body" } p { (type_of(b)) } }
            h4 { "Answers" }
            table { @for (status, r) in &responses { tr {
                td { code { (status) } }
                td { (r.get("description").and_then(Value::as_str).unwrap_or_default()) }
                td { @if let Some(s) = r.pointer("/content/application~1json/schema") { (type_of(s)) } }
            } } }
        }
    }
}

fn render(doc: &Value) -> Markup {
    let mut by_tag: BTreeMap<String, Vec<(String, String, Value)>> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("Other").to_owned();
            by_tag.entry(tag).or_default().push((method.clone(), path.clone(), op.clone()));
        }
    }
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " reference" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                p { (doc.pointer("/info/description").and_then(Value::as_str).unwrap_or_default()) }
                p { "Authenticate with " code { "Authorization: Bearer sk_test_…" } ". The machine-readable document: "
                    a href="/v1/openapi.json" { "/v1/openapi.json" } "." }
                nav { @for tag in by_tag.keys() { a href={ "#tag-" (tag.replace(' ', "-")) } { (tag) } } a href="#schemas" { "Schemas" } }
                @for (tag, ops) in &by_tag {
                    h2 id={ "tag-" (tag.replace(' ', "-")) } { (tag) }
                    @for (method, path, op) in ops { (operation(method, path, op)) }
                }
                h2 #schemas { "Schemas" }
                @for (name, schema) in &schemas {
                    details id={ "schema-" (name) } {
                        summary { code { (name) } }
                        @if let Some(d) = schema.get("description").and_then(Value::as_str) { p { (d) } }
                        @if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                            table { @for (field, s) in props { tr {
                                td { code { (field) } }
                                td { (type_of(s)) }
                                td { (s.get("description").and_then(Value::as_str).unwrap_or_default()) }
                            } } }
                        } @else { p { (type_of(schema)) } }
                    }
                }
            }
        }
    }
}
