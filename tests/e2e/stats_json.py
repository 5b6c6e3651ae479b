"""--stats-json reader for the e2e tests: the bench's own (bench/confcastbench/stats_json.py),
loaded by path so there is one copy and the bench package's modules (html.py, ...) do not shadow
the standard library on PYTHONPATH."""
import importlib.util
import pathlib

_path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "confcastbench" / "stats_json.py"
_spec = importlib.util.spec_from_file_location("confcast_stats_json", _path)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
load, loads = _module.load, _module.loads
