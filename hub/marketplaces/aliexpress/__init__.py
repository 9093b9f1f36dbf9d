"""AliExpress Open Platform (IOP) seller adapter (see docs/marketplaces/aliexpress.md)."""
