from .audit import LedgerCheck
from .catalogue import BinLocation, KitComponent, Product, Sku, Warehouse
from .planning import InboundShipment, InboundShipmentLine, ProductionOrder, ProductionOrderLine
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
    "InboundShipmentLine",
    "KitComponent",
    "LedgerCheck",
    "LowStockAlert",
    "Movement",
    "PoolStock",
    "Product",
    "ProductionOrder",
    "ProductionOrderLine",
    "Reservation",
    "ReservationAllocation",
    "Sku",
    "Stock",
    "VirtualStock",
    "Warehouse",
]
