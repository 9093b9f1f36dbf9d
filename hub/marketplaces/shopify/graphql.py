"""The GraphQL Admin documents the adapter sends, and Shopify global ids.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities
https://shopify.dev/docs/api/admin-graphql/latest/queries/nodes
"""

import re

from ..errors import RequestRejected

INVENTORY_SET_QUANTITIES = """
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup {
      id
      changes(quantityNames: ["available"]) { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { code field message }
  }
}
""".strip()

INVENTORY_LEVELS = """
query InventoryLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      sku
      inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
    }
  }
}
""".strip()

# Input arrays (``quantities``, ``ids``) take at most 250 items: https://shopify.dev/docs/api/usage/limits
MAX_INPUT_ARRAY = 250

_GID = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<id>\d+)$")
_NUMERIC = re.compile(r"^\d+$")


def gid(kind: str, value) -> str:
    """``gid://shopify/<kind>/<id>`` from a numeric id or a gid of that kind."""
    text = str(value).strip()
    if _NUMERIC.match(text):
        return f"gid://shopify/{kind}/{text}"
    match = _GID.match(text)
    if match and match["kind"] == kind:
        return text
    raise RequestRejected(f"shopify: {kind} id {text[:40]!r} is neither numeric nor a {kind} gid")


def numeric_id(value, kind: str) -> str:
    """The numeric id from a numeric string or a gid (REST paths take numeric ids)."""
    return gid(kind, value).rsplit("/", 1)[1]


def quantity_index(field) -> int | None:
    """Which ``input.quantities[i]`` a userError's ``field`` path points at, if any."""
    if isinstance(field, list) and len(field) >= 3 and field[:2] == ["input", "quantities"]:
        try:
            return int(field[2])
        except (TypeError, ValueError):
            return None
    return None
