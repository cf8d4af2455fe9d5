"""Read-only queries for the pages and exports, one module per thing read. Nothing here writes."""
