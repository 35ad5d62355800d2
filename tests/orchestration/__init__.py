"""Tests of orchestration/: the definitions, the CLI, the run guard, crash safety, re-execution, sensors and schedules, the webserver, whole runs."""
