"""Plotly figure builders, one module per page: aggregated tables in, go.Figure out (never one mark per song).

Modules: `eda` (Overview and Distributions & correlations: histograms, densities, binned means, correlation
heatmaps), `models` (model comparison: metric bars, curves, confusion matrices, residuals, reliability, importance),
`whatif` (the What-if page: hit verdicts, contributions waterfall, sensitivity sweeps).
"""
