//! `GET /receipts/{token}`: a payment's receipt for the customer, in the language they paid in.

use super::i18n::{format_amount, words};
use super::{HttpState, page};
use crate::app::{ErrorKind, Receipt};
use crate::faces::timestamps::datetime;
use crate::http::face::Id;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kassa_domain::refund::RefundStatus;
use maud::{Markup, html};

/// The receipt page, or the not-found page for a token this gateway did not make.
pub async fn show(State(s): State<HttpState>, Id(token, _): Id<super::CheckoutPage>) -> Response {
    match s.app.receipt(&token).await {
        Ok(receipt) => page(StatusCode::OK, view(&receipt)),
        Err(e) if e.kind == ErrorKind::NotFound => page(StatusCode::NOT_FOUND, super::view::not_found()),
        Err(e) => super::failure(e),
    }
}

fn when(t: kassa_domain::Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    datetime(t).format(format).unwrap_or_default()
}

fn view(r: &Receipt) -> Markup {
    let w = words(r.locale);
    let pi = &r.payment_intent;
    let money = |v: i64| format_amount(v, pi.currency, r.locale);
    let refunded: Vec<_> = r.refunds.iter().filter(|x| x.status == RefundStatus::Succeeded).collect();
    super::view::layout(
        r.locale,
        w.receipt,
        false,
        html! {
            section.center data-testid="receipt" {
                h1 { (w.receipt) }
                dl.totals {
                    dt { (w.paid_to) } dd data-testid="merchant" { (r.merchant_name) }
                    dt { (w.paid_on) } dd { (when(pi.created_at)) }
                    @if let Some(pm) = &pi.payment_method {
                        dt { (w.card) } dd data-testid="card" { (pm.card.brand.as_str()) " •••• " (pm.card.last4) }
                    }
                    dt.grand { (w.amount_paid) } dd.grand data-testid="amount" { (money(pi.amount_captured.get())) }
                    @for refund in &refunded {
                        dt { (w.refunded) " · " (when(refund.created_at)) }
                        dd data-testid="refund" { "−" (money(refund.amount.get())) }
                    }
                    dt { (w.reference_number) } dd { code { (pi.id) } }
                }
            }
        },
    )
}
