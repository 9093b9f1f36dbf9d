"""eBay Sell APIs adapter (Fulfillment v1, Inventory v1, OAuth user tokens, Notification API signatures)."""
