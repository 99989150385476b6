"""Tools for operators: export a workspace, erase a person."""
