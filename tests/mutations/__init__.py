"""Wrong and right implementations of every contract name, one module per assignment."""
