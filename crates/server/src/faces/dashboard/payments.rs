//! Payments: the list with search and filters, a payment's page with its timeline (events,
//! captures, refunds, webhook deliveries and their answers), and capture, cancel and refund,
//! each confirmed on a page of its own and run through the same app commands as the API.

use super::view::{self, Section, badge, framed, money, when};
use super::{Dashboard, Desk, Form, PageError, Posted, detached, new_idempotency_key, page, query, see_other};
use crate::app::{AppError, AttemptsTarget, ErrorKind, Event, NewRefundInput, PaymentIntentFilter, ProviderNotice};
use crate::app::{Order, PageRequest, PageToken, PaymentSearch, TimeRange};
use crate::faces::major_units::{self, Refusal};
use crate::http::HttpState;
use crate::http::face::{Id, Segments};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kassa_domain::capture::CaptureNotes;
use kassa_domain::payment_intent::{PaymentIntent, Status};
use kassa_domain::refund::RefundReason;
use kassa_domain::{Amount, Currency, PaymentIntentId, Timestamp};
use maud::{Markup, html};
use std::collections::BTreeMap;

pub fn routes() -> Router<HttpState> {
    super::in_both_modes(vec![
        ("/payments", get(list)),
        ("/payments/{id}", get(show)),
        ("/payments/{id}/{action}", get(confirm).post(act)),
    ])
}

const PAGE_SIZE: u32 = 25;

/// What a search box's text may mean as an amount: the number as minor units, and as major
/// units of a currency with 2 or 3 decimals (`25.99` → 2599 or 25990; `25` → 25, 2500, 25000).
fn amounts_meant(text: &str) -> Vec<i64> {
    let mut found = Vec::new();
    if let Ok(minor) = text.parse::<i64>()
        && minor > 0
    {
        found.push(minor);
    }
    for code in ["USD", "KWD"] {
        if let Ok(currency) = Currency::parse(code)
            && let Ok(minor) = major_units::to_minor(text, currency)
            && minor > 0
            && !found.contains(&minor)
        {
            found.push(minor);
        }
    }
    found
}

/// Midnight UTC of a `YYYY-MM-DD` date, in µs.
fn day_start(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, format).ok()?;
    i64::try_from(day.midnight().assume_utc().unix_timestamp_nanos() / 1000).ok()
}

