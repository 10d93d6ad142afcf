//! The frame every dashboard page shares (navigation, mode switch, sign-out) and the small
//! pieces pages are made of. maud escapes everything it interpolates.

use super::{Desk, Signed};
use crate::faces::checkout_page::format_amount;
use crate::faces::timestamps::datetime;
use kassa_domain::checkout::Locale;
use kassa_domain::{Currency, Mode, Timestamp};
use maud::{DOCTYPE, Markup, html};

/// Where a page sits in the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Payments,
    Sessions,
    Coupons,
    Webhooks,
    Keys,
    Connectors,
    Account,
}

const SECTIONS: [(Section, &str, &str); 7] = [
    (Section::Overview, "overview", "Overview"),
    (Section::Payments, "payments", "Payments"),
    (Section::Sessions, "checkout-sessions", "Checkout sessions"),
    (Section::Coupons, "coupons", "Coupons"),
    (Section::Webhooks, "webhooks", "Webhooks"),
    (Section::Keys, "keys", "API keys"),
    (Section::Connectors, "connectors", "Connectors"),
];

fn head(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        meta name="robots" content="noindex";
        title { (title) " · Kassa dashboard" }
        link rel="stylesheet" href="/dashboard/assets/dashboard.css";
    }
}

/// A page without navigation (sign-in, refusals).
pub fn bare(title: &str, message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(title)) }
            body.bare {
                main.narrow {
                    h1 { (title) }
                    p role="alert" { (message) }
                    p { a href="/dashboard" { "Back to the dashboard" } }
                }
            }
        }
    }
}

/// A page without navigation around `body`.
pub fn plain(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(title)) }
            body.bare { main.narrow { (body) } }
        }
    }
}

/// A signed-in page of one mode: header with the merchant, the sections, the mode switch.
pub fn framed(desk: &Desk, section: Section, title: &str, body: Markup) -> Markup {
    frame(&desk.signed, Some(desk.mode), section, title, body)
}

/// A signed-in page outside the modes (the account).
pub fn framed_account(signed: &Signed, title: &str, body: Markup) -> Markup {
    frame(signed, None, Section::Account, title, body)
}

fn frame(signed: &Signed, mode: Option<Mode>, section: Section, title: &str, body: Markup) -> Markup {
    let shown = mode.unwrap_or(Mode::Test);
    let other = match shown {
        Mode::Test => Mode::Live,
        Mode::Live => Mode::Test,
    };
    let current_slug = SECTIONS.iter().find(|(s, ..)| *s == section).map_or("payments", |(_, slug, _)| *slug);
    html! {
        (DOCTYPE)
        html lang="en" {
            head { (head(title)) }
            body {
                a.skip href="#content" { "Skip to content" }
                header.top {
                    div.brand {
                        strong { "Kassa" }
                        span.merchant data-testid="merchant" { (signed.merchant_name) }
                    }
                    nav aria-label="Sections" {
                        ul {
                            @for (s, slug, label) in SECTIONS {
                                li {
                                    a href={ "/dashboard/" (shown.as_str()) "/" (slug) }
                                      aria-current=[(s == section).then_some("page")] { (label) }
                                }
                            }
                        }
                    }
                    div.who {
                        a.mode href={ "/dashboard/" (other.as_str()) "/" (current_slug) } data-testid="mode-switch" {
                            "Switch to " (other.as_str()) " mode"
                        }
                        a href="/dashboard/account" aria-current=[(section == Section::Account).then_some("page")] {
                            (signed.user.email)
                        }
                        form.inline method="post" action="/dashboard/sign-out" {
                            input type="hidden" name="csrf" value=(signed.form_token);
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                @if let Some(mode) = mode {
                    @if mode == Mode::Test {
                        p.banner.test role="note" data-testid="mode" { "Test mode: nothing here moves real money." }
                    } @else {
                        p.banner.live role="note" data-testid="mode" {
                            "Live mode: actions move real money. Live card payments need a card processor \
                             connector, and none is configured: live mode takes no card payment."
                        }
                    }
                }
                main #content tabindex="-1" { (body) }
            }
        }
    }
}

/// An amount in its currency, as people read it (`$1,234.50`).
pub fn money(minor: i64, currency: Currency) -> String {
    format_amount(minor, currency, Locale::En)
}

/// A moment in UTC, to the second.
pub fn when(t: Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    datetime(t).format(format).unwrap_or_default()
}

/// A status as a labelled badge (`requires_capture` → "Uncaptured").
pub fn badge(status: &str) -> Markup {
    let (label, tone) = match status {
        "succeeded" | "completed" | "complete" | "paid" | "enabled" | "active" | "approved" => (humanize(status), "ok"),
        "requires_capture" => ("Uncaptured".to_owned(), "warn"),
        "requires_payment_method" => ("Incomplete".to_owned(), "muted"),
        "requires_confirmation" => ("Not confirmed".to_owned(), "muted"),
        "processing" | "pending" | "open" => (humanize(status), "info"),
        "failed" | "canceled" | "disabled" | "revoked" | "expired" | "inactive" | "rejected" => {
            (humanize(status), "bad")
        }
        other => (humanize(other), "muted"),
    };
    html! { span class={ "badge " (tone) } { (label) } }
}

fn humanize(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A short message after an action, or an error above a form.
pub fn notice(text: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(t) = text { p.notice role="status" data-testid="notice" { (t) } }
        @if let Some(e) = error { p.alert role="alert" data-testid="error" { (e) } }
    }
}

/// The hidden fields every form carries.
pub fn form_fields(signed: &Signed, idempotency_key: Option<&str>) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(signed.form_token);
        @if let Some(k) = idempotency_key { input type="hidden" name="idempotency_key" value=(k); }
    }
}

/// "Next page" when there is one.
pub fn pager(base: &str, params: &[(&str, &str)], next: Option<String>) -> Markup {
    let Some(next) = next else { return html! {} };
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    q.append_pair("page", &next);
    html! { nav.pager aria-label="Pages" { a rel="next" href={ (base) "?" (q.finish()) } { "Next page →" } } }
}
