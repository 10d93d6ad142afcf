//! For the merchant's developers: webhook endpoints (create, disable, enable, rotate the
//! secret, the delivery log, sending an event again) and API keys (create, shown once; revoke).

use super::view::{self, Section, badge, framed, when};
use super::{Dashboard, Desk, PageError, Posted, detached, local_path, new_idempotency_key, page, query, see_other};
use crate::app::{AppError, AttemptsTarget, EndpointChanges, ErrorKind, NewEndpointInput};
use crate::app::{Order, PageRequest, PageToken};
use crate::http::HttpState;
use crate::http::face::{Id, Segments};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kassa_domain::webhook::{Dialect, EnabledEvents, EndpointUrl, WebhookEndpoint};
use kassa_domain::{KeyKind, Metadata};
use maud::{Markup, html};

pub fn routes() -> Router<HttpState> {
    super::in_both_modes(vec![
        ("/webhooks", get(endpoints).post(create_endpoint)),
        ("/webhooks/{id}", get(endpoint)),
        ("/webhooks/{id}/{action}", post(change_endpoint)),
        ("/events/{id}/redeliver", post(redeliver)),
        ("/keys", get(keys).post(create_key)),
        ("/keys/{id}/revoke", get(confirm_revoke).post(revoke_key)),
    ])
}

