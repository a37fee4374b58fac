"""Benchmarks and the synthetic scale corpus; the product reaches them only through `assistant bench`."""