/// `GET /dashboard/{mode}/payments?q=&status=&from=&to=&page=`
async fn list(State(s): State<HttpState>, desk: Desk, uri: Uri) -> Response {
    let q = query(&uri);
    let field = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (text, status, from, to) = (field("q"), field("status"), field("from"), field("to"));
    let ctx = desk.reader();
    // An exact id goes straight to its payment.
    if PaymentIntentId::parse(&text).is_some() && s.app.get_payment_intent(&ctx, &text).await.is_ok() {
        return see_other(&format!("{}/payments/{text}", desk.base()));
    }
    let mut problems = Vec::new();
    let status_filter = match status.as_str() {
        "" => None,
        raw => Status::parse(raw).map_err(|_| problems.push("Pick a status from the list.")).ok(),
    };
    let mut created = TimeRange::default();
    if !from.is_empty() {
        created.gte = day_start(&from).or_else(|| {
            problems.push("“From” must be a date.");
            None
        });
    }
    if !to.is_empty() {
        created.lt = day_start(&to).map(|t| t + 86_400_000_000).or_else(|| {
            problems.push("“To” must be a date.");
            None
        });
    }
    let after = match q.get("page").map(|p| PageToken::parse(p)) {
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => {
            problems.push("That page link is not valid any more; showing the first page.");
            None
        }
        None => None,
    };
    let search = (!text.is_empty()).then(|| PaymentSearch { amounts: amounts_meant(&text), text: text.clone() });
    let filter = PaymentIntentFilter { status: status_filter, reference: None, created, search };
    let request = PageRequest { limit: PAGE_SIZE, after, order: Order::NewestFirst };
    let found = match s.app.list_payment_intents(&ctx, &filter, request).await {
        Ok(p) => p,
        Err(e) => return PageError(e).into_response(),
    };
    let base = format!("{}/payments", desk.base());
    let error = (!problems.is_empty()).then(|| problems.join(" "));
    let searching = !(text.is_empty() && status.is_empty() && from.is_empty() && to.is_empty());
    let body = html! {
        h1 { "Payments" }
        (view::notice(None, error.as_deref()))
        form.filters method="get" action=(base) role="search" {
            div.field.grow {
                label for="q" { "Search" }
                input #q type="search" name="q" value=(text) placeholder="id, reference, customer, description or amount";
            }
            div.field {
                label for="status" { "Status" }
                select #status name="status" {
                    option value="" { "Any" }
                    @for st in Status::ALL {
                        option value=(st.as_str()) selected[st.as_str() == status] { (st.as_str().replace('_', " ")) }
                    }
                }
            }
            div.field { label for="from" { "From" } input #from type="date" name="from" value=(from); }
            div.field { label for="to" { "To" } input #to type="date" name="to" value=(to); }
            div.field.actions {
                button.primary type="submit" { "Search" }
                @if searching { a href=(base) { "Clear" } }
            }
        }
        @if found.items.is_empty() {
            p.empty data-testid="no-payments" {
                @if searching { "No payment matches." } @else { "No payments in this mode yet." }
            }
        } @else {
            div.scroll {
                table.list data-testid="payments" {
                    caption.visually-hidden { "Payments, newest first" }
                    thead { tr { th scope="col" { "Amount" } th scope="col" { "Status" } th scope="col" { "Payment" } th scope="col" { "Reference" } th scope="col" { "Customer" } th scope="col" { "Card" } th scope="col" { "Created" } } }
                    tbody {
                        @for pi in &found.items {
                            tr {
                                td.amount { (money(pi.amount.get(), pi.currency)) }
                                td { (badge(pi.status.as_str())) }
                                td { a href={ (base) "/" (pi.id) } { code { (pi.id) } } }
                                td { @if let Some(r) = &pi.reference { (r.as_str()) } }
                                td { @if let Some(c) = &pi.customer { (c) } }
                                td { (card(pi)) }
                                td { time { (when(pi.created_at)) } }
                            }
                        }
                    }
                }
            }
        }
        (view::pager(&base, &[("q", &text), ("status", &status), ("from", &from), ("to", &to)], found.next.map(|c| c.encode())))
    };
    page(StatusCode::OK, framed(&desk, Section::Payments, "Payments", body))
}

fn card(pi: &PaymentIntent) -> Markup {
    html! {
        @if let Some(pm) = &pi.payment_method {
            span.card { (pm.card.brand.as_str()) " •••• " (pm.card.last4) }
        }
    }
}

/// What the page says after an action (fixed texts: nothing from the URL is shown).
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "captured" => "Captured.",
        "canceled" => "Canceled.",
        "refunded" => "Refund created.",
        "redelivered" => "The event was queued for delivery again.",
        _ => return None,
    })
}

/// `GET /dashboard/{mode}/payments/{id}`
async fn show(State(s): State<HttpState>, desk: Desk, Id(id, _): Id<Dashboard>, uri: Uri) -> Response {
    let notice = query(&uri).get("notice").and_then(|c| notice_text(c));
    detail(&s, &desk, &id, notice, None, StatusCode::OK).await
}

/// A payment's page, with a notice or an error on top.
async fn detail(
    s: &HttpState,
    desk: &Desk,
    id: &str,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    match payment_page(s, desk, id, notice, error).await {
        Ok(markup) => page(status, markup),
        Err(e) => PageError(e).into_response(),
    }
}

