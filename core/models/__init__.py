"""The model layer: what a suite is, how its models are trained, stored, loaded and asked for predictions.

    suite = training.train_suite(frame, SuiteConfig(), fingerprint)     # or a training job: jobs.JobManager.submit
    path = store.ArtifactStore().save(suite); store.ArtifactStore().latest_suite(fingerprint)

Modules: `config` (SuiteConfig, TrainedSuite, SuiteTables — the stored-suite view —, suite and binning names; no
scikit-learn), `suites` (the table of the report's models), `kinds` (one adapter per model kind — scikit-learn,
XGBoost, Keras — owning predict, the fast one-row path, save and load), `keras` (the report's networks and their numpy
inference pass), `training` (split, fit, evaluate), `metrics`, `store` (the on-disk ArtifactStore and which stored
suite is newest), `jobs` and `jobs_watchdog` (training as a shared job on Dask workers).
"""
