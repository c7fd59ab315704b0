"""Exploratory analysis behind the Overview and Distributions & correlations pages: plain pandas/numpy over a loaded
frame. Everything returned is aggregated (histograms, binned means, 2-D counts), so a page never ships one point per
song to the browser, whatever the size of the data.

    overview_tables(frame)                     # core.eda.overview: every table and alert the Overview shows
    feature_profile(frame, "loudness")         # core.eda.features: one feature against popularity, with its sentence

Modules: `columns` (which columns an analysis reads, value formatting), `tables` (the report's head, info(),
describe(), null and distinct counts), `alerts` (data-quality alerts and what they mean for modelling), `overview`
(the Overview in one call, the load report in words), `filters` (the Distributions page's filters), `binning` (bins,
histograms, densities), `popularity` (the "popular" cut, quantiles, the popularity plots and their notes), `features`
(one feature against popularity and its generated summary), `groups` (extra columns as colour groups),
`correlations` (Pearson/Spearman matrices, correlated pairs).
"""
