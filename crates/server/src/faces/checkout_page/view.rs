//! The hosted page's HTML. maud escapes everything it interpolates, so nothing a merchant or
//! customer typed can become markup.

use super::i18n::{Words, decline_message, format_amount, words};
use kassa_domain::Mode;
use kassa_domain::checkout::{CheckoutSession, Locale, SessionPaymentStatus};
use kassa_domain::payment_intent::PaymentFailure;
use maud::{DOCTYPE, Markup, html};

/// What the customer typed and what was wrong with it, to show the form again.
#[derive(Default)]
pub struct FormState {
    /// `(field, message)` for each invalid card field.
    pub field_errors: Vec<(&'static str, &'static str)>,
    /// A message above the form (a decline, a refused card).
    pub alert: Option<String>,
    /// Why a promotion code was refused.
    pub promo_error: Option<String>,
    /// The code the customer typed.
    pub promo_input: String,
    /// Expiry as typed (the number and security code are never sent back).
    pub expiry: String,
    /// Name as typed.
    pub holder: String,
}

/// The page around `body`.
pub(super) fn layout(locale: Locale, title: &str, refresh: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.as_str()) dir=(if locale.is_rtl() { "rtl" } else { "ltr" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                @if refresh { meta http-equiv="refresh" content="1"; }
                title { (title) " · Kassa" }
                link rel="stylesheet" href="/checkout/assets/style.css";
            }
            body { main { (body) } }
        }
    }
}

fn test_banner(w: &Words, mode: Mode) -> Markup {
    html! { @if mode == Mode::Test { p.banner role="note" { (w.test_mode) } } }
}

fn summary(w: &Words, s: &CheckoutSession, csrf: &str, base: &str, state: &FormState) -> Markup {
    let money = |v: i64| format_amount(v, s.currency, s.locale);
    html! {
        section.summary aria-labelledby="order-heading" {
            h2 #order-heading { (w.order) }
            ul.lines {
                @for l in &s.line_items {
                    li {
                        span { (l.quantity) " × " (l.name) }
                        span.amount { (money(l.gross().unwrap_or_default().get())) }
                    }
                }
            }
            dl.totals {
                dt { (w.subtotal) } dd { (money(s.totals.subtotal.get())) }
                @if s.totals.discount.get() > 0 {
                    dt { (w.discount) @if let Some(p) = &s.promotion { " (" (p.code) ")" } }
                    dd data-testid="discount" { "−" (money(s.totals.discount.get())) }
                }
                @if s.totals.tax.get() > 0 { dt { (w.tax) } dd { (money(s.totals.tax.get())) } }
                @if s.totals.shipping.get() > 0 { dt { (w.shipping) } dd { (money(s.totals.shipping.get())) } }
                dt.grand { (w.total) } dd.grand data-testid="total" { (money(s.totals.total.get())) }
            }
            @if !s.customer_codes {
                // The merchant's code shows; this session takes none from the customer.
                @if let Some(p) = &s.promotion {
                    p.notice { (w.promotion_code) ": " strong { (p.code) } }
                }
            } @else {
                form.promo method="post" action={ (base) "/promotion" } {
                    input type="hidden" name="csrf" value=(csrf);
                    @if let Some(p) = &s.promotion {
                        p.notice { (w.promotion_code) ": " strong { (p.code) } }
                        button.link type="submit" name="remove" value="1" { (w.remove) }
                    } @else if s.promotion_locked() {
                        p.notice role="status" data-testid="promotion-locked" { (w.promotion_locked) }
                    } @else {
                        div.field {
                            label for="code" { (w.promotion_code) }
                            input #code name="code" type="text" autocomplete="off" value=(state.promo_input)
                                aria-invalid=(state.promo_error.is_some())
                                aria-describedby=[state.promo_error.as_ref().map(|_| "code-error")];
                            @if let Some(e) = &state.promo_error { p #code-error .error role="alert" { (w.code_refused) " " (e) } }
                        }
                        button.secondary type="submit" { (w.apply) }
                    }
                }
            }
        }
    }
}

fn field(
    id: &str,
    label: &str,
    autocomplete: &str,
    numeric: bool,
    value: &str,
    hint: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let described: Vec<String> =
        [hint.map(|_| format!("{id}-hint")), error.map(|_| format!("{id}-error"))].into_iter().flatten().collect();
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(id) type="text" autocomplete=(autocomplete)
                inputmode=[numeric.then_some("numeric")] value=(value) required
                aria-invalid=(error.is_some())
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
            @if let Some(h) = hint { p.hint id={ (id) "-hint" } { (h) } }
            @if let Some(e) = error { p.error id={ (id) "-error" } { (e) } }
        }
    }
}

/// A payment method that takes the customer elsewhere: its type, and its name for people.
pub struct Elsewhere {
    /// The connector's type (`vipps`).
    pub kind: String,
    /// "Vipps".
    pub name: &'static str,
}

/// A "Pay with …" button for each provider the session offers.
fn elsewhere_forms(w: &Words, csrf: &str, base: &str, elsewhere: &[Elsewhere]) -> Markup {
    html! {
        @for method in elsewhere {
            form.elsewhere method="post" action={ (base) "/pay-with" } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="provider" value=(method.kind);
                button.secondary type="submit" data-testid={ "pay-with-" (method.kind) } {
                    (w.pay_with.replace("{provider}", method.name))
                }
            }
        }
    }
}

