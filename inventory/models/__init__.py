from .audit import LedgerCheck
from .catalogue import BinLocation, KitComponent, Product, Sku, Warehouse
from .planning import InboundShipment, ProductionOrder
from .rules import AdaptiveBuffer, AllocationRule
from .stock import (
    LowStockAlert,
    Movement,
    PoolStock,
    Reservation,
    ReservationAllocation,
    Stock,
    VirtualStock,
)

__all__ = [
    "AdaptiveBuffer",
    "AllocationRule",
    "BinLocation",
    "InboundShipment",
    "KitComponent",
    "LedgerCheck",
    "LowStockAlert",
    "Movement",
    "PoolStock",
    "Product",
    "ProductionOrder",
    "Reservation",
    "ReservationAllocation",
    "Sku",
    "Stock",
    "VirtualStock",
    "Warehouse",
]
