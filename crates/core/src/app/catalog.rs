//! What a merchant sells: products and their prices, each change an event
//! (`product.created|updated`, `price.created|updated`). A price's lookup key names one active
//! price of the merchant at a time.

use super::events::{NewEvent, Subscribers};
use super::list::{Page, PageRequest, TimeRange};
use super::{App, AppError, AppResult, Cause, Ctx, ErrorKind, field};
use kassa_domain::catalog::{Price, PriceChanges, Product, ProductChanges};
use kassa_domain::{Currency, EventType, Fact, Metadata, MinorUnits, PriceId, ProductId, Scope};
use kassa_store::WriteTx;
use kassa_store::catalog::{self as store, PriceFilter};

/// A new product, parsed.
#[derive(Debug, Clone)]
pub struct NewProductInput {
    /// Shown to customers.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// For sale (default true).
    pub active: bool,
    /// Annotations.
    pub metadata: Metadata,
}

/// The product a new price is for.
#[derive(Debug, Clone)]
pub enum PriceOf {
    /// One that exists (`prod_…`, as given).
    Product(String),
    /// One made with the price, in the same transaction.
    NewProduct(NewProductInput),
}

/// A new price, parsed.
#[derive(Debug, Clone)]
pub struct NewPriceInput {
    /// Its product.
    pub product: PriceOf,
    /// Currency.
    pub currency: Currency,
    /// Amount in minor units.
    pub unit_amount: MinorUnits,
    /// Usable (default true).
    pub active: bool,
    /// The merchant's name for it.
    pub nickname: Option<String>,
    /// The merchant's key to find it by.
    pub lookup_key: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
}

/// A price list's filters.
#[derive(Debug, Clone, Default)]
pub struct PriceListFilter {
    /// Only this product's (`prod_…`).
    pub product: Option<String>,
    /// Only active (or inactive) prices.
    pub active: Option<bool>,
    /// Only prices with one of these lookup keys.
    pub lookup_keys: Vec<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

fn product_id(id: &str) -> AppResult<ProductId> {
    ProductId::parse(id).ok_or_else(|| AppError::not_found("product", id))
}

fn price_id(id: &str) -> AppResult<PriceId> {
    PriceId::parse(id).ok_or_else(|| AppError::not_found("price", id))
}

fn lookup_key_taken(key: &str) -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "lookup_key_in_use",
        format!("An active price already has the lookup key `{key}`: deactivate it, or give another key."),
    )
    .with_param("lookup_key")
}

impl App {
    /// Creates a product.
    pub async fn create_product(&self, ctx: &Ctx, input: NewProductInput) -> AppResult<Product> {
        self.idempotent(ctx, async |tx| self.insert_product(tx, ctx, input).await).await
    }

    async fn insert_product(&self, tx: &mut WriteTx, ctx: &Ctx, input: NewProductInput) -> AppResult<Product> {
        let now = self.clock().now();
        let product = Product {
            id: ProductId::generate(),
            merchant_id: ctx.scope.merchant_id.clone(),
            mode: ctx.scope.mode,
            name: input.name,
            description: input.description,
            active: input.active,
            metadata: input.metadata,
            created_at: now,
            updated_at: now,
        };
        store::insert_product(tx, &product).await?;
        let fact = Fact::Product { product: Box::new(product.clone()) };
        self.record_catalog_event(tx, &ctx.cause(), &ctx.scope, EventType::ProductCreated, fact).await?;
        Ok(product)
    }

    /// One product.
    pub async fn get_product(&self, ctx: &Ctx, id: &str) -> AppResult<Product> {
        store::get_product(self.store().reader(), &ctx.scope, &product_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("product", id))
    }

