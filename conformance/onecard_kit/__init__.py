"""The onecard wire-contract conformance kit (see conformance/README.md)."""