async fn payment_page(
    s: &HttpState,
    desk: &Desk,
    id: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Markup, AppError> {
    let ctx = desk.reader();
    let pi = s.app.get_payment_intent(&ctx, id).await?;
    let captures = s.app.all_captures_of(&ctx, id).await?;
    let refunds = s.app.all_refunds_of(&ctx, &pi.id).await?;
    let events = s.app.all_payment_intent_events(&ctx, id).await?;
    let mut deliveries = Vec::with_capacity(events.len());
    for event in &events {
        let newest = PageRequest::first(20, Order::NewestFirst);
        let mut attempts = s.app.webhook_attempts(&ctx, AttemptsTarget::Event(event.id.as_str()), newest).await?.items;
        attempts.reverse();
        deliveries.push(attempts);
    }
    let notices = s.app.provider_notices(&ctx, id).await?;
    let timeline = timeline_order(&events, &notices);
    let base = format!("{}/payments/{}", desk.base(), pi.id);
    let c = pi.currency;
    let receipt = s.app.receipt_url(&pi);
    let provider = s.app.provider_display_name(&pi);
    let adjustable = s.app.connector_can(&pi, crate::connector::providers::Operation::Capture);
    let capturable = if adjustable { pi.amount_capturable().get() } else { 0 };
    let refundable = if adjustable { pi.amount_refundable().get() } else { 0 };
    let cancelable = adjustable
        && matches!(
            pi.status,
            Status::RequiresPaymentMethod
                | Status::RequiresConfirmation
                | Status::RequiresAction
                | Status::RequiresCapture
                | Status::Failed
        );
    let body = html! {
        p.crumbs { a href={ (desk.base()) "/payments" } { "← Payments" } }
        header.object {
            h1 { span.amount data-testid="amount" { (money(pi.amount.get(), c)) } " " (badge(pi.status.as_str())) }
            p.id { code data-testid="payment-id" { (pi.id) } }
        }
        (view::notice(notice, error))
        div.columns {
            section aria-labelledby="facts-h" {
                h2 #facts-h { "Details" }
                dl.facts {
                    dt { "Created" } dd { (when(pi.created_at)) }
                    dt { "Authorized" } dd { (money(pi.amount_authorized.get(), c)) }
                    dt { "Captured" } dd data-testid="captured" { (money(pi.amount_captured.get(), c)) }
                    dt { "Refunded" } dd data-testid="refunded" { (money(pi.amount_refunded.get(), c)) }
                    @if pi.amount_refund_pending.get() > 0 { dt { "Refund pending" } dd { (money(pi.amount_refund_pending.get(), c)) } }
                    @if pi.amount_canceled.get() > 0 { dt { "Released" } dd { (money(pi.amount_canceled.get(), c)) } }
                    dt { "Capture" } dd { (pi.capture_method.as_str()) }
                    @if let Some(pm) = &pi.payment_method {
                        dt { "Card" } dd data-testid="card" { (pm.card.brand.as_str()) " •••• " (pm.card.last4) " (expires " (pm.card.exp_month) "/" (pm.card.exp_year) ")" }
                    }
                    @if let (Some(through), Some(name)) = (&pi.connector, provider) {
                        dt { "Paid through" } dd data-testid="connector" { (name) " · " code { (through.connector_id) } }
                        @if let Some(r) = &through.reference { dt { "At " (name) } dd data-testid="provider-reference" { code { (r) } } }
                        @if let Some(url) = &through.redirect_url { dt { "Customer approves at" } dd { a href=(url) { (url) } } }
                    }
                    @if let Some(r) = &pi.reference { dt { "Reference" } dd { (r.as_str()) } }
                    @if let Some(cu) = &pi.customer { dt { "Customer" } dd { (cu) } }
                    @if let Some(d) = &pi.description { dt { "Description" } dd { (d) } }
                    @if let Some(f) = &pi.last_error { dt { "Last failure" } dd { (f.message) " (" (f.code) ")" } }
                    @if let Some(url) = &receipt { dt { "Receipt" } dd { a href=(url) data-testid="receipt-link" { "Customer receipt" } } }
                    @for (k, v) in pi.metadata.entries() { dt { "metadata." (k) } dd { (v) } }
                }
            }
            section aria-labelledby="actions-h" {
                h2 #actions-h { "Actions" }
                @if capturable > 0 && pi.status == Status::RequiresCapture {
                    (amount_form(&base, "capture", "Capture", capturable, c, "The rest of the authorization is released."))
                }
                @if refundable > 0 {
                    (amount_form(&base, "refund", "Refund", refundable, c, "Up to the amount captured and not yet refunded."))
                }
                @if cancelable {
                    form method="get" action={ (base) "/cancel" } {
                        button.danger type="submit" { "Cancel payment…" }
                    }
                }
                @if capturable == 0 && refundable == 0 && !cancelable {
                    p.hint { "Nothing to do for a payment that is " (pi.status.as_str().replace('_', " ")) "." }
                }
                @if let (false, Some(name)) = (adjustable, provider) {
                    p.hint data-testid="provider-only" { (name) " captures, refunds and cancels this payment itself: its API takes no such request from Kassa." }
                }
            }
        }
        @if !captures.is_empty() {
            section aria-labelledby="captures-h" {
                h2 #captures-h { "Captures" }
                div.scroll {
                    table.list {
                        thead { tr { th scope="col" { "Capture" } th scope="col" { "Amount" } th scope="col" { "Status" } th scope="col" { "Refunded" } th scope="col" { "Created" } } }
                        tbody { @for cap in &captures { tr {
                            td { code { (cap.id) } } td.amount { (money(cap.amount.get(), c)) } td { (badge(cap.status.as_str())) }
                            td.amount { (money(cap.amount_refunded.get(), c)) } td { (when(cap.created_at)) }
                        } } }
                    }
                }
            }
        }
        @if !refunds.is_empty() {
            section aria-labelledby="refunds-h" {
                h2 #refunds-h { "Refunds" }
                div.scroll {
                    table.list data-testid="refunds" {
                        thead { tr { th scope="col" { "Refund" } th scope="col" { "Amount" } th scope="col" { "Status" } th scope="col" { "Reason" } th scope="col" { "Created" } } }
                        tbody { @for r in &refunds { tr {
                            td { code { (r.id) } } td.amount { (money(r.amount.get(), c)) } td { (badge(r.status.as_str())) }
                            td { @if let Some(reason) = r.reason { (reason.as_str().replace('_', " ")) } } td { (when(r.created_at)) }
                        } } }
                    }
                }
            }
        }
        section aria-labelledby="timeline-h" {
            h2 #timeline-h { "Timeline" }
            ol.timeline data-testid="timeline" {
                @for entry in &timeline { @match *entry {
                  Entry::Notice(i) => {
                    @let n = &notices[i];
                    li data-testid="provider-notice" {
                        div.event {
                            strong { "Notification from " (n.provider) }
                            " " time { (when(n.received_at)) }
                            " · " span.muted { (n.outcome) }
                        }
                    }
                  }
                  Entry::Event(i) => {
                    @let (event, attempts) = (&events[i], &deliveries[i]);
                    li data-event-type=(event.event_type) {
                        div.event {
                            strong { (event.event_type) }
                            " " time { (when(event.created_at)) }
                            @if let Some(r) = &event.request_id { " · " span.muted { "request " code { (r) } } }
                        }
                        @if !attempts.is_empty() {
                            ul.deliveries {
                                @for a in attempts {
                                    li data-testid="delivery" {
                                        @if a.succeeded { span.badge.ok { "Delivered" } } @else { span.badge.bad { "Failed" } }
                                        " " (a.url) " · attempt " (a.attempt) " · "
                                        @match (a.status_code, &a.error) {
                                            (Some(code), _) => { "HTTP " (code) }
                                            (None, Some(err)) => { (err) }
                                            (None, None) => { "no answer" }
                                        }
                                        " · " (a.latency_ms) " ms · " (when(a.created_at))
                                    }
                                }
                            }
                        }
                        form.inline method="post" action={ (desk.base()) "/events/" (event.id) "/redeliver" } {
                            (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                            input type="hidden" name="back" value=(base);
                            button.link type="submit" { "Send again to webhooks" }
                        }
                    }
                  }
                } }
            }
        }
    };
    Ok(framed(desk, Section::Payments, pi.id.as_str(), body))
}

/// One line of a payment's timeline.
enum Entry {
    /// `events[i]`.
    Event(usize),
    /// `notices[i]`.
    Notice(usize),
}

/// Events and provider notifications in the order they happened (events first on a tie: a
/// notification is heard after what the payment was already doing).
fn timeline_order(events: &[Event], notices: &[ProviderNotice]) -> Vec<Entry> {
    let mut entries: Vec<(Timestamp, u8, Entry)> =
        events.iter().enumerate().map(|(i, e)| (e.created_at, 0, Entry::Event(i))).collect();
    entries.extend(notices.iter().enumerate().map(|(i, n)| (n.received_at, 1, Entry::Notice(i))));
    entries.sort_by_key(|(at, rank, _)| (*at, *rank));
    entries.into_iter().map(|(_, _, entry)| entry).collect()
}

fn amount_form(base: &str, action: &str, label: &str, max: i64, c: Currency, hint: &str) -> Markup {
    let id = format!("{action}-amount");
    html! {
        form.action method="get" action={ (base) "/" (action) } {
            div.field {
                label for=(id) { (label) " amount (" (c.code()) ")" }
                input id=(id) name="amount" inputmode="decimal" value=(major_units::to_major(max, c)) required
                    aria-describedby={ (id) "-hint" };
                p.hint id={ (id) "-hint" } { (hint) " At most " (money(max, c)) "." }
            }
            @if action == "refund" {
                div.field {
                    label for="refund-reason" { "Reason" }
                    select #refund-reason name="reason" {
                        option value="" { "None given" }
                        @for r in RefundReason::ALL { option value=(r.as_str()) { (r.as_str().replace('_', " ")) } }
                    }
                }
            }
            button.secondary type="submit" { (label) "…" }
        }
    }
}

/// An action's request, read from a query (the confirmation) or a form (the action).
struct Request {
    action: Action,
    amount: Option<Amount>,
    reason: Option<RefundReason>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Capture,
    Cancel,
    Refund,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "capture" => Action::Capture,
            "cancel" => Action::Cancel,
            "refund" => Action::Refund,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Action::Capture => "capture",
            Action::Cancel => "cancel",
            Action::Refund => "refund",
        }
    }
}

