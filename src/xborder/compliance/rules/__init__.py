"""Built-in compliance rules, one module per family."""