    /// Changes a product (an event only if something changed).
    pub async fn update_product(&self, ctx: &Ctx, id: &str, changes: ProductChanges) -> AppResult<Product> {
        let prod_id = product_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut product = store::lock_product(tx, &ctx.scope, &prod_id)
                .await?
                .ok_or_else(|| AppError::not_found("product", id))?;
            let changed =
                product.update(changes, self.clock().now()).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
            if changed {
                store::update_product(tx, &product).await?;
                let fact = Fact::Product { product: Box::new(product.clone()) };
                self.record_catalog_event(tx, &ctx.cause(), &ctx.scope, EventType::ProductUpdated, fact).await?;
            }
            Ok(product)
        })
        .await
    }

    /// One page of products, newest first.
    pub async fn list_products(
        &self,
        ctx: &Ctx,
        active: Option<bool>,
        created: &TimeRange,
        page: PageRequest,
    ) -> AppResult<Page<Product>> {
        Ok(store::list_products(self.store().reader(), &ctx.scope, active, created, &page.to_store()).await?.into())
    }

    /// Creates a price of a product (which must exist and be for sale), or of a product made
    /// with it.
    pub async fn create_price(&self, ctx: &Ctx, input: NewPriceInput) -> AppResult<Price> {
        let prod_id = match &input.product {
            PriceOf::Product(id) => Some(product_id(id).map_err(|e| e.with_param("product"))?),
            PriceOf::NewProduct(_) => None,
        };
        self.idempotent(ctx, async |tx| {
            let product = match (prod_id, input.product) {
                (Some(id), _) => store::get_product(tx.conn(), &ctx.scope, &id)
                    .await?
                    .ok_or_else(|| AppError::not_found("product", id.as_str()).with_param("product"))?,
                (None, PriceOf::NewProduct(new)) => self.insert_product(tx, ctx, new).await?,
                (None, PriceOf::Product(id)) => return Err(AppError::not_found("product", &id)),
            };
            if !product.active {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    "product_inactive",
                    format!("Product {} is not for sale: activate it before pricing it.", product.id),
                )
                .with_param("product"));
            }
            if let Some(key) = &input.lookup_key
                && input.active
                && store::price_by_lookup_key(tx.conn(), &ctx.scope, key).await?.is_some()
            {
                return Err(lookup_key_taken(key));
            }
            let now = self.clock().now();
            let price = Price {
                id: PriceId::generate(),
                merchant_id: ctx.scope.merchant_id.clone(),
                mode: ctx.scope.mode,
                product_id: product.id,
                currency: input.currency,
                unit_amount: input.unit_amount,
                active: input.active,
                nickname: input.nickname,
                lookup_key: input.lookup_key,
                metadata: input.metadata,
                created_at: now,
                updated_at: now,
            };
            store::insert_price(tx, &price).await?;
            let fact = Fact::Price { price: Box::new(price.clone()) };
            self.record_catalog_event(tx, &ctx.cause(), &ctx.scope, EventType::PriceCreated, fact).await?;
            Ok(price)
        })
        .await
    }

    /// One price.
    pub async fn get_price(&self, ctx: &Ctx, id: &str) -> AppResult<Price> {
        store::get_price(self.store().reader(), &ctx.scope, &price_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("price", id))
    }

    /// Changes a price's labels or whether it is active (its amount never changes).
    pub async fn update_price(&self, ctx: &Ctx, id: &str, changes: PriceChanges) -> AppResult<Price> {
        let pr_id = price_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut price =
                store::lock_price(tx, &ctx.scope, &pr_id).await?.ok_or_else(|| AppError::not_found("price", id))?;
            let changed =
                price.update(changes, self.clock().now()).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
            if let Some(key) = price.lookup_key.as_deref().filter(|_| price.active && changed)
                && let Some(other) = store::price_by_lookup_key(tx.conn(), &ctx.scope, key).await?
                && other.id != price.id
            {
                return Err(lookup_key_taken(key));
            }
            if changed {
                store::update_price(tx, &price).await?;
                let fact = Fact::Price { price: Box::new(price.clone()) };
                self.record_catalog_event(tx, &ctx.cause(), &ctx.scope, EventType::PriceUpdated, fact).await?;
            }
            Ok(price)
        })
        .await
    }

    /// One page of prices, newest first.
    pub async fn list_prices(&self, ctx: &Ctx, filter: &PriceListFilter, page: PageRequest) -> AppResult<Page<Price>> {
        let product = match &filter.product {
            Some(id) => match ProductId::parse(id) {
                Some(id) => Some(id),
                // No such product, so no such price.
                None => return Ok(Page { items: Vec::new(), next: None }),
            },
            None => None,
        };
        let filter = PriceFilter {
            product,
            active: filter.active,
            lookup_keys: filter.lookup_keys.clone(),
            created: filter.created.clone(),
        };
        Ok(store::list_prices(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    async fn record_catalog_event(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        scope: &Scope,
        event_type: EventType,
        fact: Fact,
    ) -> AppResult<()> {
        let event = NewEvent { event_type, payment_intent_id: None, fact };
        let mut subscribers: Subscribers = None;
        self.append_event(tx, &mut subscribers, cause, scope, event).await?;
        Ok(())
    }
}