/// Reads the action's fields; `Err` lists every problem, in words for the page.
fn read_request(action: Action, fields: &BTreeMap<String, String>, c: Currency) -> Result<Request, String> {
    let mut problems = Vec::new();
    let field = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or_default();
    let amount = match action {
        Action::Cancel => None,
        Action::Capture | Action::Refund => match major_units::to_minor(field("amount"), c) {
            Ok(minor) => {
                Amount::new(minor).map_err(|_| problems.push("The amount must be more than zero.".to_owned())).ok()
            }
            Err(refusal) => {
                problems.push(match refusal {
                    Refusal::NotANumber => {
                        format!("The amount must be a number such as {}.", major_units::to_major(1250, c))
                    }
                    Refusal::Negative => "The amount must be more than zero.".to_owned(),
                    Refusal::TooManyDecimals { exponent: 0 } => format!("{} has no decimals.", c.code()),
                    Refusal::TooManyDecimals { exponent } => format!("{} has {exponent} decimals at most.", c.code()),
                    Refusal::TooLarge => "The amount is too large.".to_owned(),
                });
                None
            }
        },
    };
    let reason = match field("reason") {
        "" => None,
        raw => RefundReason::parse(raw).map_err(|_| problems.push("Pick a reason from the list.".to_owned())).ok(),
    };
    if problems.is_empty() { Ok(Request { action, amount, reason }) } else { Err(problems.join(" ")) }
}

