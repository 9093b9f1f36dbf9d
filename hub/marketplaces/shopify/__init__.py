"""Shopify: REST Admin API for orders and fulfillment orders, GraphQL Admin API for inventory."""
