"""The keyword editor's states: the list (with delete and the featured order), the form, CSV import and "try it"."""
