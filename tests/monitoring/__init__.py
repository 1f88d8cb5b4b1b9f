"""Data monitoring: pure computation (funnels, anomalies, grading), no database needed."""
