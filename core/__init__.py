"""The floor every domain builds on; imports nothing above it."""

import warnings

# great_expectations imports pyspark when it is installed (the Spark engine, docs/scale_out.md), and
# pyspark warns at import that it does not support pandas 3 yet: nothing here uses pandas on Spark.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
