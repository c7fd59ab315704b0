"""The downloadable report: the data in use and its stored suite as one self-contained HTML file.

    build_report(dataset, suite)           # core.report.build: the document (suite None: data sections only)
    python3 -m core report --out r.html    # the command line (core.report.build.main_report)

Modules: `build` (sections in the original report's order, the page's look, the command line). The report's own
published numbers, which it is compared with, stay in core.report_figures (the twin and the pages read them too).
"""