fn endpoints_page(desk: &Desk, found: &[WebhookEndpoint], error: Option<&str>, url: &str, events: &str) -> Markup {
    let base = format!("{}/webhooks", desk.base());
    framed(
        desk,
        Section::Webhooks,
        "Webhooks",
        html! {
            h1 { "Webhooks" }
            (view::notice(None, error))
            @if found.is_empty() {
                p.empty { "No endpoints in this mode. Add one below; events are signed with its secret." }
            } @else {
                div.scroll {
                    table.list data-testid="endpoints" {
                        thead { tr { th scope="col" { "Endpoint" } th scope="col" { "Status" } th scope="col" { "Events" } th scope="col" { "Created" } } }
                        tbody { @for e in found { tr {
                            td { a href={ (base) "/" (e.id) } { (e.url.as_str()) } }
                            td { (badge(e.status.as_str())) }
                            td { (e.enabled_events.names().join(", ")) }
                            td { (when(e.created_at)) }
                        } } }
                    }
                }
            }
            h2 { "Add an endpoint" }
            form.card method="post" action=(base) {
                (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                div.field {
                    label for="url" { "URL" }
                    input #url type="url" name="url" required value=(url) placeholder="https://example.com/kassa/webhooks";
                }
                div.field {
                    label for="events" { "Events" }
                    input #events name="events" value=(events) aria-describedby="events-hint";
                    p.hint #events-hint { "* for every event, or types separated by commas (payment_intent.succeeded, refund.succeeded)." }
                }
                button.primary type="submit" { "Add endpoint" }
            }
        },
    )
}

/// `GET /dashboard/{mode}/webhooks`
async fn endpoints(State(s): State<HttpState>, desk: Desk) -> Response {
    let request = PageRequest { limit: 100, after: None, order: Order::NewestFirst };
    match s.app.list_webhook_endpoints(&desk.reader(), request).await {
        Ok(found) => page(StatusCode::OK, endpoints_page(&desk, &found.items, None, "", "*")),
        Err(e) => PageError(e).into_response(),
    }
}

/// `POST /dashboard/{mode}/webhooks`
async fn create_endpoint(State(s): State<HttpState>, uri: Uri, Posted { desk, form }: Posted) -> Response {
    let (url, events) = (form.text("url").to_owned(), form.text("events").to_owned());
    let names: Vec<String> = events.split(',').map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
    let mut problems = Vec::new();
    let parsed_url = EndpointUrl::parse(&url, desk.mode).map_err(|e| problems.push(format!("URL: {}", e.message))).ok();
    let parsed_events = EnabledEvents::parse(&names).map_err(|e| problems.push(format!("Events: {}", e.message))).ok();
    let (Some(url_ok), Some(events_ok)) = (parsed_url, parsed_events) else {
        return refused_endpoint(&s, &desk, &problems.join(" "), &url, &events).await;
    };
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let input = NewEndpointInput {
        url: url_ok,
        enabled_events: events_ok,
        description: None,
        metadata: Metadata::default(),
        face_notes: Default::default(),
        dialect: Dialect::native(),
    };
    match detached(async move { app.create_webhook_endpoint(&ctx, input).await }).await {
        Ok(Ok(created)) => see_other(&format!("{}/webhooks/{}?notice=created", desk.base(), created.id)),
        Ok(Err(e)) if matches!(e.kind, ErrorKind::Validation | ErrorKind::BadRequest) => {
            refused_endpoint(&s, &desk, &e.message, &url, &events).await
        }
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

/// The endpoints page again, with what was wrong and what was typed.
async fn refused_endpoint(s: &HttpState, desk: &Desk, problem: &str, url: &str, events: &str) -> Response {
    let request = PageRequest { limit: 100, after: None, order: Order::NewestFirst };
    match s.app.list_webhook_endpoints(&desk.reader(), request).await {
        Ok(found) => {
            page(StatusCode::UNPROCESSABLE_ENTITY, endpoints_page(desk, &found.items, Some(problem), url, events))
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// `GET /dashboard/{mode}/webhooks/{id}?page=`: the endpoint, its secret, its delivery log.
async fn endpoint(State(s): State<HttpState>, desk: Desk, Id(id, _): Id<Dashboard>, uri: Uri) -> Response {
    let q = query(&uri);
    let notice = match q.get("notice").map(String::as_str) {
        Some("created") => Some("Endpoint added. Its signing secret is below."),
        Some("disabled") => Some("Endpoint disabled: nothing is sent to it until it is enabled."),
        Some("enabled") => Some("Endpoint enabled; its pending deliveries resume."),
        Some("rotated") => Some("Secret rotated. The old one keeps signing alongside it for a while."),
        _ => None,
    };
    let ctx = desk.reader();
    let e = match s.app.get_webhook_endpoint(&ctx, &id).await {
        Ok(e) => e,
        Err(e) => return PageError(e).into_response(),
    };
    let after = q.get("page").and_then(|p| PageToken::parse(p).ok());
    let request = PageRequest { limit: 50, after, order: Order::NewestFirst };
    let attempts = match s.app.webhook_attempts(&ctx, AttemptsTarget::Endpoint(&id), request).await {
        Ok(a) => a,
        Err(e) => return PageError(e).into_response(),
    };
    let base = format!("{}/webhooks/{}", desk.base(), e.id);
    let enabled = e.status.as_str() == "enabled";
    let body = html! {
        p.crumbs { a href={ (desk.base()) "/webhooks" } { "← Webhooks" } }
        h1 { (e.url.as_str()) " " (badge(e.status.as_str())) }
        (view::notice(notice, None))
        div.columns {
            section {
                h2 { "Details" }
                dl.facts {
                    dt { "Id" } dd { code { (e.id) } }
                    dt { "Events" } dd { (e.enabled_events.names().join(", ")) }
                    @if let Some(reason) = &e.disabled_reason { dt { "Disabled because" } dd { (reason) } }
                    dt { "Created" } dd { (when(e.created_at)) }
                }
                details {
                    summary { "Signing secret" }
                    p { code data-testid="secret" { (e.secret) } }
                    @if let Some((_, until)) = &e.previous_secret { p.hint { "The previous secret also signs until " (when(*until)) "." } }
                }
            }
            section {
                h2 { "Actions" }
                form.inline method="post" action={ (base) "/" (if enabled { "disable" } else { "enable" }) } {
                    (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                    button.secondary type="submit" { @if enabled { "Disable" } @else { "Enable" } }
                }
                form.inline method="post" action={ (base) "/rotate" } {
                    (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                    button.secondary type="submit" { "Rotate secret" }
                }
            }
        }
        section {
            h2 { "Deliveries" }
            @if attempts.items.is_empty() {
                p.empty { "Nothing sent to this endpoint yet." }
            } @else {
                div.scroll {
                    table.list data-testid="attempts" {
                        thead { tr { th scope="col" { "Event" } th scope="col" { "Outcome" } th scope="col" { "Answer" } th scope="col" { "Time" } th scope="col" { "When" } th scope="col" { "" } } }
                        tbody { @for a in &attempts.items { tr {
                            td { code { (a.event_id) } " #" (a.attempt) }
                            td { @if a.succeeded { span.badge.ok { "Delivered" } } @else { span.badge.bad { "Failed" } } }
                            td {
                                @match (a.status_code, &a.error) {
                                    (Some(code), _) => { "HTTP " (code) }
                                    (None, Some(err)) => { (err) }
                                    (None, None) => { "no answer" }
                                }
                                @if let Some(body) = &a.response_body { @if !body.is_empty() { br; small.muted { (body) } } }
                            }
                            td { (a.latency_ms) " ms" }
                            td { (when(a.created_at)) }
                            td {
                                form.inline method="post" action={ (desk.base()) "/events/" (a.event_id) "/redeliver" } {
                                    (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                                    input type="hidden" name="endpoint" value=(e.id);
                                    input type="hidden" name="back" value=(base);
                                    button.link type="submit" { "Send again" }
                                }
                            }
                        } } }
                    }
                }
                (view::pager(&base, &[], attempts.next.map(|c| c.encode())))
            }
        }
    };
    page(StatusCode::OK, framed(&desk, Section::Webhooks, e.url.as_str(), body))
}

/// `POST /dashboard/{mode}/webhooks/{id}/{disable|enable|rotate}`
async fn change_endpoint(
    State(s): State<HttpState>,
    Segments((id, action), _): Segments<Dashboard, (String, String)>,
    uri: Uri,
    Posted { desk, form }: Posted,
) -> Response {
    let ctx = desk.actor(uri.path(), &form);
    let (app, endpoint) = (s.app.clone(), id.clone());
    let notice = match action.as_str() {
        "disable" => "disabled",
        "enable" => "enabled",
        "rotate" => "rotated",
        _ => return PageError(AppError::not_found("page", uri.path())).into_response(),
    };
    let done = detached(async move {
        match notice {
            "rotated" => app.rotate_webhook_secret(&ctx, &endpoint, None).await,
            _ => {
                let changes = EndpointChanges { active: Some(notice == "enabled"), ..EndpointChanges::default() };
                app.update_webhook_endpoint(&ctx, &endpoint, changes).await
            }
        }
    })
    .await;
    match done {
        Ok(Ok(_)) => see_other(&format!("{}/webhooks/{id}?notice={notice}", desk.base())),
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

/// `POST /dashboard/{mode}/events/{id}/redeliver`: queues the event again for every endpoint
/// subscribed to it (or the one named), then back to the page it came from.
async fn redeliver(
    State(s): State<HttpState>,
    Id(id, _): Id<Dashboard>,
    uri: Uri,
    Posted { desk, form }: Posted,
) -> Response {
    let back = local_path(form.text("back")).unwrap_or("/dashboard/test/payments").to_owned();
    let endpoint = Some(form.text("endpoint").to_owned()).filter(|e| !e.is_empty());
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    match detached(async move { app.redeliver_event(&ctx, &id, endpoint.as_deref()).await }).await {
        Ok(Ok(_)) => see_other(&format!("{back}?notice=redelivered")),
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

fn keys_page(desk: &Desk, s: &[kassa_domain::merchant::ApiKey], created: Option<(&str, &str)>) -> Markup {
    let base = format!("{}/keys", desk.base());
    framed(
        desk,
        Section::Keys,
        "API keys",
        html! {
            h1 { "API keys" }
            @if let Some((id, key)) = created {
                div.secret role="status" data-testid="new-key" {
                    p { strong { "Key " code { (id) } " created." } " Copy it now: it is shown only this once." }
                    p { code.key { (key) } }
                }
            }
            div.scroll {
                table.list data-testid="keys" {
                    thead { tr { th scope="col" { "Key" } th scope="col" { "Kind" } th scope="col" { "Status" } th scope="col" { "Created" } th scope="col" { "" } } }
                    tbody { @for k in s { tr {
                        td { code { (k.kind.prefix()) "_" (k.mode.as_str()) "_…" (k.last4) } br; small.muted { (k.id) } }
                        td { (k.kind.as_str()) }
                        td { @if k.revoked_at.is_some() { (badge("revoked")) } @else { (badge("active")) } }
                        td { (when(k.created_at)) }
                        td { @if k.revoked_at.is_none() { a href={ (base) "/" (k.id) "/revoke" } { "Revoke…" } } }
                    } } }
                }
            }
            h2 { "Create a key" }
            form.card method="post" action=(base) {
                (view::form_fields(&desk.signed, None))
                div.field {
                    label for="kind" { "Kind" }
                    select #kind name="kind" {
                        option value="secret" { "Secret (server side)" }
                        option value="publishable" { "Publishable (browsers)" }
                    }
                }
                button.primary type="submit" { "Create " (desk.mode.as_str()) " key" }
            }
        },
    )
}

async fn mode_keys(s: &HttpState, desk: &Desk) -> Result<Vec<kassa_domain::merchant::ApiKey>, AppError> {
    let all = s.app.list_api_keys(desk.signed.user.merchant_id.as_str()).await?;
    Ok(all.into_iter().filter(|k| k.mode == desk.mode).rev().collect())
}

/// `GET /dashboard/{mode}/keys`
async fn keys(State(s): State<HttpState>, desk: Desk) -> Response {
    match mode_keys(&s, &desk).await {
        Ok(found) => page(StatusCode::OK, keys_page(&desk, &found, None)),
        Err(e) => PageError(e).into_response(),
    }
}

/// `POST /dashboard/{mode}/keys`: the new key is on the answer and nowhere else, ever.
async fn create_key(State(s): State<HttpState>, Posted { desk, form }: Posted) -> Response {
    let kind = if form.text("kind") == "publishable" { KeyKind::Publishable } else { KeyKind::Secret };
    let created = match s.app.create_api_key(desk.signed.user.merchant_id.as_str(), kind, desk.mode).await {
        Ok(c) => c,
        Err(e) => return PageError(e).into_response(),
    };
    match mode_keys(&s, &desk).await {
        Ok(found) => page(
            StatusCode::CREATED,
            keys_page(&desk, &found, Some((created.record.id.as_str(), created.key.as_str()))),
        ),
        Err(e) => PageError(e).into_response(),
    }
}

/// The key `id` if it is one of this merchant's keys in this mode.
async fn own_key(s: &HttpState, desk: &Desk, id: &str) -> Result<kassa_domain::merchant::ApiKey, AppError> {
    mode_keys(s, desk)
        .await?
        .into_iter()
        .find(|k| k.id.as_str() == id)
        .ok_or_else(|| AppError::not_found("api_key", id))
}

/// `GET /dashboard/{mode}/keys/{id}/revoke`: the confirmation.
async fn confirm_revoke(State(s): State<HttpState>, desk: Desk, Id(id, _): Id<Dashboard>) -> Response {
    let key = match own_key(&s, &desk, &id).await {
        Ok(k) => k,
        Err(e) => return PageError(e).into_response(),
    };
    let base = format!("{}/keys", desk.base());
    let body = html! {
        p.crumbs { a href=(base) { "← API keys" } }
        h1 { "Please confirm" }
        section.confirm {
            p.question { "Revoke " code { (key.kind.prefix()) "_" (key.mode.as_str()) "_…" (key.last4) } "? Requests with it are refused at once here, and within 2 seconds on every other node." }
            form method="post" action={ (base) "/" (key.id) "/revoke" } {
                (view::form_fields(&desk.signed, None))
                div.buttons {
                    button.danger type="submit" data-testid="confirm" { "Yes, revoke" }
                    a.button href=(base) { "No, go back" }
                }
            }
        }
    };
    page(StatusCode::OK, framed(&desk, Section::Keys, "Revoke key", body))
}

/// `POST /dashboard/{mode}/keys/{id}/revoke`
async fn revoke_key(State(s): State<HttpState>, Id(id, _): Id<Dashboard>, Posted { desk, .. }: Posted) -> Response {
    let revoked = match own_key(&s, &desk, &id).await {
        Ok(key) if key.revoked_at.is_some() => Ok(()),
        Ok(key) => s.app.revoke_api_key(key.id.as_str()).await,
        Err(e) => Err(e),
    };
    match revoked {
        Ok(()) => see_other(&format!("{}/keys", desk.base())),
        Err(e) => PageError(e).into_response(),
    }
}
