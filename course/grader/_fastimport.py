"""Imported first by the grading entry points: keep a slow optional import out of every process.

nbformat validates notebooks with jsonschema, whose optional ``rfc3987_syntax``
builds a parsing grammar when imported: about two seconds of CPU in every
process that imports nbformat, for an IRI format that no notebook schema uses.
Marking it absent makes jsonschema skip that one format checker. Nothing else
in the course's stack imports it.
"""
import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
