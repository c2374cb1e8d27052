"""Command-line tools: benchmarks, evaluation, data validation, the import graph."""
