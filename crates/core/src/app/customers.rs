//! Customers: create, read, change, delete and list them, each change an event
//! (`customer.created|updated|deleted`) written with it.

use super::events::{NewEvent, Subscribers};
use super::list::{Page, PageRequest, TimeRange};
use super::{App, AppError, AppResult, Cause, Ctx};
use kassa_domain::customer::{CustomerChanges, NewCustomer};
use kassa_domain::{Customer, CustomerId, EventType, Fact, Scope};
use kassa_store::{WriteTx, customers as store};

/// A list's filters.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Only customers with this email (any case).
    pub email: Option<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

fn customer_id(id: &str) -> AppResult<CustomerId> {
    CustomerId::parse(id).ok_or_else(|| AppError::not_found("customer", id))
}

impl App {
    /// Creates a customer.
    pub async fn create_customer(&self, ctx: &Ctx, new: NewCustomer) -> AppResult<Customer> {
        self.idempotent(ctx, async |tx| {
            let scope = &ctx.scope;
            let customer = Customer::create(
                CustomerId::generate(),
                scope.merchant_id.clone(),
                scope.mode,
                new,
                self.clock().now(),
            );
            store::insert(tx, &customer).await?;
            self.record_customer_event(tx, &ctx.cause(), &customer, EventType::CustomerCreated).await?;
            Ok(customer)
        })
        .await
    }

    /// One living customer.
    pub async fn get_customer(&self, ctx: &Ctx, id: &str) -> AppResult<Customer> {
        store::get(self.store().reader(), &ctx.scope, &customer_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("customer", id))
    }

    /// One customer, deleted or not, and whether it is deleted (faces that show deleted
    /// customers as such).
    pub async fn get_customer_even_deleted(&self, ctx: &Ctx, id: &str) -> AppResult<(Customer, bool)> {
        store::get_any(self.store().reader(), &ctx.scope, &customer_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("customer", id))
    }

    /// Changes a customer's details (an event only if something changed).
    pub async fn update_customer(&self, ctx: &Ctx, id: &str, changes: CustomerChanges) -> AppResult<Customer> {
        let customer_id = customer_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut customer =
                store::lock(tx, &ctx.scope, &customer_id).await?.ok_or_else(|| AppError::not_found("customer", id))?;
            let changed = customer
                .update(changes, self.clock().now())
                .map_err(|e| AppError::invalid_field(super::field::METADATA, e))?;
            if changed {
                store::update(tx, &customer).await?;
                self.record_customer_event(tx, &ctx.cause(), &customer, EventType::CustomerUpdated).await?;
            }
            Ok(customer)
        })
        .await
    }

    /// Deletes a customer (what names it keeps the id).
    pub async fn delete_customer(&self, ctx: &Ctx, id: &str) -> AppResult<CustomerId> {
        let customer_id = customer_id(id)?;
        self.idempotent(ctx, async |tx| {
            let customer =
                store::lock(tx, &ctx.scope, &customer_id).await?.ok_or_else(|| AppError::not_found("customer", id))?;
            store::delete(tx, &ctx.scope, &customer_id, self.clock().now()).await?;
            self.record_customer_event(tx, &ctx.cause(), &customer, EventType::CustomerDeleted).await?;
            Ok(customer_id.clone())
        })
        .await
    }

    /// One page of living customers, newest first.
    pub async fn list_customers(
        &self,
        ctx: &Ctx,
        filter: &CustomerFilter,
        page: PageRequest,
    ) -> AppResult<Page<Customer>> {
        let filter = store::Filter { email: filter.email.clone(), created: filter.created.clone() };
        Ok(store::list(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    async fn record_customer_event(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        customer: &Customer,
        event_type: EventType,
    ) -> AppResult<()> {
        let scope = Scope { merchant_id: customer.merchant_id.clone(), mode: customer.mode };
        let event = NewEvent { event_type, payment_intent_id: None, fact: Fact::customer(customer) };
        let mut subscribers: Subscribers = None;
        self.append_event(tx, &mut subscribers, cause, &scope, event).await?;
        Ok(())
    }
}
