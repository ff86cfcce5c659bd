"""Orchestration: which estimators run for which report section, sharing work through a `Context`.

Each section module (`spectrum`, `geometry`, `noise`, `fisher`) has `run(ctx)`, which computes its
quantities and stores them on `ctx.report`. Anything two sections need (the gradient, the Hessian
operator, the top Lanczos run, the trace) is computed once, on demand, by the context.
"""
