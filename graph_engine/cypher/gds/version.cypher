// The Graph Data Science library's version.
// Parameters: none.
RETURN gds.version() AS version
