"""Open311 GeoReport v2: the API civic apps file complaints through and follow them with."""
