"""The Russian production calendar with an admin-editable table of regional exceptions."""
