"""Shopee Open Platform v2 adapter (see docs/marketplaces/shopee.md)."""