/// `GET /dashboard/{mode}/payments/{id}/{capture|cancel|refund}?amount=`: the confirmation.
async fn confirm(
    State(s): State<HttpState>,
    desk: Desk,
    Segments((id, action), _): Segments<Dashboard, (String, String)>,
    uri: Uri,
) -> Response {
    let Some(action) = Action::parse(&action) else {
        return PageError(AppError::not_found("page", uri.path())).into_response();
    };
    let pi = match s.app.get_payment_intent(&desk.reader(), &id).await {
        Ok(pi) => pi,
        Err(e) => return PageError(e).into_response(),
    };
    let fields = query(&uri);
    let request = match read_request(action, &fields, pi.currency) {
        Ok(r) => r,
        Err(problem) => return detail(&s, &desk, &id, None, Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let c = pi.currency;
    let most = match action {
        Action::Capture => Some(pi.amount_capturable().get()),
        Action::Refund => Some(pi.amount_refundable().get()),
        Action::Cancel => None,
    };
    if let (Some(most), Some(asked)) = (most, request.amount)
        && asked.get() > most
    {
        let problem = format!("At most {} can be {}d now.", money(most, c), action.as_str());
        return detail(&s, &desk, &id, None, Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let base = format!("{}/payments/{}", desk.base(), pi.id);
    let question = match (action, request.amount) {
        (Action::Capture, Some(a)) => {
            format!("Capture {} of {}?", money(a.get(), c), money(pi.amount_capturable().get(), c))
        }
        (Action::Refund, Some(a)) => format!("Refund {} to the customer's card?", money(a.get(), c)),
        _ => "Cancel this payment? What is still authorized is released to the customer.".to_owned(),
    };
    let body = html! {
        p.crumbs { a href=(base) { "← " (pi.id) } }
        h1 { "Please confirm" }
        section.confirm {
            p.question data-testid="question" { (question) }
            p.muted { (money(pi.amount.get(), c)) " · " code { (pi.id) } }
            form method="post" action={ (base) "/" (action.as_str()) } {
                (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                @if let Some(a) = request.amount { input type="hidden" name="amount" value=(major_units::to_major(a.get(), c)); }
                @if let Some(r) = request.reason { input type="hidden" name="reason" value=(r.as_str()); }
                div.buttons {
                    button.primary type="submit" data-testid="confirm" { "Yes, " (action.as_str()) }
                    a.button href=(base) { "No, go back" }
                }
            }
        }
    };
    page(StatusCode::OK, framed(&desk, Section::Payments, "Confirm", body))
}

/// `POST /dashboard/{mode}/payments/{id}/{capture|cancel|refund}`
async fn act(
    State(s): State<HttpState>,
    Segments((id, action), _): Segments<Dashboard, (String, String)>,
    uri: Uri,
    Posted { desk, form }: Posted,
) -> Response {
    let Some(action) = Action::parse(&action) else {
        return PageError(AppError::not_found("page", uri.path())).into_response();
    };
    let pi = match s.app.get_payment_intent(&desk.reader(), &id).await {
        Ok(pi) => pi,
        Err(e) => return PageError(e).into_response(),
    };
    let request = match read_request(action, &form.0, pi.currency) {
        Ok(r) => r,
        Err(problem) => return detail(&s, &desk, &id, None, Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let outcome = run(&s, &desk, &form, uri.path(), pi.id.as_ref(), request).await;
    let base = format!("{}/payments/{}", desk.base(), pi.id);
    match outcome {
        Ok(Ok(notice)) => see_other(&format!("{base}?notice={notice}")),
        Ok(Err(e)) if is_refusal(&e) => {
            let status =
                if e.kind == ErrorKind::Conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            detail(&s, &desk, &id, None, Some(&e.message), status).await
        }
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

/// A refusal the person can act on (shown on the payment's page) rather than a failure.
fn is_refusal(e: &AppError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Validation
            | ErrorKind::Conflict
            | ErrorKind::Card
            | ErrorKind::IdempotencyMismatch
            | ErrorKind::BadRequest
    )
}

async fn run(
    s: &HttpState,
    desk: &Desk,
    form: &Form,
    path: &str,
    id: &str,
    request: Request,
) -> Result<Result<&'static str, AppError>, Response> {
    let ctx = desk.actor(path, form);
    let (app, id) = (s.app.clone(), id.to_owned());
    detached(async move {
        match request.action {
            Action::Capture => app
                .capture_payment_intent(&ctx, &id, request.amount, true, CaptureNotes::default())
                .await
                .map(|_| "captured"),
            Action::Cancel => app.cancel_payment_intent(&ctx, &id, None).await.map(|_| "canceled"),
            Action::Refund => {
                let input = NewRefundInput {
                    payment_intent: id,
                    capture: None,
                    amount: request.amount,
                    reason: request.reason,
                    metadata: Default::default(),
                    face_notes: Default::default(),
                };
                app.create_refund(&ctx, input).await.map(|_| "refunded")
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_searches_for_the_amounts_it_may_mean() {
        assert_eq!(amounts_meant("25.99"), vec![2599, 25990]);
        assert_eq!(amounts_meant("25"), vec![25, 2500, 25000]);
        assert_eq!(amounts_meant("order-25"), Vec::<i64>::new());
        assert_eq!(amounts_meant("0"), Vec::<i64>::new());
    }

    #[test]
    fn dates_start_at_midnight_utc() {
        assert_eq!(day_start("1970-01-02"), Some(86_400_000_000));
        assert_eq!(day_start("2026-13-01"), None);
        assert_eq!(day_start("yesterday"), None);
    }
}
