"""See the package docstring of policygen_operator for the layers."""
