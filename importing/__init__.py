"""Import a roadmap from its Word or Excel table, and export a roadmap back to the same layout."""
