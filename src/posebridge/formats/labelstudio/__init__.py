"""Label Studio (placeholder while the family is written)."""
