"""Experiments: runs of optimizers that check what the local measurements say.

`race` runs both families for a few steps from the checkpoint; `calibration` runs the thesis' grid of
quadratics (App. C.4) to measure how often the local rule picks the winner.
"""
