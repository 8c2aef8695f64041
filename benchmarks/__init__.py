"""Benchmarks: a generator of large realistic vaults and a runner timing Trellis against Hugo."""
