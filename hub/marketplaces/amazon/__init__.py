"""Amazon Selling Partner API adapter (Orders v0, Listings Items 2021-08-01, Login with Amazon)."""
