"""River-section water-quality measurements: reading uploaded files (pure, no Django)."""
