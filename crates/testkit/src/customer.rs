//! The customer, over plain HTTP: opens a hosted checkout page and pays on it (or saves a
//! card), as a browser without JavaScript would. For clients' end-to-end tests.

/// Pays (or saves) with `card_number` on the hosted page at `page_url`; returns the status of
/// the form's answer (303 when the card was taken).
pub async fn pay_on_page(page_url: &str, card_number: &str) -> u16 {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    let page = http.get(page_url).send().await.expect("the page answers");
    assert_eq!(page.status().as_u16(), 200, "no open page at {page_url}");
    let html = page.text().await.expect("a page");
    let start = html.find("name=\"csrf\" value=\"").expect("a form with its token") + 19;
    let csrf = &html[start..start + 32];
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("csrf", csrf),
            ("number", card_number),
            ("expiry", "12 / 34"),
            ("cvc", "123"),
            ("holder", "Sara Ali"),
        ])
        .finish();
    let paid = http
        .post(format!("{page_url}/pay"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("the form answers");
    paid.status().as_u16()
}

/// Leaves the hosted page at `page_url` without paying (its cancel button); returns the status
/// of the form's answer.
pub async fn abort_on_page(page_url: &str) -> u16 {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    let html = http.get(page_url).send().await.expect("the page answers").text().await.expect("a page");
    let start = html.find("name=\"csrf\" value=\"").expect("a form with its token") + 19;
    let form = form_urlencoded::Serializer::new(String::new()).append_pair("csrf", &html[start..start + 32]).finish();
    let left = http
        .post(format!("{page_url}/cancel"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("the form answers");
    left.status().as_u16()
}