/// The card fields (unless the session takes no card) and the cancel link, posting to `base`.
fn card_form(w: &Words, csrf: &str, base: &str, state: &FormState, button: &str) -> Markup {
    card_or_not(w, csrf, base, state, Some(button))
}

fn card_or_not(w: &Words, csrf: &str, base: &str, state: &FormState, card_button: Option<&str>) -> Markup {
    let error = |f: &str| state.field_errors.iter().find(|(name, _)| *name == f).map(|(_, m)| *m);
    html! {
        @if let Some(button) = card_button { form method="post" action={ (base) "/pay" } novalidate {
            input type="hidden" name="csrf" value=(csrf);
            (field("number", w.card_number, "cc-number", true, "", None, error("number")))
            div.row {
                (field("expiry", w.expiry, "cc-exp", true, &state.expiry, Some(w.expiry_hint), error("expiry")))
                (field("cvc", w.cvc, "cc-csc", true, "", None, error("cvc")))
            }
            (field("holder", w.holder, "cc-name", false, &state.holder, None, error("holder")))
            button.primary type="submit" { (button) }
        } }
        form method="post" action={ (base) "/cancel" } {
            input type="hidden" name="csrf" value=(csrf);
            button.link type="submit" { (w.cancel) }
        }
    }
}

/// The page with the order and the card form.
pub fn checkout(
    s: &CheckoutSession,
    last_error: Option<&PaymentFailure>,
    csrf: &str,
    base: &str,
    state: &FormState,
    max_attempts: u32,
    elsewhere: &[Elsewhere],
) -> Markup {
    let w = words(s.locale);
    let takes_card = s.payment_method_types.iter().any(|t| t == "card");
    let decline = (s.payment_status == SessionPaymentStatus::Failed)
        .then(|| last_error.map(|e| decline_message(w, &e.code, e.decline_code.as_deref())).unwrap_or(w.declined));
    let alert = state.alert.as_deref().or(decline);
    let attempts_left = max_attempts.saturating_sub(s.failed_attempts);
    let pay = format!("{} {}", w.pay, format_amount(s.totals.total.get(), s.currency, s.locale));
    layout(
        s.locale,
        w.title,
        false,
        html! {
            (test_banner(w, s.mode))
            (summary(w, s, csrf, base, state))
            section.pay aria-labelledby="pay-heading" {
                h1 #pay-heading { (w.title) }
                @if let Some(message) = alert {
                    div.alert role="alert" data-testid="alert" {
                        p { (message) }
                        @if decline.is_some() && state.alert.is_none() { p { (w.attempts_left) " " (attempts_left) } }
                    }
                } @else if !state.field_errors.is_empty() {
                    div.alert role="alert" { p { (w.fix_errors) } }
                }
                (elsewhere_forms(w, csrf, base, elsewhere))
                (card_or_not(w, csrf, base, state, takes_card.then_some(pay.as_str())))
            }
        },
    )
}

/// A setup session's page: no order and no amount, the card form to save a card for the
/// merchant.
pub fn setup(s: &CheckoutSession, merchant: &str, csrf: &str, base: &str, state: &FormState) -> Markup {
    let w = words(s.locale);
    let title = w.save_title.replace("{merchant}", merchant);
    layout(
        s.locale,
        &title,
        false,
        html! {
            (test_banner(w, s.mode))
            section.pay aria-labelledby="pay-heading" {
                h1 #pay-heading { (title) }
                p.lead data-testid="save-hint" { (w.save_hint.replace("{merchant}", merchant)) }
                @if let Some(message) = &state.alert {
                    div.alert role="alert" data-testid="alert" { p { (message) } }
                } @else if !state.field_errors.is_empty() {
                    div.alert role="alert" { p { (w.fix_errors) } }
                }
                (card_form(w, csrf, base, state, w.save))
            }
        },
    )
}

/// While the payment is being authorized (or the card verified): refreshes itself every second.
/// A customer whose payment waits for them at a provider finds the way back there.
pub fn processing(s: &CheckoutSession, saving_card: bool, waiting_at: Option<(&str, &str)>) -> Markup {
    let w = words(s.locale);
    let title = if saving_card { w.saving } else { w.processing };
    layout(
        s.locale,
        title,
        true,
        html! {
            section.center role="status" aria-live="polite" {
                div.spinner aria-hidden="true" {}
                h1 { (title) }
                p { (w.processing_hint) }
                @if let Some((url, provider)) = waiting_at {
                    p { a href=(url) data-testid="continue-at-provider" { (w.continue_at.replace("{provider}", provider)) } }
                }
            }
        },
    )
}

/// A final state: expired, canceled, paid or failed, with a way back to the shop.
pub fn final_state(locale: Locale, title: &str, hint: Option<&str>, back: Option<&str>) -> Markup {
    let w = words(locale);
    layout(
        locale,
        title,
        false,
        html! {
            section.center {
                h1 { (title) }
                @if let Some(h) = hint { p { (h) } }
                @if let Some(url) = back { p { a href=(url) { (w.continue_shopping) } } }
            }
        },
    )
}

/// An unknown link.
pub fn not_found() -> Markup {
    let w = words(Locale::En);
    final_state(Locale::En, w.not_found, None, None)
}
