//! The document's quick start in Rust: create a checkout for an order, send the customer to
//! the portal, read the checkout back.
//!
//! ```sh
//! PROBUY_API_TOKEN=sk_test_… PROBUY_API=http://127.0.0.1:4242/probuy cargo run -p probuy --example checkout
//! ```
//! Without `PROBUY_API` it talks to ProBuy's sandbox.

use probuy::{Address, CheckoutOrder, Config, Consumer, Environment, Item, ItemType, MerchantUrls, ProBuy};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("PROBUY_API_TOKEN")?;
    let environment = match std::env::var("PROBUY_API") {
        Ok(api) => Environment::Custom { portal: api.clone(), api },
        Err(_) => Environment::Sandbox,
    };
    let probuy = ProBuy::new(Config { debug: true, ..Config::new(token, environment) })?;
    let address = Address {
        city: "Riyadh".into(),
        country_code: "SA".into(),
        first_name: "Ahmed".into(),
        last_name: "Ali".into(),
        line1: "123 King Fahd Road".into(),
        line2: Some("Apt 456".into()),
        phone_number: "+966501234567".into(),
        region: "Riyadh".into(),
    };
    let order = CheckoutOrder {
        order_reference_id: format!("ref-{}", std::process::id()),
        order_number: "ORD-12345".into(),
        currency: "SAR".into(),
        total_amount: "1000".parse()?,
        shipping_amount: Some("0".parse()?),
        tax_amount: Some("150".parse()?),
        item: Item {
            name: "MacBook Pro 16-inch".into(),
            description: Some("Apple M2 Pro chip with powerful performance".into()),
            kind: ItemType::Physical,
            reference_id: "prod-123".into(),
            sku: "MBPRO-16-M2".into(),
            quantity: 1,
            discount_amount: Some("0".parse()?),
            tax_amount: Some("150".parse()?),
            unit_price: "1000".parse()?,
            total_amount: "1000".parse()?,
        },
        consumer: Consumer {
            email: "ahmed@example.com".into(),
            first_name: "Ahmed".into(),
            last_name: "Ali".into(),
            phone_number: "+966501234567".into(),
        },
        country_code: "SA".into(),
        description: None,
        merchant_url: MerchantUrls {
            success: "https://yoursite.com/payment/success".into(),
            failure: "https://yoursite.com/payment/failed".into(),
            cancel: "https://yoursite.com/payment/cancelled".into(),
        },
        billing_address: address.clone(),
        shipping_address: address,
        platform: Some("web".into()),
        is_mobile: Some(false),
        locale: Some("en".into()),
        additional_data: None,
    };
    let checkout = probuy.create_checkout_with_redirect_url(&order).await?;
    println!("checkout {} ({:?})", checkout.session.checkout_id, checkout.session.status);
    println!("send the customer to {}", checkout.redirect_url);
    let details = probuy.get_checkout_details(&checkout.session.checkout_id).await?;
    println!("{:?}: {} {}", details.status, details.total_amount, details.currency);
    Ok(())
}
