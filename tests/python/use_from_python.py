"""The README's "Use it from Python" recipes, run against a store built by the test
(tests/python.rs): rdflib on a TriG export with the union default graph, pandas on
`govkg query -f jsonl` / `-f csv`, and pyoxigraph opening the store itself. Each must give the
same rows as `govkg query implementers`.

usage: use_from_python.py STORE TRIG JSONL CSV QUERY.rq EXPECTED_ROWS
"""
import sys

import pandas as pd
import pyoxigraph
import rdflib

store_dir, trig, jsonl, csv, query_file, expected = sys.argv[1:7]
expected = int(expected)
query = open(query_file, encoding="utf-8").read()

# rdflib: one named graph per report; labels and types are in the entities graph, so the default
# graph must be the union. rdflib's engine answers plain patterns right, but not the named queries'
# nested sub-selects (it returns 1 row of implementers.rq): give it a flat query.
dataset = rdflib.Dataset(default_union=True)
dataset.parse(trig, format="trig")
flat = """
PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?initiative ?agency WHERE {
  GRAPH ?report { ?a gk:implements ?i }
  ?a skos:prefLabel ?agency . ?i skos:prefLabel ?initiative .
}"""
rows = list(dataset.query(flat))
assert len(rows) == expected, f"rdflib: {len(rows)} rows, expected {expected}"

# pandas: JSON lines (one flat object per row) and CSV.
frame = pd.read_json(jsonl, lines=True)
assert len(frame) == expected, f"pandas jsonl: {len(frame)} rows"
assert {"initiative", "agency", "reports"} <= set(frame.columns), frame.columns
table = pd.read_csv(csv)
assert len(table) == expected, f"pandas csv: {len(table)} rows"
assert (frame["reports"].astype(int) >= 1).all()

# pyoxigraph: the govkg store is an Oxigraph store; open it read-only.
store = pyoxigraph.Store.read_only(store_dir)
solutions = list(store.query(query, use_default_graph_as_union=True))
assert len(solutions) == expected, f"pyoxigraph: {len(solutions)} rows"

print(f"rdflib, pandas and pyoxigraph: {expected} rows each")
